#include "fabricperf/stats.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

namespace fabricperf {

double percentile_sorted(std::span<const double> sorted, double p) {
  if (sorted.empty()) return 0.0;
  if (p <= 0) return sorted.front();
  // Nearest rank: ceil(p/100 * n), 1-based. Computed in long double so p99.99 of 10^4 samples
  // is exactly rank 9999, not 10000 through rounding.
  const long double exact = static_cast<long double>(p) / 100.0L * static_cast<long double>(sorted.size());
  auto rank = static_cast<std::size_t>(std::ceil(exact - 1e-9L));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

Summary summarize_in_place(std::span<double> samples) {
  Summary s;
  s.count = samples.size();
  if (samples.empty()) return s;
  std::sort(samples.begin(), samples.end());
  RunningStats running;
  for (double x : samples) running.add(x);
  s.min = samples.front();
  s.max = samples.back();
  s.mean = running.mean();
  s.stdev = running.stdev();
  const std::span<const double> sorted(samples.data(), samples.size());
  s.median = percentile_sorted(sorted, 50);
  s.p90 = percentile_sorted(sorted, 90);
  s.p99 = percentile_sorted(sorted, 99);
  s.p99_9 = percentile_sorted(sorted, 99.9);
  s.p99_99 = percentile_sorted(sorted, 99.99);
  return s;
}

Summary summarize(std::span<const double> samples) {
  std::vector<double> copy(samples.begin(), samples.end());
  return summarize_in_place(copy);
}

void RunningStats::add(double x) noexcept {
  ++count_;
  if (count_ == 1) {
    min_ = max_ = x;
  } else {
    min_ = std::min(min_, x);
    max_ = std::max(max_, x);
  }
  const double delta = x - mean_;
  mean_ += delta / static_cast<double>(count_);
  m2_ += delta * (x - mean_);
}

void RunningStats::merge(const RunningStats& other) noexcept {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    *this = other;
    return;
  }
  const double n_a = static_cast<double>(count_);
  const double n_b = static_cast<double>(other.count_);
  const double delta = other.mean_ - mean_;
  const double n = n_a + n_b;
  mean_ += delta * n_b / n;
  m2_ += other.m2_ + delta * delta * n_a * n_b / n;
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

double RunningStats::variance() const noexcept {
  return count_ > 1 ? m2_ / static_cast<double>(count_ - 1) : 0.0;
}

double RunningStats::stdev() const noexcept { return std::sqrt(variance()); }

// Bucket layout: values below 2^sub_bits map 1:1 (exact); above, each power of two
// [2^k, 2^(k+1)) is split into 2^sub_bits equal sub-buckets.
LogHistogram::LogHistogram(unsigned sub_bucket_bits)
    : sub_bits_(std::clamp(sub_bucket_bits, 1U, 10U)),
      counts_((64 - sub_bits_ + 1) << sub_bits_, 0) {}

std::size_t LogHistogram::bucket_of(std::uint64_t value) const noexcept {
  const std::uint64_t linear = 1ULL << sub_bits_;
  if (value < linear) return static_cast<std::size_t>(value);
  const unsigned magnitude = 63U - static_cast<unsigned>(std::countl_zero(value));  // >= sub_bits_
  const unsigned shift = magnitude - sub_bits_;
  const std::uint64_t sub = (value >> shift) - linear;  // 0 .. linear-1
  return static_cast<std::size_t>((static_cast<std::uint64_t>(shift + 1) << sub_bits_) + sub);
}

std::uint64_t LogHistogram::bucket_upper(std::size_t index) const noexcept {
  const std::uint64_t linear = 1ULL << sub_bits_;
  if (index < linear) return index;
  const std::uint64_t shift = (index >> sub_bits_) - 1;
  const std::uint64_t sub = index & (linear - 1);
  const std::uint64_t lower = (linear + sub) << shift;
  const std::uint64_t width = 1ULL << shift;
  return lower + (width - 1);
}

void LogHistogram::record(std::uint64_t value) noexcept {
  ++counts_[bucket_of(value)];
  if (total_ == 0) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  ++total_;
  stats_.add(static_cast<double>(value));
}

void LogHistogram::merge(const LogHistogram& other) {
  if (other.sub_bits_ != sub_bits_) {
    // Different resolution: re-record other's bucket edges (bounded error, rare path).
    for (std::size_t i = 0; i < other.counts_.size(); ++i)
      for (std::uint64_t c = 0; c < other.counts_[i]; ++c) record(other.bucket_upper(i));
    return;
  }
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  if (other.total_ != 0) {
    min_ = total_ ? std::min(min_, other.min_) : other.min_;
    max_ = std::max(max_, other.max_);
  }
  total_ += other.total_;
  stats_.merge(other.stats_);
}

std::uint64_t LogHistogram::value_at_percentile(double p) const noexcept {
  if (total_ == 0) return 0;
  const long double exact = static_cast<long double>(std::clamp(p, 0.0, 100.0)) / 100.0L * total_;
  auto rank = static_cast<std::uint64_t>(std::ceil(exact - 1e-9L));
  rank = std::clamp<std::uint64_t>(rank, 1, total_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(bucket_upper(i), min_, max_);
  }
  return max_;
}

Summary LogHistogram::summary(double scale) const {
  Summary s;
  s.count = total_;
  if (total_ == 0) return s;
  const auto scaled = [scale](std::uint64_t v) { return static_cast<double>(v) / scale; };
  s.min = scaled(min_);
  s.max = scaled(max_);
  s.mean = stats_.mean() / scale;
  s.stdev = stats_.stdev() / scale;
  s.median = scaled(value_at_percentile(50));
  s.p90 = scaled(value_at_percentile(90));
  s.p99 = scaled(value_at_percentile(99));
  s.p99_9 = scaled(value_at_percentile(99.9));
  s.p99_99 = scaled(value_at_percentile(99.99));
  return s;
}

nlohmann::json LogHistogram::to_json(double scale) const {
  nlohmann::json buckets = nlohmann::json::array();
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    buckets.push_back({{"le", static_cast<double>(bucket_upper(i)) / scale}, {"count", counts_[i]}});
  }
  return buckets;
}

nlohmann::json log_bucket_histogram(std::span<const double> sorted_samples) {
  nlohmann::json buckets = nlohmann::json::array();
  if (sorted_samples.empty()) return buckets;
  // Edges 1-2-5 per decade, starting one decade below the smallest sample.
  double decade = std::pow(10.0, std::floor(std::log10(std::max(sorted_samples.front(), 1e-9))));
  static constexpr double steps[] = {1.0, 2.0, 5.0};
  std::size_t next = 0;
  int step = 0;
  while (next < sorted_samples.size()) {
    const double edge = decade * steps[step];
    std::size_t count = 0;
    while (next < sorted_samples.size() && sorted_samples[next] <= edge) {
      ++count;
      ++next;
    }
    if (count > 0) buckets.push_back({{"le", edge}, {"count", count}});
    if (++step == 3) {
      step = 0;
      decade *= 10.0;
    }
  }
  return buckets;
}

}  // namespace fabricperf
