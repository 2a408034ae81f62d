#pragma once
// What a rank says when the run cannot go on: what it was waiting for, and which ranks the
// liveness probe found dead or hung. Every live rank reaches the same verdict, and the lowest live
// rank (rank 0 unless it is the one missing) writes the document and ends the job.
#include <string>

#include "fabricperf/bootstrap.hpp"
#include "fabricperf/collectives/watchdog.hpp"

namespace fabricperf::collectives {

// "MPI all_reduce ... did not complete within 8 s (measuring all_reduce 1048576 bytes float sum
//  out-of-place): rank 1 on node2 did not answer the liveness probe (dead or hung)".
[[nodiscard]] std::string failure_message(const std::string& error, const std::string& activity,
                                          const ProbeReport& report, const Bootstrap& bootstrap);

// Lowest process rank not in report.unresponsive.
[[nodiscard]] int coordinator_rank(const ProbeReport& report, int processes) noexcept;

// How long the liveness probe waits for answers: 20% of the timeout, between 0.2 s and 5 s.
[[nodiscard]] std::chrono::milliseconds probe_grace(std::chrono::milliseconds timeout) noexcept;

}  // namespace fabricperf::collectives
