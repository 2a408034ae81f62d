#include <gtest/gtest.h>

#include "fabricperf/verbs/rate.hpp"

using namespace fabricperf::verbs;

TEST(Rate, SpeedTimesWidth) {
  EXPECT_DOUBLE_EQ(line_rate_gbps(32, 2), 100.0);   // 4X EDR
  EXPECT_DOUBLE_EQ(line_rate_gbps(64, 2), 200.0);   // 4X HDR
  EXPECT_DOUBLE_EQ(line_rate_gbps(128, 2), 400.0);  // 4X NDR
  EXPECT_DOUBLE_EQ(line_rate_gbps(64, 1), 50.0);    // 1X HDR
  EXPECT_DOUBLE_EQ(line_rate_gbps(128, 16), 200.0); // 2X NDR
  EXPECT_DOUBLE_EQ(line_rate_gbps(4, 8), 120.0);    // 12X QDR
  EXPECT_DOUBLE_EQ(line_rate_gbps(1, 1), 2.5);      // 1X SDR
  EXPECT_DOUBLE_EQ(line_rate_gbps(16, 2), 56.0);    // 4X FDR
  EXPECT_DOUBLE_EQ(line_rate_gbps(3, 2), 0.0);      // unknown speed
  EXPECT_DOUBLE_EQ(line_rate_gbps(32, 3), 0.0);     // unknown width
}

TEST(Rate, Names) {
  EXPECT_EQ(rate_name(32, 2), "4X EDR");
  EXPECT_EQ(rate_name(128, 16), "2X NDR");
  EXPECT_EQ(rate_name(7, 2), "");
}

TEST(Rate, MtuConversions) {
  for (int b : {256, 512, 1024, 2048, 4096}) {
    const auto m = mtu_from_bytes(b);
    ASSERT_TRUE(m) << b;
    EXPECT_EQ(mtu_to_bytes(*m), b);
  }
  EXPECT_FALSE(mtu_from_bytes(1500));
  EXPECT_FALSE(mtu_from_bytes(0));
  EXPECT_EQ(mtu_to_bytes(static_cast<ibv_mtu>(9)), 0);
}
