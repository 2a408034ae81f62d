#pragma once
// What each side of fp_gdr tells the others once, before measuring: its memory kind, its
// GPU-NIC pairs, host, path/registration checks, a set-up error, and --remote-mem's
// expectation. Every rank gathers every side, so both sides of a pair stop with the same message.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fabricperf/gdr/memory_kind.hpp"
#include "fabricperf/gdr/report.hpp"
#include "fabricperf/result_document.hpp"

namespace fabricperf::gdr {

struct Side {
  MemoryKind mem = MemoryKind::host;
  std::string host;
  nlohmann::json pairs = nlohmann::json::array();  // GpuNicPair::to_json per lane (empty for host memory)
  std::vector<Check> checks;
  std::string error;            // non-empty when this side could not set up (registration failure, ...)
  std::string expect_peer_mem;  // --remote-mem over TCP ("" when not given)

  [[nodiscard]] nlohmann::json to_json() const;
  // A peer's side; PeerError naming `from` when it is malformed.
  [[nodiscard]] static Side from_json(const nlohmann::json& j, const std::string& from);
};

// The GPU identity of lane `lane` measured from `initiator` to `target` (test "bw" | "lat").
[[nodiscard]] EntryIdentity lane_identity(const Side& initiator, const Side& target, std::size_t lane,
                                          const std::string& test);

// --remote-mem: UsageError when `expecting` expects other memory than `other` (named `other_name`) uses.
void check_remote_mem(const Side& expecting, const Side& other, const std::string& other_name);

}  // namespace fabricperf::gdr
