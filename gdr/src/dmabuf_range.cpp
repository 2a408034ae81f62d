#include "fabricperf/gdr/dmabuf_range.hpp"

namespace fabricperf::gdr {

DmabufRange dmabuf_range(std::uint64_t address, std::uint64_t length, std::uint64_t page_size) noexcept {
  DmabufRange r;
  r.export_base = align_down(address, page_size);
  r.export_length = align_up(address + length, page_size) - r.export_base;
  r.offset = address - r.export_base;
  r.length = length;
  r.iova = address;
  return r;
}

DeviceLayout device_layout(std::uint64_t length, std::uint64_t alignment) noexcept {
  DeviceLayout l;
  l.alignment = is_power_of_two(alignment) ? alignment : kGpuPageSize;
  l.usable_bytes = align_up(length == 0 ? 1 : length, l.alignment);
  // The allocator may return any address: reserve one alignment unit of slack in front.
  l.allocation_bytes = l.usable_bytes + l.alignment;
  return l;
}

std::uint64_t buffer_start(std::uint64_t allocation_address, const DeviceLayout& layout) noexcept {
  return align_up(allocation_address, layout.alignment);
}

}  // namespace fabricperf::gdr
