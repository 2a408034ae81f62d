#pragma once
// Alignment rules for registering GPU memory. cuMemGetHandleForAddressRange wants a start
// address and a length aligned to the host page size, inside one allocation;
// ibv_reg_dmabuf_mr then registers [offset, offset+length) of that dma-buf at the buffer's
// virtual address (iova). nvidia-peermem pins GPU memory in 64 KiB GPU pages. Pure arithmetic.
#include <cstdint>

namespace fabricperf::gdr {

inline constexpr std::uint64_t kGpuPageSize = 64ULL << 10;

// Rounds up/down to a power-of-two alignment (alignment 0 or not a power of two: unchanged).
[[nodiscard]] constexpr bool is_power_of_two(std::uint64_t v) noexcept {
  return v != 0 && (v & (v - 1)) == 0;
}
[[nodiscard]] constexpr std::uint64_t align_down(std::uint64_t v, std::uint64_t a) noexcept {
  return is_power_of_two(a) ? v & ~(a - 1) : v;
}
[[nodiscard]] constexpr std::uint64_t align_up(std::uint64_t v, std::uint64_t a) noexcept {
  return is_power_of_two(a) ? (v + a - 1) & ~(a - 1) : v;
}

// What to export and register for the buffer [address, address+length).
struct DmabufRange {
  std::uint64_t export_base = 0;    // page-aligned start passed to cuMemGetHandleForAddressRange
  std::uint64_t export_length = 0;  // page-aligned length passed to it
  std::uint64_t offset = 0;         // ibv_reg_dmabuf_mr offset: address - export_base
  std::uint64_t length = 0;         // ibv_reg_dmabuf_mr length: the buffer's own length
  std::uint64_t iova = 0;           // ibv_reg_dmabuf_mr iova: the buffer's address
};

// The smallest page-aligned range covering the buffer. The caller must make sure that range
// lies inside one allocation (see DeviceLayout). `page_size` must be a power of two.
[[nodiscard]] DmabufRange dmabuf_range(std::uint64_t address, std::uint64_t length, std::uint64_t page_size) noexcept;

// Where to place a buffer of `length` bytes inside an allocation so that it starts on an
// `alignment` boundary and its aligned range stays inside the allocation, whatever alignment
// the allocator returned: allocate `allocation_bytes`, then use [allocation + lead, +length).
struct DeviceLayout {
  std::uint64_t allocation_bytes = 0;
  std::uint64_t usable_bytes = 0;  // length rounded up to the alignment
  std::uint64_t alignment = 0;
};
[[nodiscard]] DeviceLayout device_layout(std::uint64_t length, std::uint64_t alignment) noexcept;
// The buffer start inside an allocation at `allocation_address` (allocated with `layout`).
[[nodiscard]] std::uint64_t buffer_start(std::uint64_t allocation_address, const DeviceLayout& layout) noexcept;

// True when [inner, inner+inner_len) lies within [outer, outer+outer_len).
[[nodiscard]] constexpr bool range_within(std::uint64_t inner, std::uint64_t inner_len, std::uint64_t outer,
                                          std::uint64_t outer_len) noexcept {
  return inner >= outer && inner_len <= outer_len && inner - outer <= outer_len - inner_len;
}

}  // namespace fabricperf::gdr
