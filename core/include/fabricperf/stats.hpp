#pragma once
// Statistics over latency/bandwidth samples: exact summaries from all samples, a streaming
// accumulator (Welford) and a log-bucketed histogram for long duration runs.
#include <cstdint>
#include <span>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace fabricperf {

// Exact summary of a set of samples. Percentiles use the nearest-rank definition
// (the smallest sample with at least p% of samples <= it), as perftest's sorted-index
// reports do; `median` is p50. `stdev` is the sample standard deviation (n-1).
struct Summary {
  std::size_t count = 0;
  double min = 0, max = 0, mean = 0, stdev = 0;
  double median = 0, p90 = 0, p99 = 0, p99_9 = 0, p99_99 = 0;
};

[[nodiscard]] Summary summarize(std::span<const double> samples);
// Same, sorting `samples` in place (no copy: use in tools that own their sample buffer).
[[nodiscard]] Summary summarize_in_place(std::span<double> samples);
// Nearest-rank percentile (0 < p <= 100) of an ascending sample set; 0 for an empty one.
[[nodiscard]] double percentile_sorted(std::span<const double> sorted, double p);

// Streaming mean/variance (Welford), numerically stable for long runs; mergeable.
class RunningStats {
 public:
  void add(double x) noexcept;
  void merge(const RunningStats& other) noexcept;
  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] double mean() const noexcept { return mean_; }
  [[nodiscard]] double variance() const noexcept;  // sample variance (n-1)
  [[nodiscard]] double stdev() const noexcept;
  [[nodiscard]] double min() const noexcept { return min_; }
  [[nodiscard]] double max() const noexcept { return max_; }

 private:
  std::uint64_t count_ = 0;
  double mean_ = 0, m2_ = 0, min_ = 0, max_ = 0;
};

// HDR-style histogram of non-negative integer values (e.g. nanoseconds): each power of two
// is split into 2^sub_bucket_bits linear sub-buckets, so any recorded value is reported
// with a relative error below 2^-sub_bucket_bits. record() is O(1) and never allocates.
class LogHistogram {
 public:
  explicit LogHistogram(unsigned sub_bucket_bits = 5);
  void record(std::uint64_t value) noexcept;
  void merge(const LogHistogram& other);
  [[nodiscard]] std::uint64_t count() const noexcept { return total_; }
  [[nodiscard]] std::uint64_t min() const noexcept { return total_ ? min_ : 0; }
  [[nodiscard]] std::uint64_t max() const noexcept { return max_; }
  // Upper edge of the bucket holding the nearest-rank p-th percentile, capped at max().
  [[nodiscard]] std::uint64_t value_at_percentile(double p) const noexcept;
  [[nodiscard]] double mean() const noexcept { return stats_.mean(); }
  [[nodiscard]] double stdev() const noexcept { return stats_.stdev(); }
  // Summary with percentiles from the buckets; values divided by `scale` (e.g. 1000 for ns -> us).
  [[nodiscard]] Summary summary(double scale = 1.0) const;
  // Non-empty buckets as [{"le": upper_edge/scale, "count": n}, ...] ascending.
  [[nodiscard]] nlohmann::json to_json(double scale = 1.0) const;

 private:
  [[nodiscard]] std::size_t bucket_of(std::uint64_t value) const noexcept;
  [[nodiscard]] std::uint64_t bucket_upper(std::size_t index) const noexcept;
  unsigned sub_bits_;
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0, min_ = 0, max_ = 0;
  RunningStats stats_;
};

// Log-bucketed histogram (powers of two of the unit, then 1-2-5 steps) of exact samples,
// for the JSON `histogram` field: [{"le": edge, "count": n}, ...], only non-empty buckets.
[[nodiscard]] nlohmann::json log_bucket_histogram(std::span<const double> sorted_samples);

}  // namespace fabricperf
