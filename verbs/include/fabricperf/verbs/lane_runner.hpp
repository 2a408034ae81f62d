#pragma once
// The one way a measurement runs on several devices at once: one thread per lane, each pinned
// (--cpu, else the CPUs of its NIC's NUMA node) before it touches the engine. fp_bw/fp_lat/
// fp_gdr (through Session::run_lanes) and fp_suite's link runner all use it, so the suite never
// measures an unpinned link that fp_bw would have measured pinned.
#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "fabricperf/verbs/affinity.hpp"

namespace fabricperf::verbs {

struct LanePin {
  std::optional<int> cpu;  // --cpu
  int numa_node = -1;      // the NIC's NUMA node (-1 unknown: left unpinned)
};

// Runs fn(i) for every lane on its own pinned thread (the calling thread when there is one
// lane) and returns the pinning each used. After all ended, rethrows the first failure, a
// PeerError before any other error.
std::vector<Pinning> run_pinned_lanes(const std::vector<LanePin>& pins, const std::function<void(std::size_t)>& fn,
                                      const std::string& sys_root = "/sys");

}  // namespace fabricperf::verbs
