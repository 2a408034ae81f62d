#include "fabricperf/collectives/nccl_backend.hpp"

#include <cuda_runtime.h>
#include <nccl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <deque>

#include "fabricperf/error.hpp"

#ifndef NCCL_VERSION
#define NCCL_VERSION(X, Y, Z) ((X) * 10000 + (Y) * 100 + (Z))
#endif

namespace fabricperf::collectives {
namespace {

void cuda_check(cudaError_t rc, const std::string& doing) {
  if (rc != cudaSuccess) throw Error("CUDA error " + doing + ": " + cudaGetErrorString(rc));
}

void nccl_check(ncclResult_t rc, const std::string& doing, ncclComm_t comm = nullptr) {
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

ncclDataType_t nccl_type(DataType t) {
  switch (t) {
    case DataType::int8: return ncclInt8;
    case DataType::uint8: return ncclUint8;
    case DataType::int32: return ncclInt32;
    case DataType::uint32: return ncclUint32;
    case DataType::int64: return ncclInt64;
    case DataType::uint64: return ncclUint64;
    case DataType::float16: return ncclFloat16;
    case DataType::float32: return ncclFloat32;
    case DataType::float64: return ncclFloat64;
    case DataType::bfloat16:
#if NCCL_VERSION_CODE >= NCCL_VERSION(2, 10, 0)
      return ncclBfloat16;
#else
      throw UsageError("bfloat16 needs NCCL 2.10 or later");
#endif
  }
  return ncclFloat32;
}

ncclRedOp_t nccl_op(RedOp op) {
  switch (op) {
    case RedOp::sum: return ncclSum;
    case RedOp::prod: return ncclProd;
    case RedOp::max: return ncclMax;
    case RedOp::min: return ncclMin;
    case RedOp::avg:
#if NCCL_VERSION_CODE >= NCCL_VERSION(2, 10, 0)
      return ncclAvg;
#else
      throw UsageError("avg needs NCCL 2.10 or later");
#endif
  }
  return ncclSum;
}


std::string version_text(int code) {
  // NCCL >= 2.9: MMmmpp as major*10000 + minor*100 + patch; before: major*1000 + minor*100 + patch.
  const int major = code >= 10000 ? code / 10000 : code / 1000;
  const int minor = code >= 10000 ? (code % 10000) / 100 : (code % 1000) / 100;
  const int patch = code % 100;
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

struct Slot {
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

class NcclBackend final : public Backend {
 public:
  NcclBackend(const NcclBackendConfig& config, Bootstrap& bootstrap, Watchdog& watchdog) : bootstrap_(bootstrap) {
    const int per_process = config.gpus_per_process;
    nranks_ = bootstrap.size() * per_process;
    first_rank_ = bootstrap.rank() * per_process;
    int runtime_version = 0;
    cudaRuntimeGetVersion(&runtime_version);
    int driver_version = 0;
    cudaDriverGetVersion(&driver_version);
    cuda_runtime_ = std::to_string(runtime_version / 1000) + "." + std::to_string((runtime_version % 1000) / 10);
    cuda_driver_ = std::to_string(driver_version / 1000) + "." + std::to_string((driver_version % 1000) / 10);
    const int count = visible_cuda_devices();
    if (count == 0) throw Error("the NCCL backend needs a GPU and none is visible");
    const auto devices = devices_for_process(config.local_rank, per_process, count);
    std::vector<std::pair<int, std::string>> gpus;
    for (std::size_t i = 0; i < devices.size(); ++i) {
      Slot s;
      s.device = devices[i];
      s.rank = first_rank_ + static_cast<int>(i);
      char pci[32] = {};
      cuda_check(cudaDeviceGetPCIBusId(pci, sizeof pci, s.device), "reading the PCI id of GPU " + std::to_string(s.device));
      s.pci = pci;
      cudaDeviceProp prop{};
      cuda_check(cudaGetDeviceProperties(&prop, s.device), "reading the properties of GPU " + std::to_string(s.device));
      s.name = prop.name;
      gpus.emplace_back(s.device, s.pci);
      slots_.push_back(std::move(s));
    }

    // NIC pinning: before NCCL reads its environment (at communicator creation).
    GpuNicMap map = config.nic_map;
    if (map.empty() && config.topology) map = config.topology(gpus);
    pinning_ = decide_nic_pinning(std::getenv("NCCL_IB_HCA"), config.no_nic_pinning, gpus, map);
    if (pinning_.set) ::setenv("NCCL_IB_HCA", pinning_.value.c_str(), 1);

    // The unique id travels over the bootstrap: rank 0 creates it, everybody takes rank 0's.
    ncclUniqueId id{};
    std::string mine;
    if (bootstrap.rank() == 0) {
      nccl_check(ncclGetUniqueId(&id), "creating the NCCL unique id");
      mine.assign(reinterpret_cast<const char*>(&id), sizeof id);
    }
    const auto all = bootstrap.all_gather(mine);
    if (all.empty() || all[0].size() != sizeof id) throw PeerError(bootstrap.describe_rank(0), "malformed NCCL unique id");
    std::memcpy(&id, all[0].data(), sizeof id);

    for (auto& s : slots_) {
      cuda_check(cudaSetDevice(s.device), "selecting GPU " + std::to_string(s.device));
      cuda_check(cudaStreamCreateWithFlags(&s.stream, cudaStreamNonBlocking), "creating a stream");
    }
    nccl_check(ncclGroupStart(), "starting communicator creation");
    for (auto& s : slots_) {
      cudaSetDevice(s.device);
      nccl_check(ncclCommInitRank(&s.comm, nranks_, id, s.rank),
                 "creating the communicator of rank " + std::to_string(s.rank) + " on GPU " + std::to_string(s.device));
    }
    nccl_check(ncclGroupEnd(), "creating communicators");
    (void)watchdog;
#if NCCL_VERSION_CODE >= NCCL_VERSION(2, 28, 0)
    int runtime = 0;
    ncclGetVersion(&runtime);
    native_alltoall_ = runtime >= NCCL_VERSION(2, 28, 0);
#endif
  }

  ~NcclBackend() override {
    if (!aborted_) {
      for (auto& s : slots_) {
        cudaSetDevice(s.device);
        if (s.stream != nullptr) cudaStreamSynchronize(s.stream);
      }
      for (auto& s : slots_)
        if (s.comm != nullptr) ncclCommDestroy(s.comm);
    }
    for (auto& s : slots_) {
      cudaSetDevice(s.device);
      destroy_graph(s);
      if (s.send != nullptr) cudaFree(s.send);
      if (s.recv != nullptr) cudaFree(s.recv);
      if (s.stream != nullptr && !aborted_) cudaStreamDestroy(s.stream);
    }
    for (auto e : free_events_) cudaEventDestroy(e);
  }
  NcclBackend(const NcclBackend&) = delete;
  NcclBackend& operator=(const NcclBackend&) = delete;

  std::string_view name() const noexcept override { return "nccl"; }
  int nranks() const noexcept override { return nranks_; }
  int local_ranks() const noexcept override { return static_cast<int>(slots_.size()); }
  int first_rank() const noexcept override { return first_rank_; }
  bool in_place_copies() const noexcept override { return false; }
  bool supports_graphs() const noexcept override { return true; }

  nlohmann::json describe() const override {
    return {{"backend", "nccl"},
            {"nccl_version", nccl_library_version()},
            {"nccl_header_version", version_text(NCCL_VERSION_CODE)},
            {"cuda_runtime_version", cuda_runtime_},
            {"cuda_driver_version", cuda_driver_},
            {"memory", "device"}};
  }

  std::vector<nlohmann::json> devices() const override {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    const char* hca = std::getenv("NCCL_IB_HCA");
    std::vector<nlohmann::json> out;
    for (const auto& s : slots_) {
      nlohmann::json d = {{"rank", s.rank}, {"pid", static_cast<int>(::getpid())}, {"host", host},
                          {"device", s.device}, {"pci", s.pci}, {"name", s.name}, {"nic_pinning", pinning_.reason}};
      if (hca != nullptr) d["nic"] = hca;
      out.push_back(std::move(d));
    }
    return out;
  }

  void allocate(std::size_t send_bytes, std::size_t recv_bytes) override {
    for (auto& s : slots_) {
      cuda_check(cudaSetDevice(s.device), "selecting GPU " + std::to_string(s.device));
      if (s.send_bytes < send_bytes) {
        if (s.send != nullptr) cudaFree(s.send);
        cuda_check(cudaMalloc(&s.send, std::max<std::size_t>(send_bytes, 1)),
                   "allocating " + std::to_string(send_bytes) + " bytes on GPU " + std::to_string(s.device));
        cuda_check(cudaMemset(s.send, 0, std::max<std::size_t>(send_bytes, 1)), "clearing a buffer");
        s.send_bytes = send_bytes;
      }
      if (s.recv_bytes < recv_bytes) {
        if (s.recv != nullptr) cudaFree(s.recv);
        cuda_check(cudaMalloc(&s.recv, std::max<std::size_t>(recv_bytes, 1)),
                   "allocating " + std::to_string(recv_bytes) + " bytes on GPU " + std::to_string(s.device));
        cuda_check(cudaMemset(s.recv, 0, std::max<std::size_t>(recv_bytes, 1)), "clearing a buffer");
        s.recv_bytes = recv_bytes;
      }
      cuda_check(cudaDeviceSynchronize(), "clearing buffers");
    }
  }

  void write(int local, BufferKind which, std::size_t offset, std::span<const std::byte> data) override {
    Slot& s = slots_.at(static_cast<std::size_t>(local));
    cuda_check(cudaSetDevice(s.device), "selecting GPU");
    auto* base = static_cast<std::byte*>(which == BufferKind::send ? s.send : s.recv);
    range(s, which, offset, data.size());
    // On the rank's own stream, then synchronised: ordered with the collectives that follow (a
    // plain cudaMemcpy from pageable memory may still be in flight when it returns).
    cuda_check(cudaMemcpyAsync(base + offset, data.data(), data.size(), cudaMemcpyHostToDevice, s.stream),
               "copying data to the GPU");
    cuda_check(cudaStreamSynchronize(s.stream), "copying data to the GPU");
  }

  void read(int local, BufferKind which, std::size_t offset, std::span<std::byte> data) override {
    Slot& s = slots_.at(static_cast<std::size_t>(local));
    cuda_check(cudaSetDevice(s.device), "selecting GPU");
    const auto* base = static_cast<const std::byte*>(which == BufferKind::send ? s.send : s.recv);
    range(s, which, offset, data.size());
    cuda_check(cudaMemcpyAsync(data.data(), base + offset, data.size(), cudaMemcpyDeviceToHost, s.stream),
               "copying data from the GPU");
    cuda_check(cudaStreamSynchronize(s.stream), "copying data from the GPU");
  }

  void launch(const CollCall& call, int group, Watchdog& /*watchdog*/) override {
    what_ = collectives::describe(call);
    const bool grouped = group > 1 || slots_.size() > 1;
    if (grouped) nccl_check(ncclGroupStart(), "starting a group");
    for (int g = 0; g < group; ++g)
      for (auto& s : slots_) post(call, s);
    if (grouped) nccl_check(ncclGroupEnd(), "launching " + what_);
    if (!capturing_) record_progress();
  }

  void wait(Watchdog& watchdog) override {
    // Progress-based: each recorded point must complete within the timeout of the previous one.
    while (!pending_.empty()) {
      Pending& p = pending_.front();
      std::size_t checks = 0;
      watchdog.wait_until(
          [&] {
            bool done = true;
            for (auto& e : p.events) {
              if (e == nullptr) continue;
              const cudaError_t rc = cudaEventQuery(e);
              if (rc == cudaSuccess) {
                free_events_.push_back(e);
                e = nullptr;
              } else if (rc == cudaErrorNotReady) {
                done = false;
              } else {
                cuda_check(rc, "while waiting for " + what_);
              }
            }
            if (!done && (++checks & 1023U) == 0) check_async_errors();
            return done;
          },
          "NCCL " + p.what);
      pending_.pop_front();
    }
    check_async_errors();
  }

  void barrier(Watchdog& watchdog) override {
    wait(watchdog);
    bootstrap_.barrier();
  }

  void capture_begin() override {
    for (auto& s : slots_) {
      cudaSetDevice(s.device);
      destroy_graph(s);
      cuda_check(cudaStreamBeginCapture(s.stream, cudaStreamCaptureModeThreadLocal), "starting a CUDA graph capture");
    }
    capturing_ = true;
  }

  void capture_end() override {
    capturing_ = false;
    for (auto& s : slots_) {
      cudaSetDevice(s.device);
      cuda_check(cudaStreamEndCapture(s.stream, &s.graph), "ending the CUDA graph capture");
      cuda_check(cudaGraphInstantiate(&s.exec, s.graph, 0), "instantiating the CUDA graph");
    }
  }

  void replay(int times) override {
    for (int t = 0; t < times; ++t) {
      for (auto& s : slots_) {
        cudaSetDevice(s.device);
        cuda_check(cudaGraphLaunch(s.exec, s.stream), "launching the CUDA graph");
      }
      record_progress();
    }
  }

  void abort() noexcept override {
    if (aborted_) return;
    aborted_ = true;
    for (auto& s : slots_)
      if (s.comm != nullptr) ncclCommAbort(s.comm);
  }

 private:
  struct Pending {
    std::vector<cudaEvent_t> events;  // one per slot
    std::string what;
  };

  static void range(const Slot& s, BufferKind which, std::size_t offset, std::size_t bytes) {
    const std::size_t size = which == BufferKind::send ? s.send_bytes : s.recv_bytes;
    if (offset + bytes > size) throw Error("GPU buffer access out of range");
  }

  static void destroy_graph(Slot& s) {
    if (s.exec != nullptr) cudaGraphExecDestroy(s.exec);
    if (s.graph != nullptr) cudaGraphDestroy(s.graph);
    s.exec = nullptr;
    s.graph = nullptr;
  }

  cudaEvent_t take_event() {
    if (!free_events_.empty()) {
      const cudaEvent_t e = free_events_.back();
      free_events_.pop_back();
      return e;
    }
    cudaEvent_t e = nullptr;
    cuda_check(cudaEventCreateWithFlags(&e, cudaEventDisableTiming), "creating an event");
    return e;
  }

  void record_progress() {
    Pending p;
    p.what = what_;
    for (auto& s : slots_) {
      cudaSetDevice(s.device);
      const cudaEvent_t e = take_event();
      cuda_check(cudaEventRecord(e, s.stream), "recording an event");
      p.events.push_back(e);
    }
    pending_.push_back(std::move(p));
  }

  void check_async_errors() {
    for (auto& s : slots_) {
      ncclResult_t state = ncclSuccess;
      if (ncclCommGetAsyncError(s.comm, &state) != ncclSuccess) continue;
      if (state != ncclSuccess && state != ncclInProgress)
        nccl_check(state, "on rank " + std::to_string(s.rank) + " during " + what_ + " (a peer died or the network failed)",
                   s.comm);
    }
  }

  void post(const CollCall& c, Slot& s) {
    cuda_check(cudaSetDevice(s.device), "selecting GPU");
    const std::size_t elt = c.shape.element_bytes;
    const std::size_t count = c.shape.param_count;
    const auto r = static_cast<std::size_t>(s.rank);
    auto* recv = static_cast<char*>(s.recv);
    const char* send = c.in_place ? recv + c.shape.send_inplace_offset * r * elt : static_cast<const char*>(s.send);
    char* out = recv + (c.in_place ? c.shape.recv_inplace_offset * r * elt : 0);
    const ncclDataType_t type = nccl_type(c.type);
    const std::size_t chunk = count * elt;
    const std::string doing = "starting " + what_;
    switch (c.coll) {
      case Collective::all_reduce:
        nccl_check(ncclAllReduce(send, out, count, type, nccl_op(c.op), s.comm, s.stream), doing, s.comm);
        break;
      case Collective::all_gather:
        nccl_check(ncclAllGather(send, out, count, type, s.comm, s.stream), doing, s.comm);
        break;
      case Collective::reduce_scatter:
        nccl_check(ncclReduceScatter(send, out, count, type, nccl_op(c.op), s.comm, s.stream), doing, s.comm);
        break;
      case Collective::broadcast:
        nccl_check(ncclBroadcast(send, out, count, type, c.root, s.comm, s.stream), doing, s.comm);
        break;
      case Collective::reduce:
        nccl_check(ncclReduce(send, out, count, type, nccl_op(c.op), c.root, s.comm, s.stream), doing, s.comm);
        break;
      case Collective::alltoall:
#if NCCL_VERSION_CODE >= NCCL_VERSION(2, 28, 0)
        if (native_alltoall_) {  // as nccl-tests does with NCCL >= 2.28
          nccl_check(ncclAlltoAll(send, out, count, type, s.comm, s.stream), doing, s.comm);
          break;
        }
#endif
        nccl_check(ncclGroupStart(), doing);
        for (int peer = 0; peer < nranks_; ++peer) {
          const auto p = static_cast<std::size_t>(peer);
          nccl_check(ncclSend(send + p * chunk, count, type, peer, s.comm, s.stream), doing, s.comm);
          nccl_check(ncclRecv(out + p * chunk, count, type, peer, s.comm, s.stream), doing, s.comm);
        }
        nccl_check(ncclGroupEnd(), doing);
        break;
      case Collective::sendrecv:
        nccl_check(ncclGroupStart(), doing);
        nccl_check(ncclSend(send, count, type, (s.rank + 1) % nranks_, s.comm, s.stream), doing, s.comm);
        nccl_check(ncclRecv(out, count, type, (s.rank - 1 + nranks_) % nranks_, s.comm, s.stream), doing, s.comm);
        nccl_check(ncclGroupEnd(), doing);
        break;
      case Collective::gather:  // grouped send/recv
        if (count == 0) break;
        nccl_check(ncclGroupStart(), doing);
        nccl_check(ncclSend(send, count, type, c.root, s.comm, s.stream), doing, s.comm);
        if (s.rank == c.root)
          for (int peer = 0; peer < nranks_; ++peer)
            nccl_check(ncclRecv(out + static_cast<std::size_t>(peer) * chunk, count, type, peer, s.comm, s.stream), doing,
                       s.comm);
        nccl_check(ncclGroupEnd(), doing);
        break;
      case Collective::scatter:  // grouped send/recv
        if (count == 0) break;
        nccl_check(ncclGroupStart(), doing);
        if (s.rank == c.root)
          for (int peer = 0; peer < nranks_; ++peer)
            nccl_check(ncclSend(send + static_cast<std::size_t>(peer) * chunk, count, type, peer, s.comm, s.stream), doing,
                       s.comm);
        nccl_check(ncclRecv(out, count, type, c.root, s.comm, s.stream), doing, s.comm);
        nccl_check(ncclGroupEnd(), doing);
        break;
    }
  }

  Bootstrap& bootstrap_;
  int nranks_ = 1;
  int first_rank_ = 0;
  std::vector<Slot> slots_;
  NicPinning pinning_;
  std::string cuda_runtime_;
  std::string cuda_driver_;
  std::deque<Pending> pending_;
  std::vector<cudaEvent_t> free_events_;
  std::string what_ = "collective";
  bool capturing_ = false;
  bool aborted_ = false;
  bool native_alltoall_ = false;
};

}  // namespace

int visible_cuda_devices() noexcept {
  int count = 0;
  const cudaError_t rc = cudaGetDeviceCount(&count);
  if (rc != cudaSuccess) {
    (void)cudaGetLastError();  // no driver / no device: clear the sticky error and report none
    return 0;
  }
  return count;
}

std::string nccl_library_version() {
  int code = 0;
  if (ncclGetVersion(&code) != ncclSuccess) return "unknown";
  return version_text(code);
}

std::unique_ptr<Backend> make_nccl_backend(const NcclBackendConfig& config, Bootstrap& bootstrap, Watchdog& watchdog) {
  return std::make_unique<NcclBackend>(config, bootstrap, watchdog);
}

}  // namespace fabricperf::collectives
