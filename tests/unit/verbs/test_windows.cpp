// Windowed bandwidth on synthetic completion timelines (ticks of 1 ns: 1e9 ticks per second).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "fabricperf/verbs/windows.hpp"

using namespace fabricperf::verbs;

namespace {

constexpr double kTps = 1e9;
constexpr std::uint64_t kMs = 1'000'000;
constexpr std::uint64_t kWindow = 100 * kMs;
constexpr std::uint64_t kBytes = 65536;

// Gb/s of `messages` of kBytes in one 100 ms window.
double window_gbps(double messages) {
  return messages * kBytes * 8.0 / 0.1 / 1e9;
}

// A poll every `step` ticks from `from` (exclusive) to `to` (inclusive), completing
// `per_ms(t)` messages per millisecond of the time since the previous poll.
template <typename Rate>
void append(std::vector<CompletionSample>& t, std::uint64_t from, std::uint64_t to, std::uint64_t step, Rate per_ms) {
  std::uint64_t messages = t.empty() ? 0 : t.back().messages;
  for (std::uint64_t at = from + step; at <= to; at += step) {
    messages += per_ms(at) * (step / kMs);
    t.push_back({at, messages});
  }
}

}  // namespace

TEST(Windows, SteadyRunHasItsRateInEveryWindowAndNoVariation) {
  std::vector<CompletionSample> t;
  append(t, 0, 1000 * kMs, kMs, [](std::uint64_t) { return 10; });
  const auto f = window_figures(t, 0, 0, kWindow, kBytes, kTps);
  EXPECT_DOUBLE_EQ(f.window_s, 0.1);
  EXPECT_EQ(f.full_windows, 10U);  // the last completion falls on the 10th boundary: full
  ASSERT_TRUE(f.min_gbps && f.cv && f.min_at_s);
  EXPECT_NEAR(*f.min_gbps, window_gbps(1000), 1e-9);
  EXPECT_NEAR(*f.cv, 0, 1e-12);
}

TEST(Windows, OneSlowWindowIsTheMinimumAndNamedByItsStart) {
  std::vector<CompletionSample> t;
  append(t, 0, 1000 * kMs, kMs, [](std::uint64_t at) { return at > 500 * kMs && at <= 600 * kMs ? 1 : 10; });
  const auto f = window_figures(t, 0, 0, kWindow, kBytes, kTps);
  EXPECT_EQ(f.full_windows, 10U);
  ASSERT_TRUE(f.min_gbps && f.cv && f.min_at_s);
  EXPECT_NEAR(*f.min_gbps, window_gbps(100), 1e-9);
  EXPECT_NEAR(*f.min_at_s, 0.5, 1e-12);
  // Nine windows of 1000 messages and one of 100: mean 910, population stdev 270.
  EXPECT_NEAR(*f.cv, 270.0 / 910.0, 1e-12);
}

TEST(Windows, AFlappingLinkHasANearZeroWindowWhileItsAveragePasses) {
  // Up 300 ms, down 200 ms (no completion at all), up again: the first completion after the
  // outage credits 10 messages, spread over the 201 ms since the last one.
  std::vector<CompletionSample> t;
  append(t, 0, 300 * kMs, kMs, [](std::uint64_t) { return 10; });
  t.push_back({501 * kMs, t.back().messages + 10});
  append(t, 501 * kMs, 1000 * kMs, kMs, [](std::uint64_t) { return 10; });
  const auto f = window_figures(t, 0, 0, kWindow, kBytes, kTps);
  const double average = static_cast<double>(t.back().messages) * kBytes * 8.0 / 1.0 / 1e9;
  EXPECT_GT(average, 0.75 * window_gbps(1000));  // the average alone would pass a 75 % floor
  ASSERT_TRUE(f.min_gbps && f.min_at_s && f.cv);
  EXPECT_LT(*f.min_gbps, 0.01 * average);
  // 300-400 ms or 400-500 ms: both hold 10 x 100/201 messages.
  EXPECT_TRUE(std::abs(*f.min_at_s - 0.3) < 1e-9 || std::abs(*f.min_at_s - 0.4) < 1e-9) << *f.min_at_s;
  // Windows: 1000 x 3, 1000/201 x 2 (the outage), 10/201 + 990 (the restart), 1000 x 4.
  const std::vector<double> w{1000, 1000, 1000, 1000.0 / 201, 1000.0 / 201, 10.0 / 201 + 990, 1000, 1000, 1000, 1000};
  double mean = 0, var = 0;
  for (double x : w) mean += x / 10;
  for (double x : w) var += (x - mean) * (x - mean) / 10;
  EXPECT_NEAR(*f.cv, std::sqrt(var) / mean, 1e-9);
  EXPECT_NEAR(*f.min_gbps, window_gbps(1000.0 / 201), 1e-9);
}

TEST(Windows, PartialLastWindowIsLeftOut) {
  // 1.05 s: ten full windows at 10/ms, then 50 ms at 1/ms that end the run.
  std::vector<CompletionSample> t;
  append(t, 0, 1000 * kMs, kMs, [](std::uint64_t) { return 10; });
  append(t, 1000 * kMs, 1050 * kMs, kMs, [](std::uint64_t) { return 1; });
  const auto f = window_figures(t, 0, 0, kWindow, kBytes, kTps);
  EXPECT_EQ(f.full_windows, 10U);
  ASSERT_TRUE(f.min_gbps);
  EXPECT_NEAR(*f.min_gbps, window_gbps(1000), 1e-9);
}

TEST(Windows, FewerThanTwoFullWindowsGiveNoMinimumAndNoVariation) {
  // Zero-length: nothing after the start, or a single point at the start.
  for (const auto& t : {std::vector<CompletionSample>{}, std::vector<CompletionSample>{{0, 0}}}) {
    const auto f = window_figures(t, 0, 0, kWindow, kBytes, kTps);
    EXPECT_DOUBLE_EQ(f.window_s, 0.1);
    EXPECT_EQ(f.full_windows, 0U);
    EXPECT_FALSE(f.min_gbps);
    EXPECT_FALSE(f.min_at_s);
    EXPECT_FALSE(f.cv);
  }
  // 150 ms: one full window, which is only the average again.
  std::vector<CompletionSample> t;
  append(t, 0, 150 * kMs, kMs, [](std::uint64_t) { return 10; });
  const auto one = window_figures(t, 0, 0, kWindow, kBytes, kTps);
  EXPECT_EQ(one.full_windows, 1U);
  EXPECT_FALSE(one.min_gbps);
  EXPECT_FALSE(one.cv);
  // Recording off.
  EXPECT_DOUBLE_EQ(window_figures(t, 0, 0, 0, kBytes, kTps).window_s, 0);
}

TEST(Windows, StartsAtTheMeasurementStartNotAtZero) {
  // -D: the measurement opens after a warm-up, at 7 s with 1234 messages already completed.
  const std::uint64_t s = 7000 * kMs;
  std::vector<CompletionSample> t{{s, 1234}};
  append(t, s, s + 400 * kMs, kMs, [](std::uint64_t at) { return at > 7200 * kMs && at <= 7300 * kMs ? 5 : 10; });
  const auto f = window_figures(t, s, 1234, kWindow, kBytes, kTps);
  EXPECT_EQ(f.full_windows, 4U);
  ASSERT_TRUE(f.min_gbps && f.min_at_s);
  EXPECT_NEAR(*f.min_gbps, window_gbps(500), 1e-9);
  EXPECT_NEAR(*f.min_at_s, 0.2, 1e-12);
}

TEST(Windows, BatchedCompletionsLongerThanAWindowAreSpreadNotBunched) {
  // One completion every 250 ms crediting 2500 messages (heavy CQ moderation): every window
  // gets 1000, none is empty.
  std::vector<CompletionSample> t;
  for (std::uint64_t k = 1; k <= 8; ++k) t.push_back({k * 250 * kMs, k * 2500});
  const auto f = window_figures(t, 0, 0, kWindow, kBytes, kTps);
  EXPECT_EQ(f.full_windows, 20U);
  ASSERT_TRUE(f.min_gbps && f.cv);
  EXPECT_NEAR(*f.min_gbps, window_gbps(1000), 1e-6);
  EXPECT_NEAR(*f.cv, 0, 1e-9);
}

TEST(Windows, PointsThatGoBackAreIgnored) {
  std::vector<CompletionSample> t;
  append(t, 0, 300 * kMs, kMs, [](std::uint64_t) { return 10; });
  auto with_noise = t;
  with_noise.insert(with_noise.begin() + 150, CompletionSample{10 * kMs, 5});       // back in time
  with_noise.insert(with_noise.begin() + 200, CompletionSample{200 * kMs + 1, 0});  // back in count
  const auto a = window_figures(t, 0, 0, kWindow, kBytes, kTps);
  const auto b = window_figures(with_noise, 0, 0, kWindow, kBytes, kTps);
  EXPECT_EQ(a.full_windows, b.full_windows);
  ASSERT_TRUE(a.min_gbps && b.min_gbps);
  EXPECT_DOUBLE_EQ(*a.min_gbps, *b.min_gbps);
}

TEST(Windows, VeryLongRunsKeepExactFiguresInConstantMemory) {
  // One hour at 100 ms windows (36,000 windows), a poll every 10 ms, one slow window near the
  // end and a 10 s silence followed by one completion (100 windows closed by one poll).
  std::vector<CompletionSample> t;
  const std::uint64_t hour = 3'600'000 * kMs;
  const std::uint64_t slow = 3'500'000 * kMs;
  append(t, 0, hour - 10'000 * kMs, 10 * kMs,
         [&](std::uint64_t at) { return at > slow && at <= slow + kWindow ? 2 : 10; });
  t.push_back({hour, t.back().messages + 1000});
  const auto f = window_figures(t, 0, 0, kWindow, kBytes, kTps);
  EXPECT_EQ(f.full_windows, 36'000U);
  ASSERT_TRUE(f.min_gbps && f.min_at_s && f.cv);
  // A window of the silence (each holds 10 messages).
  EXPECT_GE(*f.min_at_s, 3590.0 - 1e-6);
  EXPECT_LE(*f.min_at_s, 3599.9 + 1e-6);
  EXPECT_NEAR(*f.min_gbps, window_gbps(10), 1e-6);
  EXPECT_GT(*f.cv, 0);
  EXPECT_LT(*f.cv, 0.2);
  // Without the silence the slow window is the minimum.
  t.pop_back();
  const auto g = window_figures(t, 0, 0, kWindow, kBytes, kTps);
  EXPECT_EQ(g.full_windows, 35'900U);
  ASSERT_TRUE(g.min_gbps && g.min_at_s);
  EXPECT_NEAR(*g.min_at_s, 3500.0, 1e-6);
  EXPECT_NEAR(*g.min_gbps, window_gbps(200), 1e-6);
}
