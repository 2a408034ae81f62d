#pragma once
// Bootstrap over MPI (mpirun / srun --mpi=pmix). Owns MPI_Init/MPI_Finalize for the process.
// Collectives are non-blocking and polled against the deadline, so a dead or stalled rank ends
// the run with a message instead of a hang.
#include <chrono>
#include <memory>

#include "fabricperf/bootstrap.hpp"

namespace fabricperf {

[[nodiscard]] std::unique_ptr<Bootstrap> make_mpi_bootstrap(int* argc, char*** argv,
                                                            std::chrono::milliseconds timeout);

}  // namespace fabricperf
