#pragma once
// A recording fake of the NCCL/CUDA seam (collectives/src/nccl_calls.hpp). Handles are made-up
// pointer values; every call is appended to `log` as "<call> <handle name>". Tests built on it
// check the ORDER and LOGIC of the NCCL backend's lifecycle paths, not NCCL or CUDA themselves
// (the gpu-labelled tests in ../gpu run the real thing).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nccl_calls.hpp"
#include "nccl_slot.hpp"

namespace fabricperf::collectives::testing {

template <typename T>
T fake_handle(std::uintptr_t n) {
  return reinterpret_cast<T>(n * 0x100);  // NOLINT: opaque handle, never dereferenced
}

class RecordingCalls final : public NcclCalls {
 public:
  std::vector<std::string> log;
  std::map<const void*, std::string> names;
  int current_device = -1;
  std::map<const void*, int> event_device;  // the device current when each event was created
  int async_polls = 0;
  int ready_after_polls = -1;
  int fail_init_rank = -1;  // comm_init_nonblocking of this rank fails (ncclSystemError)  // comm_async_error answers
                            // ncclInProgress until then (-1: forever)

  std::string name(const void* h) const {
    const auto it = names.find(h);
    return it == names.end() ? "?" : it->second;
  }
  // Index of the first log entry equal to `entry`, or -1.
  [[nodiscard]] int index_of(const std::string& entry) const {
    for (std::size_t i = 0; i < log.size(); ++i)
      if (log[i] == entry) return static_cast<int>(i);
    return -1;
  }
  [[nodiscard]] int count(const std::string& entry) const {
    int n = 0;
    for (const auto& e : log) n += e == entry ? 1 : 0;
    return n;
  }

  cudaError_t set_device(int device) override {
    current_device = device;
    return cudaSuccess;
  }
  cudaError_t stream_synchronize(cudaStream_t s) override { return add("stream_synchronize", s); }
  cudaError_t stream_destroy(cudaStream_t s) override { return add("stream_destroy", s); }
  cudaError_t graph_exec_destroy(cudaGraphExec_t e) override { return add("graph_exec_destroy", e); }
  cudaError_t graph_destroy(cudaGraph_t g) override { return add("graph_destroy", g); }
  cudaError_t free(void* p) override { return add("free", p); }
  cudaError_t event_create(cudaEvent_t* e) override {
    *e = fake_handle<cudaEvent_t>(1000 + event_device.size());
    event_device[*e] = current_device;
    names[*e] = "event" + std::to_string(event_device.size() - 1);
    return add("event_create", *e);
  }
  cudaError_t event_destroy(cudaEvent_t e) override { return add("event_destroy", e); }
  ncclResult_t group_start() override {
    log.emplace_back("group_start");
    return ncclSuccess;
  }
  ncclResult_t group_end() override {
    log.emplace_back("group_end");
    return ncclSuccess;
  }
  ncclResult_t comm_init_nonblocking(ncclComm_t* comm, int /*nranks*/, const ncclUniqueId& /*id*/, int rank) override {
    *comm = fake_handle<ncclComm_t>(2000 + static_cast<std::uintptr_t>(rank));
    names[*comm] = "comm" + std::to_string(rank);
    log.push_back("comm_init " + name(*comm));
    if (rank == fail_init_rank) {
      *comm = nullptr;
      return ncclSystemError;
    }
    return ncclInProgress;
  }
  ncclResult_t comm_async_error(ncclComm_t /*comm*/, ncclResult_t* state) override {
    ++async_polls;
    *state = ready_after_polls >= 0 && async_polls >= ready_after_polls ? ncclSuccess : ncclInProgress;
    return ncclSuccess;
  }
  ncclResult_t comm_destroy(ncclComm_t c) override {
    add("comm_destroy", c);
    return ncclSuccess;
  }
  ncclResult_t comm_abort(ncclComm_t c) override {
    add("comm_abort", c);
    return ncclSuccess;
  }

 private:
  cudaError_t add(const char* call, const void* h) {
    log.push_back(std::string(call) + " " + name(h));
    return cudaSuccess;
  }
};

// A slot on `device` with rank `rank` whose handles are named "<kind><rank>" in `calls`.
inline NcclSlot fake_slot(RecordingCalls& calls, int device, int rank, bool with_graph) {
  NcclSlot s;
  s.device = device;
  s.rank = rank;
  const auto n = static_cast<std::uintptr_t>(rank + 1);
  const std::string r = std::to_string(rank);
  s.stream = fake_handle<cudaStream_t>(n);
  s.comm = fake_handle<ncclComm_t>(100 + n);
  s.send = fake_handle<void*>(200 + n);
  s.recv = fake_handle<void*>(300 + n);
  calls.names[s.stream] = "stream" + r;
  calls.names[s.comm] = "comm" + r;
  calls.names[s.send] = "send" + r;
  calls.names[s.recv] = "recv" + r;
  if (with_graph) {
    s.graph = fake_handle<cudaGraph_t>(400 + n);
    s.exec = fake_handle<cudaGraphExec_t>(500 + n);
    calls.names[s.graph] = "graph" + r;
    calls.names[s.exec] = "exec" + r;
  }
  return s;
}

}  // namespace fabricperf::collectives::testing
