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
  EXPECT_DOUBLE_EQ(bw.window_s, 0.1);  // the default window, 100 ms
}

TEST(EngineOptions, WindowFromTheCommandLineReachesTheConfigAndTheParams) {
  CLI::App app;
  EngineOptions o = bandwidth_defaults();
  add_bandwidth_options(app, o);
  const char* argv[] = {"fp_bw", "--window-ms", "250", "-D", "2"};
  app.parse(5, argv);
  EXPECT_DOUBLE_EQ(bandwidth_config(o, Op::write, 65536, 1, 30, 1).window_s, 0.25);
  EXPECT_DOUBLE_EQ(engine_params(o, true).at("window_ms").get<double>(), 250);
  EXPECT_FALSE(engine_params(o, false).contains("window_ms"));
  for (const char* bad : {"0", "-5", "nan", "1e9"}) {
    CLI::App again;
    EngineOptions p = bandwidth_defaults();
    add_bandwidth_options(again, p);
    const char* args[] = {"fp_bw", "--window-ms", bad};
    EXPECT_THROW(again.parse(3, args), CLI::ParseError) << bad;
  }
}
