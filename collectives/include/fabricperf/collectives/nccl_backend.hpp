#pragma once
// NCCL on GPU buffers (target fpcollectives_nccl, only when FABRICPERF_HAVE_NCCL). One process per
// GPU (or -g GPUs per process, one communicator each, in one NCCL group). The NCCL unique id
// travels over the Bootstrap (MPI or TCP). Completion is polled (cudaEventQuery plus
// ncclCommGetAsyncError) against the --timeout; a stall or a remote error aborts the
// communicators (ncclCommAbort) so the process can report and exit.
#include <memory>
#include <string>

#include "fabricperf/bootstrap.hpp"
#include "fabricperf/collectives/backend.hpp"
#include "fabricperf/collectives/launch.hpp"

namespace fabricperf::collectives {

struct NcclBackendConfig {
  int gpus_per_process = 1;
  int local_rank = 0;                // the process's index on its node (picks its GPUs)
  GpuNicMap nic_map;                 // --gpu-nic-map
  TopologyNicLookup topology;        // the topology library's GPU->NIC choice, when wired
  bool no_nic_pinning = false;
};

// CUDA devices this process sees; 0 without a driver or device (never throws): the auto backend
// choice calls it on machines without any GPU.
[[nodiscard]] int visible_cuda_devices() noexcept;

// "2.28.9" from ncclGetVersion (the library loaded, not the header).
[[nodiscard]] std::string nccl_library_version();

[[nodiscard]] std::unique_ptr<Backend> make_nccl_backend(const NcclBackendConfig& config, Bootstrap& bootstrap,
                                                         Watchdog& watchdog);

}  // namespace fabricperf::collectives
