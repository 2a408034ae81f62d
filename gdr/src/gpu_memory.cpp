#include "fabricperf/gdr/gpu_memory.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fabricperf/error.hpp"
#include "fabricperf/gdr/cuda.hpp"
#include "fabricperf/gdr/dmabuf_range.hpp"
#include "fabricperf/log.hpp"
#include "fabricperf/verbs/pattern.hpp"

namespace fabricperf::gdr {

namespace {

std::uint64_t host_page_size() {
  return static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

AttemptError errno_error(const char* call, int e) {
  return AttemptError{call, e, std::strerror(e)};
}

// Registers through the plan of `kind`, reporting the outcome either way.
verbs::MemoryRegion register_buffer(const GpuMemoryConfig& cfg, ibv_pd* pd, void* addr, std::size_t length,
                                    int access) {
  verbs::MemoryRegion mr;
  const auto attempt = [&](RegistrationPath path) { return try_register(path, pd, addr, length, access, mr); };
  try {
    const RegistrationOutcome outcome = register_with_fallback(cfg.kind, cfg.caps, cfg.target, attempt);
    FP_LOG(trace, "gdr") << to_string(cfg.kind) << " memory registered through " << to_string(outcome.used) << " after "
                         << outcome.attempts.size() << " attempt(s)";
    if (cfg.on_registration) cfg.on_registration(outcome.to_check(cfg.kind, cfg.target));
  } catch (const RegistrationError& e) {
    if (cfg.on_registration) cfg.on_registration(e.diagnosis().to_check());
    throw;
  }
  return mr;
}

class DeviceBuffer final : public verbs::Buffer {
 public:
  DeviceBuffer(cuda::DeviceMemory memory, cuda::Stream stream, const GpuMemoryConfig& cfg)
      : Buffer(memory.data(), memory.size()), memory_(std::move(memory)), stream_(std::move(stream)), cfg_(cfg) {}

  std::string_view kind() const noexcept override { return to_string(cfg_.kind); }
  bool host_accessible() const noexcept override { return false; }

  verbs::MemoryRegion register_memory(ibv_pd* pd, int access) override {
    // The dma-buf export (cuMemGetHandleForAddressRange) works in the current context: make the
    // buffer's GPU current, whichever GPU the caller last used.
    cuda::DeviceScope scope(memory_.device());
    return register_buffer(cfg_, pd, data(), size(), access);
  }
  void copy_in(std::size_t offset, std::span<const std::byte> src) override {
    check_range(offset, src.size());
    cuda::copy(at(offset), src.data(), src.size(), stream_);
  }
  void copy_out(std::size_t offset, std::span<std::byte> dst) const override {
    check_range(offset, dst.size());
    cuda::flush_gpudirect_writes(memory_.device());  // data may have just arrived by RDMA
    cuda::copy(dst.data(), at(offset), dst.size(), stream_);
  }
  void fill_pattern(std::size_t offset, std::size_t length, std::uint64_t seed) override {
    check_range(offset, length);
    cuda::fill_pattern(at(offset), length, seed, stream_);
  }
  std::optional<std::size_t> check_pattern(std::size_t offset, std::size_t length, std::uint64_t seed) const override {
    check_range(offset, length);
    cuda::flush_gpudirect_writes(memory_.device());
    return cuda::find_pattern_mismatch(at(offset), length, seed, stream_);
  }
  void zero(std::size_t offset, std::size_t length) override {
    check_range(offset, length);
    cuda::fill_zero(at(offset), length, stream_);
  }

 private:
  [[nodiscard]] std::byte* at(std::size_t offset) const noexcept { return static_cast<std::byte*>(data()) + offset; }
  cuda::DeviceMemory memory_;
  cuda::Stream stream_;
  GpuMemoryConfig cfg_;
};

class PinnedHostBuffer final : public verbs::Buffer {
 public:
  PinnedHostBuffer(cuda::PinnedHostMemory memory, const GpuMemoryConfig& cfg)
      : Buffer(memory.data(), memory.size()), memory_(std::move(memory)), cfg_(cfg) {}

  std::string_view kind() const noexcept override { return to_string(cfg_.kind); }
  bool host_accessible() const noexcept override { return true; }
  verbs::MemoryRegion register_memory(ibv_pd* pd, int access) override {
    return register_buffer(cfg_, pd, data(), size(), access);
  }
  void copy_in(std::size_t offset, std::span<const std::byte> src) override {
    check_range(offset, src.size());
    std::memcpy(at(offset), src.data(), src.size());
  }
  void copy_out(std::size_t offset, std::span<std::byte> dst) const override {
    check_range(offset, dst.size());
    std::memcpy(dst.data(), at(offset), dst.size());
  }
  void fill_pattern(std::size_t offset, std::size_t length, std::uint64_t seed) override {
    check_range(offset, length);
    verbs::fill_pattern({at(offset), length}, seed);
  }
  std::optional<std::size_t> check_pattern(std::size_t offset, std::size_t length, std::uint64_t seed) const override {
    check_range(offset, length);
    return verbs::find_pattern_mismatch({at(offset), length}, seed);
  }
  void zero(std::size_t offset, std::size_t length) override {
    check_range(offset, length);
    std::memset(at(offset), 0, length);
  }

 private:
  [[nodiscard]] std::byte* at(std::size_t offset) const noexcept { return static_cast<std::byte*>(data()) + offset; }
  cuda::PinnedHostMemory memory_;
  GpuMemoryConfig cfg_;
};

class GpuMemoryProvider final : public verbs::MemoryProvider {
 public:
  explicit GpuMemoryProvider(GpuMemoryConfig cfg) : cfg_(std::move(cfg)) {}
  std::string_view name() const noexcept override { return to_string(cfg_.kind); }
  std::unique_ptr<verbs::Buffer> allocate(std::size_t bytes) override {
    if (bytes == 0) bytes = 1;
    if (cfg_.kind == MemoryKind::cuda_host) {
      const std::size_t rounded = static_cast<std::size_t>(align_up(bytes, host_page_size()));
      return std::make_unique<PinnedHostBuffer>(cuda::PinnedHostMemory(cfg_.gpu, rounded), cfg_);
    }
    cuda::DeviceMemory memory(cfg_.gpu, bytes);
    cuda::Stream stream(cfg_.gpu);
    return std::make_unique<DeviceBuffer>(std::move(memory), std::move(stream), cfg_);
  }
  nlohmann::json describe() const override {
    nlohmann::json j{{"kind", std::string(to_string(cfg_.kind))}, {"gpu", cfg_.gpu}};
    if (!cfg_.target.gpu_bus_id.empty()) j["gpu_pci"] = cfg_.target.gpu_bus_id;
    return j;
  }

 private:
  GpuMemoryConfig cfg_;
};

}  // namespace

std::unique_ptr<verbs::MemoryProvider> make_gpu_memory_provider(GpuMemoryConfig config) {
  if (config.kind == MemoryKind::host)
    throw UsageError("make_gpu_memory_provider: host memory comes from verbs::make_host_memory_provider");
  if (auto blocked = cuda_blocker(config.caps))
    throw Error("--mem " + std::string(to_string(config.kind)) + ": " + blocked->reason + "; " + blocked->remedy);
  return std::make_unique<GpuMemoryProvider>(std::move(config));
}

std::optional<AttemptError> try_register(RegistrationPath path, ibv_pd* pd, void* addr, std::size_t length, int access,
                                         verbs::MemoryRegion& out) {
  switch (path) {
    case RegistrationPath::host:
    case RegistrationPath::peermem: {
      ibv_mr* mr = ::ibv_reg_mr(pd, addr, length, access);
      if (mr == nullptr) return errno_error("ibv_reg_mr", errno);
      out = verbs::MemoryRegion(mr);
      return std::nullopt;
    }
    case RegistrationPath::dmabuf: {
#if FABRICPERF_GDR_HAVE_REG_DMABUF
      const DmabufRange r = dmabuf_range(reinterpret_cast<std::uintptr_t>(addr), length, host_page_size());
      cuda::FileDescriptor fd;
      try {
        fd = cuda::export_dmabuf(reinterpret_cast<const void*>(r.export_base), r.export_length);
      } catch (const cuda::CudaError& e) {
        return AttemptError{e.call(), e.code(), e.what()};
      }
      // The memory region keeps its own reference to the dma-buf: the descriptor closes here.
      ibv_mr* mr = ::ibv_reg_dmabuf_mr(pd, r.offset, r.length, r.iova, fd.get(), access);
      if (mr == nullptr) return errno_error("ibv_reg_dmabuf_mr", errno);
      out = verbs::MemoryRegion(mr);
      return std::nullopt;
#else
      (void)pd, (void)addr, (void)length, (void)access, (void)out;
      return AttemptError{"ibv_reg_dmabuf_mr", ENOSYS, "not in the rdma-core fp_gdr was built with (needs >= 34)"};
#endif
    }
  }
  return AttemptError{"register", EINVAL, "unknown registration path"};
}

Tri probe_nic_dmabuf(ibv_pd* pd) {
#if FABRICPERF_GDR_HAVE_REG_DMABUF
  errno = 0;
  if (ibv_mr* mr = ::ibv_reg_dmabuf_mr(pd, 0, 4096, 0, -1, IBV_ACCESS_LOCAL_WRITE); mr != nullptr) {
    ::ibv_dereg_mr(mr);
    return Tri::yes;
  }
  const int e = errno;
  if (e == EOPNOTSUPP || e == EPROTONOSUPPORT || e == ENOSYS) return Tri::no;
  return e == 0 ? Tri::unknown : Tri::yes;
#else
  (void)pd;
  return Tri::no;
#endif
}

Tri probe_nic_dmabuf(const std::string& device) {
  try {
    verbs::DeviceList list;
    ibv_device* dev = list.find(device);
    if (dev == nullptr) return Tri::unknown;
    verbs::Context ctx(dev);
    verbs::ProtectionDomain pd(ctx.get());
    return probe_nic_dmabuf(pd.get());
  } catch (const Error&) {
    return Tri::unknown;
  }
}

void add_gpu_memory_providers(verbs::MemoryProviderRegistry& registry,
                              std::function<void(const Check&)> on_registration) {
  for (MemoryKind kind : {MemoryKind::cuda, MemoryKind::cuda_dmabuf, MemoryKind::cuda_peermem, MemoryKind::cuda_host}) {
    registry.add(std::string(to_string(kind)), [kind, on_registration](const std::string& argument) {
      GpuMemoryConfig cfg;
      cfg.kind = kind;
      if (!argument.empty()) {
        try {
          std::size_t used = 0;
          cfg.gpu = std::stoi(argument, &used);
          if (used != argument.size() || cfg.gpu < 0) throw std::invalid_argument(argument);
        } catch (const std::exception&) {
          throw UsageError("--memory " + std::string(to_string(kind)) + ":" + argument + ": expected a GPU index");
        }
      }
      probe_system_facts(cfg.caps);
      fill_cuda_capabilities(cfg.caps, cfg.gpu);
      cfg.target.gpu = cfg.gpu;
      if (cfg.caps.cuda_usable() && cfg.gpu < cfg.caps.cuda_devices)
        cfg.target.gpu_bus_id = cuda::describe_device(cfg.gpu).pci_bus_id;
      cfg.on_registration = on_registration;
      return make_gpu_memory_provider(std::move(cfg));
    });
  }
}

}  // namespace fabricperf::gdr
