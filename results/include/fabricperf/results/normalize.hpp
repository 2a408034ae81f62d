#pragma once
// fabricperf/1 documents read as fabricperf/2, so `fp_report compare` matches a baseline users
// kept against what the tools write now (results/README.md, "Reading fabricperf/1 documents").
#include <nlohmann/json.hpp>
#include <optional>

namespace fabricperf::results {

// True for a document whose schema is fabricperf/1.
[[nodiscard]] bool is_v1_document(const nlohmann::json& doc);

// Rewrites the rows of a fabricperf/1 document in place (a fabricperf/2 one is left alone):
// `half_round_trip`/`round_trip` booleans become `latency: "half_round_trip"|"round_trip"`;
// latency rows without `qps`/`bidirectional` get 1/false (a latency measurement is one QP, one
// way); bandwidth rows without `bidirectional` get false, without `qps` 1 (the default); the
// suite's bandwidth rows (stages verbs_bw, stress, gdr) counted total messages in `iterations`:
// that count moves to `messages` (iterations is now per QP). Idempotent.
void normalize_document(nlohmann::json& doc);

// A normalized copy of `doc` when it is a fabricperf/1 document compared against a newer one
// (`other`); nullopt otherwise (two fabricperf/1 documents compare as they are).
[[nodiscard]] std::optional<nlohmann::json> normalized_against(const nlohmann::json& doc, const nlohmann::json& other);

}  // namespace fabricperf::results
