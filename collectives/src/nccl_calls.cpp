#include "nccl_calls.hpp"

#include "fabricperf/error.hpp"

namespace fabricperf::collectives {
namespace {

class RealNcclCalls final : public NcclCalls {
 public:
  cudaError_t set_device(int device) override { return cudaSetDevice(device); }
  cudaError_t stream_synchronize(cudaStream_t stream) override { return cudaStreamSynchronize(stream); }
  cudaError_t stream_destroy(cudaStream_t stream) override { return cudaStreamDestroy(stream); }
  cudaError_t graph_exec_destroy(cudaGraphExec_t exec) override { return cudaGraphExecDestroy(exec); }
  cudaError_t graph_destroy(cudaGraph_t graph) override { return cudaGraphDestroy(graph); }
  cudaError_t free(void* pointer) override { return cudaFree(pointer); }
  cudaError_t event_create(cudaEvent_t* event) override {
    return cudaEventCreateWithFlags(event, cudaEventDisableTiming);
  }
  cudaError_t event_destroy(cudaEvent_t event) override { return cudaEventDestroy(event); }
  ncclResult_t group_start() override { return ncclGroupStart(); }
  ncclResult_t group_end() override { return ncclGroupEnd(); }
  ncclResult_t comm_init_nonblocking(ncclComm_t* comm, int nranks, const ncclUniqueId& id, int rank) override {
    ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
    config.blocking = 0;
    return ncclCommInitRankConfig(comm, nranks, id, rank, &config);
  }
  ncclResult_t comm_async_error(ncclComm_t comm, ncclResult_t* state) override {
    return ncclCommGetAsyncError(comm, state);
  }
  ncclResult_t comm_destroy(ncclComm_t comm) override { return ncclCommDestroy(comm); }
  ncclResult_t comm_abort(ncclComm_t comm) override { return ncclCommAbort(comm); }
};

}  // namespace

NcclCalls& real_nccl_calls() noexcept {
  static RealNcclCalls calls;  // stateless
  return calls;
}

void cuda_check(cudaError_t rc, const std::string& doing) {
  if (rc != cudaSuccess) throw Error("CUDA error " + doing + ": " + cudaGetErrorString(rc));
}

void nccl_check(ncclResult_t rc, const std::string& doing, ncclComm_t comm) {
  if (rc == ncclSuccess || rc == ncclInProgress) return;
  std::string text = "NCCL error " + doing + ": " + ncclGetErrorString(rc);
#if NCCL_VERSION_CODE >= NCCL_VERSION(2, 13, 0)
  const char* last = ncclGetLastError(comm);
  if (last != nullptr && *last != '\0') text += std::string(" (") + last + ")";
#else
  (void)comm;
#endif
  throw Error(text);
}

}  // namespace fabricperf::collectives
