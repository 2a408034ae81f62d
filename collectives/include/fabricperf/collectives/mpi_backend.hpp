#pragma once
// MPI on host memory (target fpcollectives_mpi, only when FABRICPERF_HAVE_MPI): the same
// collectives, sizes and busbw formulas as NCCL, on CPU buffers, with non-blocking MPI calls
// (MPI_Iallreduce, ...) polled against the --timeout. Runs anywhere mpirun does, so the harness,
// the launch and the result document are tested without a GPU. half and bfloat16 reduce with
// user-defined ops that round like the GPU; avg is a sum followed by a local divide.
// MPI must already be initialised (by make_mpi_bootstrap).
#include <memory>
#include <string>

#include "fabricperf/collectives/backend.hpp"
#include "fabricperf/collectives/watchdog.hpp"

namespace fabricperf::collectives {

[[nodiscard]] std::unique_ptr<Backend> make_mpi_backend();

// Liveness ping/pong on a communicator of its own: a rank that does not answer within the grace
// period is dead or hung.
[[nodiscard]] std::unique_ptr<LivenessProbe> make_mpi_probe();

// "Open MPI v4.1.4, ..." (first line of MPI_Get_library_version).
[[nodiscard]] std::string mpi_library_version();

// MPI_Abort(MPI_COMM_WORLD, code): the launcher ends every rank.
[[noreturn]] void mpi_abort_job(int code);

}  // namespace fabricperf::collectives
