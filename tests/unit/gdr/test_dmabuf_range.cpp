#include <gtest/gtest.h>

#include "fabricperf/gdr/dmabuf_range.hpp"

using namespace fabricperf::gdr;

TEST(DmabufRange, AlignedBufferExportsItself) {
  const auto r = dmabuf_range(0x7f0000000000, 1 << 20, 4096);
  EXPECT_EQ(r.export_base, 0x7f0000000000u);
  EXPECT_EQ(r.export_length, 1u << 20);
  EXPECT_EQ(r.offset, 0u);
  EXPECT_EQ(r.length, 1u << 20);
  EXPECT_EQ(r.iova, 0x7f0000000000u);
}

TEST(DmabufRange, UnalignedStartAndEndWidenToPagesAndKeepTheOffset) {
  // Buffer at +0x123 into a page, 5000 bytes long: pages [base, base + 8192).
  const std::uint64_t page = 4096, base = 0x10000000;
  const auto r = dmabuf_range(base + 0x123, 5000, page);
  EXPECT_EQ(r.export_base, base);
  EXPECT_EQ(r.offset, 0x123u);
  EXPECT_EQ(r.export_length, 8192u);
  EXPECT_EQ(r.length, 5000u);
  EXPECT_EQ(r.iova, base + 0x123);
  EXPECT_EQ(r.export_base % page, 0u);
  EXPECT_EQ(r.export_length % page, 0u);
  EXPECT_TRUE(range_within(r.export_base + r.offset, r.length, r.export_base, r.export_length));
}

TEST(DmabufRange, EndingExactlyOnAPageBoundaryAddsNoPage) {
  const auto r = dmabuf_range(0x10000f00, 0x100, 4096);
  EXPECT_EQ(r.export_base, 0x10000000u);
  EXPECT_EQ(r.export_length, 4096u);
  const auto r2 = dmabuf_range(0x10000f00, 0x101, 4096);
  EXPECT_EQ(r2.export_length, 8192u);
}

TEST(DmabufRange, LargePagesAndOneByte) {
  const auto r = dmabuf_range(0x200001, 1, 64 << 10);
  EXPECT_EQ(r.export_base, 0x200000u);
  EXPECT_EQ(r.export_length, 64u << 10);
  EXPECT_EQ(r.offset, 1u);
}

TEST(DmabufRange, AlignHelpers) {
  EXPECT_EQ(align_up(0, 4096), 0u);
  EXPECT_EQ(align_up(1, 4096), 4096u);
  EXPECT_EQ(align_up(4096, 4096), 4096u);
  EXPECT_EQ(align_down(8191, 4096), 4096u);
  EXPECT_TRUE(is_power_of_two(65536));
  EXPECT_FALSE(is_power_of_two(0));
  EXPECT_FALSE(is_power_of_two(12288));
  EXPECT_EQ(align_up(5, 3), 5u);  // not a power of two: unchanged
  EXPECT_TRUE(range_within(10, 5, 10, 5));
  EXPECT_FALSE(range_within(9, 5, 10, 5));
  EXPECT_FALSE(range_within(11, 5, 10, 5));
  EXPECT_FALSE(range_within(10, 6, 10, 5));
}

// Whatever address the allocator returns, the buffer placed by device_layout starts on the
// alignment, its usable length is a multiple of it, and the page-aligned export range of the
// buffer lies inside the allocation.
TEST(DeviceLayout, BufferAndExportRangeStayInsideAnyAllocation) {
  const std::uint64_t page = 4096;
  for (std::uint64_t length : {1ULL, 4095ULL, 4096ULL, 65536ULL, 65537ULL, (8ULL << 20) + 3}) {
    const DeviceLayout l = device_layout(length, kGpuPageSize);
    EXPECT_EQ(l.usable_bytes % kGpuPageSize, 0u);
    EXPECT_GE(l.usable_bytes, length);
    for (std::uint64_t alloc : {0x7f0000000000ULL, 0x7f0000000100ULL, 0x7f000000fe00ULL, 0x7f0000010000ULL - 8}) {
      const std::uint64_t start = buffer_start(alloc, l);
      EXPECT_EQ(start % kGpuPageSize, 0u);
      EXPECT_TRUE(range_within(start, l.usable_bytes, alloc, l.allocation_bytes)) << length << " @" << alloc;
      const auto r = dmabuf_range(start, l.usable_bytes, page);
      EXPECT_EQ(r.offset, 0u);
      EXPECT_TRUE(range_within(r.export_base, r.export_length, alloc, l.allocation_bytes));
    }
  }
}

TEST(DeviceLayout, ZeroLengthStillGetsAPageAndBadAlignmentFallsBackToGpuPages) {
  const DeviceLayout l = device_layout(0, 4096);
  EXPECT_EQ(l.usable_bytes, 4096u);
  const DeviceLayout l2 = device_layout(100, 3000);
  EXPECT_EQ(l2.alignment, kGpuPageSize);
}
