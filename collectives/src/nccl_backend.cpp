#include "fabricperf/collectives/nccl_backend.hpp"

#include <cuda_runtime.h>
#include <nccl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <deque>
#include <optional>

#include "fabricperf/error.hpp"
#include "nccl_calls.hpp"
#include "nccl_comm_init.hpp"
#include "nccl_event_pools.hpp"
#include "nccl_group.hpp"
#include "nccl_slot.hpp"
#include "nccl_teardown.hpp"

namespace fabricperf::collectives {
namespace {

ncclDataType_t nccl_type(DataType t) {
  switch (t) {
    case DataType::int8:
      return ncclInt8;
    case DataType::uint8:
      return ncclUint8;
    case DataType::int32:
      return ncclInt32;
    case DataType::uint32:
      return ncclUint32;
    case DataType::int64:
      return ncclInt64;
    case DataType::uint64:
      return ncclUint64;
    case DataType::float16:
      return ncclFloat16;
    case DataType::float32:
      return ncclFloat32;
    case DataType::float64:
      return ncclFloat64;
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
    case RedOp::sum:
      return ncclSum;
    case RedOp::prod:
      return ncclProd;
    case RedOp::max:
      return ncclMax;
    case RedOp::min:
      return ncclMin;
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

using Slot = NcclSlot;

std::vector<int> slot_devices(const std::vector<Slot>& slots) {
  std::vector<int> out;
  for (const auto& s : slots) out.push_back(s.device);
  return out;
}

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
      cuda_check(cudaDeviceGetPCIBusId(pci, sizeof pci, s.device),
                 "reading the PCI id of GPU " + std::to_string(s.device));
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
    if (all.empty() || all[0].size() != sizeof id)
      throw PeerError(bootstrap.describe_rank(0), "malformed NCCL unique id");
    std::memcpy(&id, all[0].data(), sizeof id);

    events_ = std::make_unique<NcclEventPools>(calls_, slot_devices(slots_));
    try {
      for (auto& s : slots_) {
        cuda_check(cudaSetDevice(s.device), "selecting GPU " + std::to_string(s.device));
        cuda_check(cudaStreamCreateWithFlags(&s.stream, cudaStreamNonBlocking), "creating a stream");
      }
      // Non-blocking and polled against --timeout: a rank that never arrives is reported.
      create_comms(calls_, slots_, nranks_, id, watchdog);
    } catch (...) {
      teardown_slots(calls_, slots_, true);  // communicators already aborted by create_comms
      throw;
    }
#if NCCL_VERSION_CODE >= NCCL_VERSION(2, 28, 0)
    int runtime = 0;
    ncclGetVersion(&runtime);
    native_alltoall_ = runtime >= NCCL_VERSION(2, 28, 0);
#endif
  }

  // Graphs before communicators (see nccl_teardown.hpp); events (the pools) after both.
  ~NcclBackend() override {
    teardown_slots(calls_, slots_, aborted_);
    events_.reset();
  }
  NcclBackend(const NcclBackend&) = delete;
  NcclBackend& operator=(const NcclBackend&) = delete;

  std::string_view name() const noexcept override {
    return "nccl";
  }
  int nranks() const noexcept override {
    return nranks_;
  }
  int local_ranks() const noexcept override {
    return static_cast<int>(slots_.size());
  }
  int first_rank() const noexcept override {
    return first_rank_;
  }
  bool in_place_copies() const noexcept override {
    return false;
  }
  bool supports_graphs() const noexcept override {
    return true;
  }

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
      nlohmann::json d = {
          {"rank", s.rank}, {"pid", static_cast<int>(::getpid())}, {"host", host}, {"device", s.device}, {"pci", s.pci},
          {"name", s.name}, {"nic_pinning", pinning_.reason}};
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

  void launch(const CollCall& call, int group, Watchdog& watchdog) override {
    what_ = collectives::describe(call);
    const bool grouped = group > 1 || slots_.size() > 1;
    {
      std::optional<NcclGroup> open;  // closed on every path, also when post() throws
      if (grouped) open.emplace(calls_, "starting a group");
      for (int g = 0; g < group; ++g)
        for (auto& s : slots_) post(call, s);
      if (open) note(open->end("launching " + what_));
    }
    // Non-blocking communicators: a launch may still be in progress when the call returns.
    if (in_progress_) wait_comms_ready(calls_, slots_, watchdog, "launching " + what_);
    in_progress_ = false;
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
            for (std::size_t i = 0; i < p.events.size(); ++i) {
              cudaEvent_t& e = p.events[i];
              if (e == nullptr) continue;
              const cudaError_t rc = cudaEventQuery(e);
              if (rc == cudaSuccess) {
                events_->give(i, e);
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
      destroy_graph(calls_, s);
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
    abort_slots(calls_, slots_);  // graphs first: NCCL's abort waits for captured work to be released
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

  void record_progress() {
    Pending p;
    p.what = what_;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      const cudaEvent_t e = events_->take(i);  // this slot's device, made current
      cuda_check(cudaEventRecord(e, slots_[i].stream), "recording an event");
      p.events.push_back(e);
    }
    pending_.push_back(std::move(p));
  }

  void check_async_errors() {
    for (auto& s : slots_) {
      ncclResult_t state = ncclSuccess;
      if (ncclCommGetAsyncError(s.comm, &state) != ncclSuccess) continue;
      if (state != ncclSuccess && state != ncclInProgress)
        nccl_check(state,
                   "on rank " + std::to_string(s.rank) + " during " + what_ + " (a peer died or the network failed)",
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
        started(ncclAllReduce(send, out, count, type, nccl_op(c.op), s.comm, s.stream), doing, s.comm);
        break;
      case Collective::all_gather:
        started(ncclAllGather(send, out, count, type, s.comm, s.stream), doing, s.comm);
        break;
      case Collective::reduce_scatter:
        started(ncclReduceScatter(send, out, count, type, nccl_op(c.op), s.comm, s.stream), doing, s.comm);
        break;
      case Collective::broadcast:
        started(ncclBroadcast(send, out, count, type, c.root, s.comm, s.stream), doing, s.comm);
        break;
      case Collective::reduce:
        started(ncclReduce(send, out, count, type, nccl_op(c.op), c.root, s.comm, s.stream), doing, s.comm);
        break;
      case Collective::alltoall: {
#if NCCL_VERSION_CODE >= NCCL_VERSION(2, 28, 0)
        if (native_alltoall_) {  // as nccl-tests does with NCCL >= 2.28
          started(ncclAlltoAll(send, out, count, type, s.comm, s.stream), doing, s.comm);
          break;
        }
#endif
        NcclGroup inner(calls_, doing);
        for (int peer = 0; peer < nranks_; ++peer) {
          const auto p = static_cast<std::size_t>(peer);
          started(ncclSend(send + p * chunk, count, type, peer, s.comm, s.stream), doing, s.comm);
          started(ncclRecv(out + p * chunk, count, type, peer, s.comm, s.stream), doing, s.comm);
        }
        note(inner.end(doing));
        break;
      }
      case Collective::sendrecv: {
        NcclGroup inner(calls_, doing);
        started(ncclSend(send, count, type, (s.rank + 1) % nranks_, s.comm, s.stream), doing, s.comm);
        started(ncclRecv(out, count, type, (s.rank - 1 + nranks_) % nranks_, s.comm, s.stream), doing, s.comm);
        note(inner.end(doing));
        break;
      }
      case Collective::gather: {  // grouped send/recv
        if (count == 0) break;
        NcclGroup inner(calls_, doing);
        started(ncclSend(send, count, type, c.root, s.comm, s.stream), doing, s.comm);
        if (s.rank == c.root)
          for (int peer = 0; peer < nranks_; ++peer)
            started(ncclRecv(out + static_cast<std::size_t>(peer) * chunk, count, type, peer, s.comm, s.stream), doing,
                    s.comm);
        note(inner.end(doing));
        break;
      }
      case Collective::scatter: {  // grouped send/recv
        if (count == 0) break;
        NcclGroup inner(calls_, doing);
        if (s.rank == c.root)
          for (int peer = 0; peer < nranks_; ++peer)
            started(ncclSend(send + static_cast<std::size_t>(peer) * chunk, count, type, peer, s.comm, s.stream), doing,
                    s.comm);
        started(ncclRecv(out, count, type, c.root, s.comm, s.stream), doing, s.comm);
        note(inner.end(doing));
        break;
      }
    }
  }

  // An NCCL call on a non-blocking communicator: ncclInProgress means "wait before using it".
  void note(ncclResult_t rc) noexcept {
    in_progress_ = in_progress_ || rc == ncclInProgress;
  }
  void started(ncclResult_t rc, const std::string& doing, ncclComm_t comm) {
    note(rc);
    nccl_check(rc, doing, comm);
  }

  NcclCalls& calls_ = real_nccl_calls();
  Bootstrap& bootstrap_;
  int nranks_ = 1;
  int first_rank_ = 0;
  std::vector<Slot> slots_;
  NicPinning pinning_;
  std::string cuda_runtime_;
  std::string cuda_driver_;
  std::deque<Pending> pending_;
  std::unique_ptr<NcclEventPools> events_;
  std::string what_ = "collective";
  bool capturing_ = false;
  bool aborted_ = false;
  bool in_progress_ = false;  // a launch call returned ncclInProgress
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
