#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/verbs/memlock.hpp"
#include "fabricperf/verbs/metrics.hpp"
#include "fabricperf/verbs/ops.hpp"

using namespace fabricperf;
using namespace fabricperf::verbs;

TEST(Metrics, BandwidthUnits) {
  EXPECT_DOUBLE_EQ(bandwidth_gbps(125'000'000, 1.0), 1.0);
  EXPECT_DOUBLE_EQ(bandwidth_gbps(1, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(message_rate_mpps(2'000'000, 2.0), 1.0);
  EXPECT_DOUBLE_EQ(bandwidth_MiBps(1048576, 0.5), 2.0);
  EXPECT_DOUBLE_EQ(*line_rate_pct(50, 200), 25.0);
  EXPECT_FALSE(line_rate_pct(50, 0));
}

// Recorded timestamps in ticks of 1 ns (1e9 ticks per second).
TEST(Metrics, AverageIsFirstPostToLastCompletion) {
  const std::vector<CompletionSample> s{{1'000'000, 100}, {2'000'000, 200}, {3'000'000, 300}, {11'000'000, 1000}};
  const auto f = compute_bandwidth(s, 1'000'000 - 1'000'000, 0, 4096, 1e9);
  // 1000 messages of 4096 bytes in 11 ms.
  EXPECT_EQ(f.messages, 1000U);
  EXPECT_EQ(f.bytes, 4'096'000U);
  EXPECT_NEAR(f.seconds, 0.011, 1e-12);
  EXPECT_NEAR(f.bw_avg_gbps, 4'096'000 * 8 / 0.011 / 1e9, 1e-9);
  EXPECT_NEAR(f.msg_rate_mpps, 1000 / 0.011 / 1e6, 1e-9);
  EXPECT_GE(f.bw_peak_gbps, f.bw_avg_gbps);
}

TEST(Metrics, PeakIsTheBestWindowOfAMinimumLength) {
  // 100 msgs/ms, then a burst of 400 msgs in 1 ms, then slow; plus two samples 1 ns apart.
  const std::vector<CompletionSample> s{
      {0, 0}, {1'000'000, 100}, {2'000'000, 500}, {2'000'001, 600}, {10'000'000, 700}};
  EXPECT_DOUBLE_EQ(peak_message_rate(s, 1'000'000, 1e9), 400'000.0);  // 1..2 ms: 400 msgs
  EXPECT_DOUBLE_EQ(peak_message_rate(s, 2'000'000, 1e9), 250'000.0);  // 0..2 ms
  EXPECT_DOUBLE_EQ(peak_message_rate(s, 10'000'000, 1e9), 70'000.0);  // the whole run
  EXPECT_DOUBLE_EQ(peak_message_rate(s, 20'000'000, 1e9), 0.0);       // nothing that long
  EXPECT_DOUBLE_EQ(peak_message_rate(std::span<const CompletionSample>(s).first(1), 1, 1e9), 0.0);
}

TEST(Metrics, BurstsDoNotInflateThePeak) {
  // Completions polled in bursts: pairs of samples 10 ns apart every 1 ms, 100 msgs each.
  std::vector<CompletionSample> s;
  for (std::uint64_t k = 1; k <= 100; ++k) {
    s.push_back({k * 1'000'000, k * 100 - 50});
    s.push_back({k * 1'000'000 + 10, k * 100});
  }
  const auto f = compute_bandwidth(s, 0, 0, 1000, 1e9);
  EXPECT_NEAR(f.bw_avg_gbps, 100e3 * 1000 * 8 / 1e9, 1e-6);  // 100k msgs/s
  EXPECT_LT(f.bw_peak_gbps, f.bw_avg_gbps * 1.2);
}

TEST(Metrics, DurationWindowStartsAfterWarmup) {
  // Window starts at t=5 ms with 500 messages done; ends at 15 ms with 1500.
  const std::vector<CompletionSample> s{{10'000'000, 1000}, {15'000'000, 1500}};
  const auto f = compute_bandwidth(s, 5'000'000, 500, 1000, 1e9);
  EXPECT_EQ(f.messages, 1000U);
  EXPECT_NEAR(f.seconds, 0.010, 1e-12);
  EXPECT_NEAR(f.bw_avg_gbps, 1000.0 * 1000 * 8 / 0.010 / 1e9, 1e-9);
}

TEST(Metrics, EmptyOrBackwardsGivesZero) {
  EXPECT_EQ(compute_bandwidth({}, 0, 0, 64, 1e9).bytes, 0U);
  const std::vector<CompletionSample> s{{5, 10}};
  EXPECT_EQ(compute_bandwidth(s, 10, 0, 64, 1e9).bytes, 0U);
}

TEST(Metrics, LatencySamples) {
  const std::vector<std::uint64_t> post{0, 10'000, 30'000};
  const std::vector<std::uint64_t> done{4'000, 12'000, 29'000};  // last is backwards: 0
  const auto half = latency_samples_us(post, done, 1000.0, 2.0);  // 1000 ticks per us
  ASSERT_EQ(half.size(), 3U);
  EXPECT_DOUBLE_EQ(half[0], 2.0);
  EXPECT_DOUBLE_EQ(half[1], 1.0);
  EXPECT_DOUBLE_EQ(half[2], 0.0);
  const auto full = latency_samples_us(post, done, 1000.0, 1.0);
  EXPECT_DOUBLE_EQ(full[0], 4.0);
  EXPECT_THROW((void)latency_samples_us(post, std::span<const std::uint64_t>(done).first(2), 1000.0, 1.0), Error);
}

TEST(Memlock, Decision) {
  MemlockLimit l;
  l.bytes = 8 << 20;
  EXPECT_EQ(memlock_problem(l, 4 << 20), "");
  const auto msg = memlock_problem(l, 64ULL << 20);
  EXPECT_NE(msg.find("64 MiB"), std::string::npos) << msg;
  EXPECT_NE(msg.find("ulimit -l"), std::string::npos) << msg;
  EXPECT_NE(msg.find("8192 KiB"), std::string::npos) << msg;
  l.privileged = true;
  EXPECT_EQ(memlock_problem(l, 64ULL << 20), "");
  l.privileged = false;
  l.unlimited = true;
  EXPECT_EQ(memlock_problem(l, 1ULL << 40), "");
}

TEST(Ops, ParseAndNames) {
  EXPECT_EQ(parse_op("write"), Op::write);
  EXPECT_EQ(parse_op("fetch_add"), Op::fetch_add);
  EXPECT_EQ(to_string(parse_op("atomic_cs")), "atomic_cs");
  EXPECT_THROW((void)parse_op("writ"), UsageError);
  EXPECT_TRUE(needs_receives(Op::send));
  EXPECT_TRUE(needs_receives(Op::write_imm));
  EXPECT_FALSE(needs_receives(Op::read));
}
