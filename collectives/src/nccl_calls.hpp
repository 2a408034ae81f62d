#pragma once
// A thin seam over the NCCL/CUDA calls that the NCCL backend's lifecycle paths make (communicator
// creation, group open/close, progress events, teardown and abort). The backend calls NCCL and
// CUDA through NcclCalls so that unit tests can check the order and logic of those paths with a
// recording fake, without a GPU. real_nccl_calls() is the one real implementation (stateless).
#include <cuda_runtime.h>
#include <nccl.h>

#include <string>

#ifndef NCCL_VERSION
#define NCCL_VERSION(X, Y, Z) ((X)*10000 + (Y)*100 + (Z))
#endif

namespace fabricperf::collectives {

class NcclCalls {
 public:
  virtual ~NcclCalls() = default;
  virtual cudaError_t set_device(int device) = 0;
  virtual cudaError_t stream_synchronize(cudaStream_t stream) = 0;
  virtual cudaError_t stream_destroy(cudaStream_t stream) = 0;
  virtual cudaError_t graph_exec_destroy(cudaGraphExec_t exec) = 0;
  virtual cudaError_t graph_destroy(cudaGraph_t graph) = 0;
  virtual cudaError_t free(void* pointer) = 0;
  virtual cudaError_t event_create(cudaEvent_t* event) = 0;  // timing disabled
  virtual cudaError_t event_destroy(cudaEvent_t event) = 0;
  virtual ncclResult_t group_start() = 0;
  virtual ncclResult_t group_end() = 0;
  // Non-blocking creation (config.blocking = 0): completion is polled with comm_async_error.
  virtual ncclResult_t comm_init_nonblocking(ncclComm_t* comm, int nranks, const ncclUniqueId& id, int rank) = 0;
  virtual ncclResult_t comm_async_error(ncclComm_t comm, ncclResult_t* state) = 0;
  virtual ncclResult_t comm_destroy(ncclComm_t comm) = 0;
  virtual ncclResult_t comm_abort(ncclComm_t comm) = 0;
};

[[nodiscard]] NcclCalls& real_nccl_calls() noexcept;

// Throw Error naming `doing` (and NCCL's last error for `comm`); ncclInProgress is not an error.
void cuda_check(cudaError_t rc, const std::string& doing);
void nccl_check(ncclResult_t rc, const std::string& doing, ncclComm_t comm = nullptr);

}  // namespace fabricperf::collectives
