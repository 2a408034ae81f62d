#include "fabricperf/verbs/memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "fabricperf/error.hpp"
#include "fabricperf/log.hpp"
#include "fabricperf/sizes.hpp"
#include "fabricperf/verbs/pattern.hpp"

namespace fabricperf::verbs {

MemoryRegion Buffer::register_memory(ibv_pd* pd, int access) { return MemoryRegion(pd, data(), size(), access); }

std::string access_flags_text(int access) {
  static constexpr std::pair<int, const char*> kFlags[] = {{IBV_ACCESS_LOCAL_WRITE, "LOCAL_WRITE"},
                                                           {IBV_ACCESS_REMOTE_WRITE, "REMOTE_WRITE"},
                                                           {IBV_ACCESS_REMOTE_READ, "REMOTE_READ"},
                                                           {IBV_ACCESS_REMOTE_ATOMIC, "REMOTE_ATOMIC"},
                                                           {IBV_ACCESS_RELAXED_ORDERING, "RELAXED_ORDERING"}};
  std::string text;
  for (const auto& [flag, name] : kFlags)
    if ((access & flag) != 0) text += (text.empty() ? "" : "|") + std::string(name);
  return text.empty() ? "none" : text;
}

MemoryRegion register_buffer(Buffer& buffer, ibv_pd* pd, int access, std::string_view purpose) {
  FP_LOG(trace, "verbs") << "registering " << purpose << ": " << format_size(buffer.size()) << " of " << buffer.kind()
                         << " memory on " << pd->context->device->name << ", access " << access_flags_text(access);
  MemoryRegion mr = buffer.register_memory(pd, access);
  FP_LOG(trace, "verbs") << "MR registered: " << purpose << ", " << buffer.size() << " bytes of " << buffer.kind()
                         << " memory at 0x" << std::hex << buffer.address() << std::dec << " on "
                         << pd->context->device->name << ", lkey 0x" << std::hex << mr.lkey() << " rkey 0x"
                         << mr.rkey();
  return mr;
}

void Buffer::check_range(std::size_t offset, std::size_t length) const {
  if (offset > size_ || length > size_ - offset)
    throw Error("buffer range [" + std::to_string(offset) + ", +" + std::to_string(length) + ") outside a " +
                std::to_string(size_) + "-byte " + std::string(kind()) + " buffer");
}

void Buffer::fill_pattern(std::size_t offset, std::size_t length, std::uint64_t seed) {
  check_range(offset, length);
  staging_.resize(length);
  verbs::fill_pattern(staging_, seed);
  copy_in(offset, staging_);
}

std::optional<std::size_t> Buffer::check_pattern(std::size_t offset, std::size_t length, std::uint64_t seed) const {
  check_range(offset, length);
  staging_.resize(length);
  copy_out(offset, staging_);
  return find_pattern_mismatch(staging_, seed);
}

void Buffer::zero(std::size_t offset, std::size_t length) {
  check_range(offset, length);
  staging_.assign(length, std::byte{0});
  copy_in(offset, staging_);
}

namespace {

std::size_t page_size() { return static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)); }
std::size_t round_up(std::size_t n, std::size_t a) { return (n + a - 1) / a * a; }

// Host memory the CPU reads and writes in place.
class HostBufferBase : public Buffer {
 public:
  using Buffer::Buffer;
  bool host_accessible() const noexcept override { return true; }
  void copy_in(std::size_t offset, std::span<const std::byte> src) override {
    check_range(offset, src.size());
    std::memcpy(static_cast<std::byte*>(data()) + offset, src.data(), src.size());
  }
  void copy_out(std::size_t offset, std::span<std::byte> dst) const override {
    check_range(offset, dst.size());
    std::memcpy(dst.data(), static_cast<const std::byte*>(data()) + offset, dst.size());
  }
  void fill_pattern(std::size_t offset, std::size_t length, std::uint64_t seed) override {
    check_range(offset, length);
    verbs::fill_pattern({static_cast<std::byte*>(data()) + offset, length}, seed);
  }
  std::optional<std::size_t> check_pattern(std::size_t offset, std::size_t length,
                                           std::uint64_t seed) const override {
    check_range(offset, length);
    return find_pattern_mismatch({static_cast<const std::byte*>(data()) + offset, length}, seed);
  }
  void zero(std::size_t offset, std::size_t length) override {
    check_range(offset, length);
    std::memset(static_cast<std::byte*>(data()) + offset, 0, length);
  }
};

class HostBuffer final : public HostBufferBase {
 public:
  HostBuffer(void* p, std::size_t n) : HostBufferBase(p, n) {}
  ~HostBuffer() override { std::free(data()); }
  std::string_view kind() const noexcept override { return "host"; }
};

class HugePageBuffer final : public HostBufferBase {
 public:
  HugePageBuffer(void* p, std::size_t n, std::size_t mapped) : HostBufferBase(p, n), mapped_(mapped) {}
  ~HugePageBuffer() override { ::munmap(data(), mapped_); }
  std::string_view kind() const noexcept override { return "hugepage"; }

 private:
  std::size_t mapped_;
};

class HostMemoryProvider final : public MemoryProvider {
 public:
  explicit HostMemoryProvider(std::size_t alignment) : alignment_(alignment) {}
  std::string_view name() const noexcept override { return "host"; }
  std::unique_ptr<Buffer> allocate(std::size_t bytes) override {
    if (bytes == 0) bytes = 1;
    const std::size_t rounded = round_up(bytes, alignment_);
    void* p = std::aligned_alloc(alignment_, rounded);
    if (p == nullptr) throw Error("allocating " + std::to_string(rounded) + " bytes of host memory failed");
    std::memset(p, 0, rounded);
    return std::make_unique<HostBuffer>(p, rounded);
  }
  nlohmann::json describe() const override { return {{"kind", "host"}, {"alignment_bytes", alignment_}}; }

 private:
  std::size_t alignment_;
};

class HugePageMemoryProvider final : public MemoryProvider {
 public:
  std::string_view name() const noexcept override { return "hugepage"; }
  std::unique_ptr<Buffer> allocate(std::size_t bytes) override {
    constexpr std::size_t kHuge = 2U << 20;
    const std::size_t mapped = round_up(bytes == 0 ? 1 : bytes, kHuge);
    void* p = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
    if (p == MAP_FAILED)
      throw_errno("allocating " + std::to_string(mapped) +
                      " bytes of 2 MiB huge pages (reserve some: echo N > /proc/sys/vm/nr_hugepages)",
                  errno);
    return std::make_unique<HugePageBuffer>(p, mapped, mapped);
  }
};

}  // namespace

std::unique_ptr<MemoryProvider> make_host_memory_provider(std::size_t alignment) {
  const std::size_t page = page_size();
  if (alignment < page) alignment = page;
  if ((alignment & (alignment - 1)) != 0) throw UsageError("alignment must be a power of two");
  return std::make_unique<HostMemoryProvider>(alignment);
}

std::unique_ptr<MemoryProvider> make_hugepage_memory_provider() { return std::make_unique<HugePageMemoryProvider>(); }

MemoryProviderRegistry::MemoryProviderRegistry() {
  add("host", [](const std::string&) { return make_host_memory_provider(); });
  add("hugepage", [](const std::string&) { return make_hugepage_memory_provider(); });
}

void MemoryProviderRegistry::add(std::string name, MemoryProviderFactory factory) {
  factories_.emplace_back(std::move(name), std::move(factory));
}

std::unique_ptr<MemoryProvider> MemoryProviderRegistry::create(const std::string& spec) const {
  const auto colon = spec.find(':');
  const std::string name = spec.substr(0, colon);
  const std::string arg = colon == std::string::npos ? "" : spec.substr(colon + 1);
  for (const auto& [n, f] : factories_)
    if (n == name) return f(arg);
  std::string known;
  for (const auto& [n, f] : factories_) known += (known.empty() ? "" : ", ") + n;
  throw UsageError("unknown memory kind '" + spec + "' (known: " + known + ")");
}

std::vector<std::string> MemoryProviderRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [n, f] : factories_) out.push_back(n);
  return out;
}

}  // namespace fabricperf::verbs
