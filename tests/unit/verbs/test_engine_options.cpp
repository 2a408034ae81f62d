// The one place that turns engine options into engine configs: both engines get the same run
// fields from the same options.
#include <gtest/gtest.h>

#include "fabricperf/verbs/engine_options.hpp"

using namespace fabricperf::verbs;

TEST(EngineOptions, BothConfigsTakeTheSameRunFields) {
  EngineOptions o = bandwidth_defaults();
  o.duration_s = 8;
  o.inline_size = 64;
  o.validate = true;
  o.rx_depth = 99;
  o.tx_depth = 64;
  o.cq_mod = 7;
  const auto bw = bandwidth_config(o, Op::send, 64, 3, 12.5, 41);
  const auto lat = latency_config(o, Op::send, 128, 12.5, 41);
  EXPECT_DOUBLE_EQ(bw.warmup_s, 2);  // min(2, D/4)
  EXPECT_DOUBLE_EQ(lat.warmup_s, 2);
  EXPECT_TRUE(bw.use_inline);    // 64 fits -I 64
  EXPECT_FALSE(lat.use_inline);  // 128 does not
  EXPECT_TRUE(bw.validate && lat.validate);
  EXPECT_EQ(bw.rx_depth, 99U);
  EXPECT_EQ(lat.rx_depth, 99U);
  EXPECT_EQ(bw.epoch, 41U);
  EXPECT_DOUBLE_EQ(lat.timeout_s, 12.5);
  EXPECT_EQ(bw.tx_depth, 64U);
  EXPECT_EQ(bw.cq_mod, 7U);
  EXPECT_EQ(bw.slots, 3U);
}
