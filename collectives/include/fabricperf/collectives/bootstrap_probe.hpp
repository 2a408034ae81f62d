#pragma once
// Liveness probe for runs without MPI (TCP bootstrap): after a stall every live process calls the
// bootstrap's all_gather; a dead peer shows up as a closed connection, a hung one as the
// bootstrap's timeout, either way named by the bootstrap ("rank 1 on node2").
#include <memory>

#include "fabricperf/bootstrap.hpp"
#include "fabricperf/collectives/watchdog.hpp"

namespace fabricperf::collectives {

[[nodiscard]] std::unique_ptr<LivenessProbe> make_bootstrap_probe(Bootstrap& bootstrap);

// "rank 3 on node2: ..." -> 3; -1 when the text names no rank.
[[nodiscard]] int rank_named_in(const std::string& text) noexcept;

}  // namespace fabricperf::collectives
