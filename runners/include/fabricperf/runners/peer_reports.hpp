#pragma once
// What rank 0 of fp_suite receives from the other ranks, size-, depth- and type-checked before it
// is used or stored in the document (core's peer_json.hpp). Refusals are PeerErrors naming the rank.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fabricperf::runners {

// A start-up report: an object (at most 16 MiB, 32 levels) whose "rails"/"gpus" are integers,
// "rail_error" a string, "fingerprint"/"topology" objects, where present.
[[nodiscard]] nlohmann::json peer_startup_report(const std::string& text, const std::string& peer);

// A round report {"rows": [object...], "errors": [string...]} (at most 64 MiB, 16 levels; each
// error cut to 4 KiB).
struct RoundReport {
  std::vector<nlohmann::json> rows;
  std::vector<std::string> errors;
};
[[nodiscard]] RoundReport peer_round_report(const std::string& text, const std::string& peer);

}  // namespace fabricperf::runners
