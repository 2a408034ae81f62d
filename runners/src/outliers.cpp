#include "fabricperf/runners/outliers.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace fabricperf::runners {

double median_of(std::vector<double> values) {
  if (values.empty()) return 0;
  const std::size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  const double upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

OutlierReport find_outliers(std::span<const Sample> samples, Better better, const OutlierOptions& options) {
  OutlierReport report;
  report.samples = samples.size();
  if (samples.empty()) return report;
  std::vector<double> values;
  values.reserve(samples.size());
  for (const auto& s : samples) values.push_back(s.value);
  report.median = median_of(values);
  for (auto& v : values) v = std::abs(v - report.median);
  report.mad = median_of(std::move(values));
  if (samples.size() < options.min_samples) return report;
  report.judged = true;

  const double sigma = 1.4826 * report.mad;
  const double min_dev = std::abs(report.median) * options.min_deviation_pct / 100.0;
  const double allowed = std::max(options.k * sigma, min_dev);
  report.threshold = better == Better::higher ? report.median - allowed : report.median + allowed;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const double x = samples[i].value;
    const double dev = x - report.median;
    const bool worse = better == Better::higher ? dev < 0 : dev > 0;
    // Strictly beyond both limits; with MAD == 0 any worse value beyond min_dev is flagged.
    if (!worse || std::abs(dev) <= allowed) continue;
    Outlier o;
    o.index = i;
    o.label = samples[i].label;
    o.value = x;
    o.robust_z = sigma > 0 ? dev / sigma : std::copysign(std::numeric_limits<double>::infinity(), dev);
    o.deviation_pct = report.median != 0 ? dev / report.median * 100.0 : 0;
    report.outliers.push_back(std::move(o));
  }
  std::sort(report.outliers.begin(), report.outliers.end(),
            [](const Outlier& l, const Outlier& r) { return std::abs(l.deviation_pct) > std::abs(r.deviation_pct); });
  return report;
}

std::vector<Sample> group_medians(std::span<const Sample> samples) {
  std::vector<std::string> order;
  std::unordered_map<std::string, std::vector<double>> groups;
  for (const auto& s : samples) {
    auto [it, inserted] = groups.try_emplace(s.label);
    if (inserted) order.push_back(s.label);
    it->second.push_back(s.value);
  }
  std::vector<Sample> out;
  out.reserve(order.size());
  for (auto& label : order) out.push_back({label, median_of(std::move(groups[label]))});
  return out;
}

}  // namespace fabricperf::runners
