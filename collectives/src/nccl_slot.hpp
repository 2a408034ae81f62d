#pragma once
// One GPU of this process in the NCCL backend: its device, rank, stream, communicator, buffers
// and captured CUDA graph.
#include <cuda_runtime.h>
#include <nccl.h>

#include <cstddef>
#include <string>

namespace fabricperf::collectives {

struct NcclSlot {
  int device = 0;
  int rank = 0;
  std::string pci;
  std::string name;
  cudaStream_t stream = nullptr;
  ncclComm_t comm = nullptr;
  void* send = nullptr;
  void* recv = nullptr;
  std::size_t send_bytes = 0;
  std::size_t recv_bytes = 0;
  cudaGraph_t graph = nullptr;
  cudaGraphExec_t exec = nullptr;
};

}  // namespace fabricperf::collectives
