#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include <nlohmann/json.hpp>

#include "fabricperf/stats.hpp"

using namespace fabricperf;

TEST(Summarize, OneToHundred) {
  std::vector<double> v(100);
  std::iota(v.begin(), v.end(), 1.0);
  std::shuffle(v.begin(), v.end(), std::mt19937(7));
  const Summary s = summarize(v);
  EXPECT_EQ(s.count, 100U);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 100);
  EXPECT_DOUBLE_EQ(s.mean, 50.5);
  // Sample stdev of 1..n is sqrt(n(n+1)/12) = sqrt(841.666..)
  EXPECT_NEAR(s.stdev, std::sqrt(100.0 * 101.0 / 12.0), 1e-9);
  EXPECT_DOUBLE_EQ(s.median, 50);  // nearest rank: ceil(0.5*100) = 50th value
  EXPECT_DOUBLE_EQ(s.p90, 90);
  EXPECT_DOUBLE_EQ(s.p99, 99);
  EXPECT_DOUBLE_EQ(s.p99_9, 100);
  EXPECT_DOUBLE_EQ(s.p99_99, 100);
}

TEST(Summarize, KnownStdevAndEmpty) {
  // Classic data set: mean 5, population stdev 2, sample stdev sqrt(32/7).
  const std::vector<double> v{2, 4, 4, 4, 5, 5, 7, 9};
  const Summary s = summarize(v);
  EXPECT_DOUBLE_EQ(s.mean, 5.0);
  EXPECT_NEAR(s.stdev, std::sqrt(32.0 / 7.0), 1e-12);
  EXPECT_EQ(summarize(std::vector<double>{}).count, 0U);
  const Summary one = summarize(std::vector<double>{3.5});
  EXPECT_DOUBLE_EQ(one.stdev, 0.0);
  EXPECT_DOUBLE_EQ(one.p99_99, 3.5);
}

TEST(Summarize, TailPercentilesOfTenThousand) {
  std::vector<double> v(10000);
  std::iota(v.begin(), v.end(), 1.0);
  const Summary s = summarize(v);
  EXPECT_DOUBLE_EQ(s.p99_9, 9990);
  EXPECT_DOUBLE_EQ(s.p99_99, 9999);
}

TEST(RunningStats, StableForLargeOffset) {
  // Naive sum-of-squares loses all precision here; Welford must not.
  RunningStats r;
  for (double x : {1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16}) r.add(x);
  EXPECT_DOUBLE_EQ(r.mean(), 1e9 + 10);
  EXPECT_NEAR(r.variance(), 30.0, 1e-6);
}

TEST(RunningStats, MergeEqualsSequential) {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> d(100, 15);
  RunningStats all, a, b;
  for (int i = 0; i < 1000; ++i) {
    const double x = d(rng);
    all.add(x);
    (i < 300 ? a : b).add(x);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_NEAR(a.mean(), all.mean(), 1e-9);
  EXPECT_NEAR(a.stdev(), all.stdev(), 1e-9);
  EXPECT_DOUBLE_EQ(a.min(), all.min());
  EXPECT_DOUBLE_EQ(a.max(), all.max());
}

TEST(LogHistogram, PercentilesWithinResolution) {
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> d(7.0, 0.5);  // ~1.1 us in ns
  LogHistogram h(5);
  std::vector<double> exact;
  for (int i = 0; i < 100000; ++i) {
    const auto v = static_cast<std::uint64_t>(d(rng));
    h.record(v);
    exact.push_back(static_cast<double>(v));
  }
  const Summary truth = summarize(exact);
  const Summary approx = h.summary();
  EXPECT_EQ(approx.count, truth.count);
  for (auto [a, t] : {std::pair{approx.median, truth.median}, {approx.p90, truth.p90}, {approx.p99, truth.p99},
                      {approx.p99_9, truth.p99_9}}) {
    EXPECT_GE(a, t);                   // bucket upper edge never under-reports
    EXPECT_LE(a, t * (1 + 1.0 / 32));  // and is within one sub-bucket (2^-5)
  }
  EXPECT_DOUBLE_EQ(approx.min, truth.min);
  EXPECT_DOUBLE_EQ(approx.max, truth.max);
  EXPECT_NEAR(approx.mean, truth.mean, 1e-6 * truth.mean);
  EXPECT_NEAR(approx.stdev, truth.stdev, 1e-6 * truth.stdev);
}

TEST(LogHistogram, SmallValuesExactAndMerge) {
  LogHistogram a, b;
  for (std::uint64_t v = 0; v < 32; ++v) a.record(v);
  EXPECT_EQ(a.value_at_percentile(50), 15U);
  b.record(1000);
  a.merge(b);
  EXPECT_EQ(a.count(), 33U);
  EXPECT_EQ(a.max(), 1000U);
  EXPECT_EQ(a.value_at_percentile(100), 1000U);
  const auto j = a.to_json();
  std::uint64_t total = 0;
  for (const auto& bucket : j) total += bucket["count"].get<std::uint64_t>();
  EXPECT_EQ(total, 33U);
}

TEST(LogHistogram, HugeValuesDoNotOverflow) {
  LogHistogram h;
  h.record(UINT64_MAX);
  h.record(1ULL << 63);
  EXPECT_EQ(h.value_at_percentile(100), UINT64_MAX);
  EXPECT_EQ(h.count(), 2U);
}

TEST(LogBucketHistogram, CountsAllSamplesAscending) {
  std::vector<double> v{0.8, 0.9, 1.0, 1.5, 2.5, 7, 12, 480};
  const auto j = log_bucket_histogram(v);
  std::uint64_t total = 0;
  double last = 0;
  for (const auto& b : j) {
    EXPECT_GT(b["le"].get<double>(), last);
    last = b["le"].get<double>();
    total += b["count"].get<std::uint64_t>();
  }
  EXPECT_EQ(total, v.size());
  EXPECT_DOUBLE_EQ(j.front()["le"].get<double>(), 1.0);  // 0.8, 0.9, 1.0 are <= 1
  EXPECT_EQ(j.front()["count"].get<int>(), 3);
  EXPECT_DOUBLE_EQ(j.back()["le"].get<double>(), 500.0);
}
