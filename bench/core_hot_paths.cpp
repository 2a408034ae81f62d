// Per-sample overhead of fabricperf's measurement hot paths. A 1 us RDMA latency sample must
// not be disturbed by its own bookkeeping: the report prints each cost as a fraction of 1 us.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "fabricperf/clock.hpp"
#include "fabricperf/stats.hpp"

namespace {

constexpr double kRdmaLatencyNs = 1000.0;

void report_fraction_of_1us(benchmark::State& state) {
  // Set by Google Benchmark after the run; kIsIterationInvariantRate gives ns per iteration.
  state.counters["ns_per_op"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                   benchmark::Counter::kIsIterationInvariantRate |
                                                       benchmark::Counter::kInvert);
  state.counters["fraction_of_1us_latency"] =
      benchmark::Counter(static_cast<double>(state.iterations()) / kRdmaLatencyNs * 1e-9,
                         benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_CycleClockRead(benchmark::State& state) {
  const auto clock = fabricperf::CycleClock::calibrate(5);
  for (auto _ : state) benchmark::DoNotOptimize(clock.now());
  report_fraction_of_1us(state);
  state.SetLabel(clock.uses_tsc() ? "tsc" : "clock_gettime");
}
BENCHMARK(BM_CycleClockRead);

void BM_MonotonicNs(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(fabricperf::monotonic_ns());
  report_fraction_of_1us(state);
}
BENCHMARK(BM_MonotonicNs);

// What the latency loop does per sample: read the clock, store the delta in a preallocated array.
void BM_RecordSampleIntoArray(benchmark::State& state) {
  const auto clock = fabricperf::CycleClock::calibrate(5);
  std::vector<std::uint64_t> samples(1 << 20);
  std::size_t i = 0;
  std::uint64_t last = clock.now();
  for (auto _ : state) {
    const std::uint64_t now = clock.now();
    samples[i++ & (samples.size() - 1)] = now - last;
    last = now;
  }
  benchmark::DoNotOptimize(samples.data());
  report_fraction_of_1us(state);
}
BENCHMARK(BM_RecordSampleIntoArray);

void BM_HistogramRecord(benchmark::State& state) {
  fabricperf::LogHistogram histogram;
  std::uint64_t value = 800;
  for (auto _ : state) {
    histogram.record(value);
    value = (value * 2862933555777941757ULL + 3037000493ULL) % 100000;
  }
  benchmark::DoNotOptimize(histogram.count());
  report_fraction_of_1us(state);
}
BENCHMARK(BM_HistogramRecord);

// Percentile summary of N samples, reported per sample.
void BM_SummarizeSamples(benchmark::State& state) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(0.0, 0.3);
  std::vector<double> samples(static_cast<std::size_t>(state.range(0)));
  for (auto& s : samples) s = dist(rng);
  for (auto _ : state) {
    auto copy = samples;
    benchmark::DoNotOptimize(fabricperf::summarize_in_place(copy));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SummarizeSamples)->Arg(10000)->Arg(1000000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
