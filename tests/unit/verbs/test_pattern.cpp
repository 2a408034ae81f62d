#include <gtest/gtest.h>

#include <vector>

#include "fabricperf/error.hpp"
#include "fabricperf/verbs/memory.hpp"
#include "fabricperf/verbs/pattern.hpp"
#include "fabricperf/verbs/validation.hpp"

using namespace fabricperf::verbs;

TEST(Pattern, FillThenCheckMatches) {
  for (std::size_t n : {1U, 7U, 8U, 9U, 4096U, 65537U}) {
    std::vector<std::byte> buf(n);
    fill_pattern(buf, 42);
    EXPECT_FALSE(find_pattern_mismatch(buf, 42)) << n;
  }
}

TEST(Pattern, ReportsFirstBadOffset) {
  std::vector<std::byte> buf(1000);
  fill_pattern(buf, 7);
  buf[613] ^= std::byte{0x01};
  buf[900] ^= std::byte{0xff};
  const auto bad = find_pattern_mismatch(buf, 7);
  ASSERT_TRUE(bad);
  EXPECT_EQ(*bad, 613U);
  // The pattern depends on the offset: data shifted by 8 bytes does not pass.
  std::vector<std::byte> shifted(buf.begin() + 8, buf.end());
  EXPECT_EQ(find_pattern_mismatch(shifted, 7).value_or(12345), 0U);
}

TEST(Pattern, SeedsDiffer) {
  std::vector<std::byte> a(256), b(256);
  fill_pattern(a, message_seed(1, 0, 5));
  fill_pattern(b, message_seed(1, 0, 6));
  EXPECT_NE(a, b);
  const auto bad = find_pattern_mismatch(a, message_seed(1, 0, 6));
  ASSERT_TRUE(bad);
  EXPECT_LT(*bad, 8U);  // a stale message fails in its first word
  std::vector<std::byte> c(256);
  fill_pattern(c, poison_seed(message_seed(1, 0, 5)));
  EXPECT_EQ(*find_pattern_mismatch(c, message_seed(1, 0, 5)), 0U);
  EXPECT_NE(message_seed(1, 0, 0), message_seed(1, 1, 0));
  EXPECT_NE(message_seed(1, 0, 0), message_seed(2, 0, 0));
}

TEST(Pattern, HostBufferFillAndCheckRanges) {
  auto provider = make_host_memory_provider();
  auto buf = provider->allocate(10000);
  ASSERT_GE(buf->size(), 10000U);
  EXPECT_TRUE(buf->host_accessible());
  EXPECT_EQ(buf->kind(), "host");
  buf->fill_pattern(100, 5000, 99);
  EXPECT_FALSE(buf->check_pattern(100, 5000, 99));
  static_cast<std::byte*>(buf->data())[100 + 4321] = std::byte{0};
  static_cast<std::byte*>(buf->data())[100 + 4322] ^= std::byte{1};
  const auto bad = buf->check_pattern(100, 5000, 99);
  ASSERT_TRUE(bad);
  EXPECT_GE(*bad, 4321U);
  EXPECT_LE(*bad, 4322U);
  EXPECT_THROW(buf->fill_pattern(buf->size() - 10, 11, 1), fabricperf::Error);
  buf->zero(0, buf->size());
  EXPECT_EQ(*buf->check_pattern(100, 5000, 99), 0U);
}

// A buffer the CPU cannot touch: the base-class fill/check go through copy_in/copy_out, as a
// GPU provider's would.
namespace {
class StagedBuffer final : public Buffer {
 public:
  explicit StagedBuffer(std::size_t n) : Buffer(nullptr, n), shadow_(n) {}
  std::string_view kind() const noexcept override { return "staged"; }
  bool host_accessible() const noexcept override { return false; }
  void copy_in(std::size_t offset, std::span<const std::byte> src) override {
    std::copy(src.begin(), src.end(), shadow_.begin() + static_cast<std::ptrdiff_t>(offset));
  }
  void copy_out(std::size_t offset, std::span<std::byte> dst) const override {
    std::copy_n(shadow_.begin() + static_cast<std::ptrdiff_t>(offset), dst.size(), dst.begin());
  }
  std::vector<std::byte> shadow_;
};
}  // namespace

TEST(Pattern, StagedBufferUsesCopies) {
  StagedBuffer b(4096);
  b.fill_pattern(10, 1000, 3);
  EXPECT_FALSE(b.check_pattern(10, 1000, 3));
  b.shadow_[10 + 17] ^= std::byte{4};
  EXPECT_EQ(*b.check_pattern(10, 1000, 3), 17U);
  b.zero(0, 4096);
  EXPECT_EQ(b.shadow_[27], std::byte{0});
}

TEST(Validation, OutcomeKeepsFirstMismatch) {
  ValidationOutcome v;
  v.enabled = true;
  v.record_ok();
  v.record_mismatch(1, 5, 17);
  v.record_mismatch(0, 9, 3);
  EXPECT_FALSE(v.passed());
  EXPECT_EQ(v.messages_checked, 3U);
  EXPECT_EQ(*v.first_bad_offset, 17U);
  EXPECT_EQ(v.first_bad_iteration, 5U);
  EXPECT_NE(v.describe().find("offset 17"), std::string::npos);
  const auto back = ValidationOutcome::from_json(v.to_json());
  EXPECT_EQ(back.mismatched_messages, 2U);
  EXPECT_EQ(*back.first_bad_offset, 17U);
  ValidationOutcome w;
  w.enabled = true;
  w.record_ok();
  w.merge(v);
  EXPECT_EQ(w.messages_checked, 4U);
  EXPECT_EQ(w.first_bad_qp, 1U);
}
