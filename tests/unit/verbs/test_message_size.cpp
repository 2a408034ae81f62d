#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <string>

#include "fabricperf/error.hpp"
#include "fabricperf/verbs/bandwidth_engine.hpp"
#include "fabricperf/verbs/latency_engine.hpp"
#include "fabricperf/verbs/message_size.hpp"

namespace fv = fabricperf::verbs;

namespace {
std::string usage_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const fabricperf::UsageError& e) {
    return e.what();
  }
  return "(no UsageError)";
}
}  // namespace

// An ibv_sge length is 32 bits: 4 GiB would post 0 bytes and 5 GiB 1 GiB. Both are refused.
TEST(MessageSize, RefusesWhatOneWorkRequestCannotCarry) {
  EXPECT_NO_THROW(fv::check_message_size(1));
  EXPECT_NO_THROW(fv::check_message_size(0xffffffffULL));
  EXPECT_NE(usage_error([] { fv::check_message_size(4ULL << 30); }).find("message size 4G is above 4294967295 bytes"),
            std::string::npos);
  EXPECT_NE(usage_error([] { fv::check_message_size(5ULL << 30); }).find("message size 5G"), std::string::npos);
  EXPECT_THROW((void)fv::sge_length(4ULL << 30), fabricperf::UsageError);
  EXPECT_EQ(fv::sge_length(1U << 30), 1U << 30);
}

TEST(MessageSize, RefusesSizesAboveThePortsMaximum) {
  const std::uint64_t port_max = 1ULL << 30;  // ibv_port_attr.max_msg_sz
  EXPECT_NO_THROW(fv::check_message_size(port_max, port_max, "mlx5_0 port 1"));
  const auto e = usage_error([&] { fv::check_message_size(port_max + 1, port_max, "mlx5_0 port 1"); });
  EXPECT_NE(e.find("maximum message size of mlx5_0 port 1 (1073741824 bytes)"), std::string::npos) << e;
  EXPECT_NO_THROW(fv::check_message_size(2ULL << 30, 0, "unknown limit"));
}

TEST(MessageSize, BufferSizesDoNotWrap) {
  EXPECT_EQ(fv::checked_bytes(1ULL << 20, 64, "QP region"), std::size_t{64} << 20);
  const auto e = usage_error([] { (void)fv::checked_bytes(1ULL << 40, 1ULL << 30, "QP region"); });
  EXPECT_NE(e.find("QP region"), std::string::npos) << e;
  // slot_stride saturates instead of wrapping to a tiny stride near 2^64.
  const std::uint64_t huge = std::numeric_limits<std::uint64_t>::max() - 10;
  EXPECT_GE(fv::slot_stride(huge, false), std::size_t{1} << 62);
  EXPECT_GE(fv::slot_stride(huge, true), std::size_t{1} << 62);
  EXPECT_EQ(fv::slot_stride(100, false), 128U);
  EXPECT_EQ(fv::slot_stride(100, true), 192U);
  EXPECT_GE(fv::latency_region_bytes(huge, false), std::size_t{1} << 62);
}
