#pragma once
// Where message buffers live. Engines only see Buffer: an address range the NIC reads and
// writes, how to register it, and how to fill/check the --validate pattern in it. Host memory
// and huge pages are here; GPU memory (fp_gdr) is another MemoryProvider whose Buffer
// overrides register_memory (ibv_reg_dmabuf_mr / nvidia-peermem), copy_in and copy_out.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fabricperf/verbs/handles.hpp"

namespace fabricperf::verbs {

class Buffer {
 public:
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  virtual ~Buffer() = default;

  // The address the NIC uses (a virtual address in this process; for device memory the
  // device pointer) and the usable size.
  [[nodiscard]] void* data() const noexcept { return data_; }
  [[nodiscard]] std::uint64_t address() const noexcept { return reinterpret_cast<std::uintptr_t>(data_); }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

  [[nodiscard]] virtual std::string_view kind() const noexcept = 0;  // "host", "hugepage", "cuda", ...
  // True when the CPU may load/store data() directly (polled-memory latency needs it).
  [[nodiscard]] virtual bool host_accessible() const noexcept = 0;

  // Registers [data, data+size) with `access`. Default: ibv_reg_mr. Device memory overrides
  // (e.g. ibv_reg_dmabuf_mr and MemoryRegion(ibv_mr*)).
  [[nodiscard]] virtual MemoryRegion register_memory(ibv_pd* pd, int access);

  // Host <-> buffer copies (memcpy for host memory, cudaMemcpy for GPU memory).
  virtual void copy_in(std::size_t offset, std::span<const std::byte> src) = 0;
  virtual void copy_out(std::size_t offset, std::span<std::byte> dst) const = 0;

  // --validate: write the pattern of `seed` into [offset, offset+length); find the first byte
  // there that differs from it (offset relative to `offset`). Defaults go through copy_in /
  // copy_out with a staging buffer; host buffers work in place.
  virtual void fill_pattern(std::size_t offset, std::size_t length, std::uint64_t seed);
  [[nodiscard]] virtual std::optional<std::size_t> check_pattern(std::size_t offset, std::size_t length,
                                                                 std::uint64_t seed) const;
  virtual void zero(std::size_t offset, std::size_t length);

 protected:
  Buffer(void* data, std::size_t size) noexcept : data_(data), size_(size) {}
  void check_range(std::size_t offset, std::size_t length) const;

 private:
  void* data_;
  std::size_t size_;
  mutable std::vector<std::byte> staging_;
};

// Registers `buffer` on `pd` (Buffer::register_memory) and logs it at trace level: what for
// (`purpose`), size, memory kind, access flags, device, lkey/rkey.
[[nodiscard]] MemoryRegion register_buffer(Buffer& buffer, ibv_pd* pd, int access, std::string_view purpose);
// "LOCAL_WRITE|REMOTE_WRITE|REMOTE_READ" ("none" for 0).
[[nodiscard]] std::string access_flags_text(int access);

class MemoryProvider {
 public:
  virtual ~MemoryProvider() = default;
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  // A zeroed buffer of at least `bytes` (>0). Throws Error naming the size on failure.
  [[nodiscard]] virtual std::unique_ptr<Buffer> allocate(std::size_t bytes) = 0;
  // For the result document's params ({"memory": ...}).
  [[nodiscard]] virtual nlohmann::json describe() const { return {{"kind", std::string(name())}}; }
};

// Page-aligned malloc'd host memory (alignment: a power of two, at least the page size).
[[nodiscard]] std::unique_ptr<MemoryProvider> make_host_memory_provider(std::size_t alignment = 0);
// 2 MiB huge pages (MAP_HUGETLB); allocation fails with a clear error when none are reserved.
[[nodiscard]] std::unique_ptr<MemoryProvider> make_hugepage_memory_provider();

// Providers selectable by name on the command line (--memory). "host" and "hugepage" are built
// in; other libraries (fp_gdr's "cuda") add theirs before parsing options.
using MemoryProviderFactory = std::function<std::unique_ptr<MemoryProvider>(const std::string& argument)>;
class MemoryProviderRegistry {
 public:
  MemoryProviderRegistry();  // with host and hugepage
  void add(std::string name, MemoryProviderFactory factory);
  // "host", "hugepage", "cuda:1" (the part after ':' is the factory's argument).
  [[nodiscard]] std::unique_ptr<MemoryProvider> create(const std::string& spec) const;
  [[nodiscard]] std::vector<std::string> names() const;

 private:
  std::vector<std::pair<std::string, MemoryProviderFactory>> factories_;
};

}  // namespace fabricperf::verbs
