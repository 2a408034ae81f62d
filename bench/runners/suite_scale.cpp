// Planning and judging at cluster scale. Run: build/bench/runners/bench_runners
//   BM_PlanSuite/2048/8    the whole go-live plan with --exhaustive (every round of every stage
//                          materialized, all pairs, estimates) for 2,048 nodes x 8 rails: budget 1 s
//   BM_RoundRobin/N        all N-1 rounds of the circle method
//   BM_FindOutliers/N      MAD outliers over N link values
//   BM_JudgeBandwidth/N    every check of a verbs_bw stage over N nodes x 8 rails at one size
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "fabricperf/runners/judge.hpp"
#include "fabricperf/runners/outliers.hpp"
#include "fabricperf/runners/random.hpp"
#include "fabricperf/runners/schedule.hpp"
#include "fabricperf/runners/suite_plan.hpp"

namespace fr = fabricperf::runners;

static void BM_PlanSuite(benchmark::State& state) {
  auto plan = fr::load_preset("go-live");
  plan.verbs.mode = "all_pairs";  // the largest plan: every pair of nodes
  const fr::ClusterShape shape{static_cast<int>(state.range(0)), static_cast<int>(state.range(1)), 8, 8, 400};
  std::size_t pairs = 0;
  double worst_s = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const auto s = fr::plan_suite(plan, shape);
    pairs = s.find("verbs_bw")->pairs;
    benchmark::DoNotOptimize(s.estimated_s);
    worst_s = std::max(worst_s, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  state.counters["pairs"] = static_cast<double>(pairs);
  state.counters["worst_s"] = worst_s;
  if (worst_s >= 1.0) state.SkipWithError("planning took a second or more (budget: under 1 s)");
}
BENCHMARK(BM_PlanSuite)->Args({2048, 8})->Args({512, 8})->Unit(benchmark::kMillisecond);

static void BM_RoundRobin(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(fr::round_robin_rounds(static_cast<int>(state.range(0))));
}
BENCHMARK(BM_RoundRobin)->Arg(64)->Arg(2048)->Unit(benchmark::kMillisecond);

static void BM_FindOutliers(benchmark::State& state) {
  fr::SplitMix64 rng(1);
  std::vector<fr::Sample> samples;
  for (std::int64_t i = 0; i < state.range(0); ++i)
    samples.push_back({"l" + std::to_string(i), 380 * (1 + 0.01 * rng.normal())});
  for (auto _ : state) benchmark::DoNotOptimize(fr::find_outliers(samples, fr::Better::higher));
}
BENCHMARK(BM_FindOutliers)->Arg(512)->Arg(1 << 16)->Unit(benchmark::kMillisecond);

static void BM_JudgeBandwidth(benchmark::State& state) {
  const int nodes = static_cast<int>(state.range(0));
  fr::SplitMix64 rng(2);
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& round : fr::round_robin_rounds(nodes))
    for (const auto& p : round.pairs)
      for (int r = 0; r < 8; ++r) {
        const double bw = 380 * (1 + 0.01 * rng.normal());
        rows.push_back({{"host", "n" + std::to_string(p.b)},
                        {"peer_host", "n" + std::to_string(p.a)},
                        {"device", "mlx5_" + std::to_string(r)},
                        {"peer_device", "mlx5_" + std::to_string(r)},
                        {"size_bytes", 8 << 20},
                        {"bw_avg_gbps", bw},
                        {"line_rate_pct", bw / 4}});
      }
  for (auto _ : state) benchmark::DoNotOptimize(fr::judge_bandwidth("verbs_bw", rows, {}));
  state.counters["links"] = static_cast<double>(rows.size());
}
BENCHMARK(BM_JudgeBandwidth)->Arg(64)->Arg(256)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
