#pragma once
// The small numeric helpers of attribution (attribution.cpp) and its checks
// (attribution_checks.cpp): rate wording and the fabric's noise floor.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "fabricperf/runners/outliers.hpp"

namespace fabricperf::runners::detail {

// "212" at hardware rates, "0.0043" at software RDMA's.
inline std::string gbps(double v) {
  char text[32];
  std::snprintf(text, sizeof text, v >= 10 ? "%.0f" : v >= 1 ? "%.1f" : "%.2g", v);
  return text;
}

// median - k * 1.4826 * MAD of the full-round rates (per unit of spine share): under it a flow is
// slower than the fabric's own noise explains. No floor below kNoiseSample flows: a small
// cluster's few flows, most of them with one slow node, say nothing about the noise.
constexpr std::size_t kNoiseSample = 32;
inline double robust_floor_of(const std::vector<double>& values, double k, std::size_t min_samples) {
  if (values.size() < std::max<std::size_t>(min_samples, kNoiseSample)) return 1e300;
  const double median = median_of(values);
  std::vector<double> deviations;
  deviations.reserve(values.size());
  for (double v : values) deviations.push_back(std::abs(v - median));
  return median - k * 1.4826 * median_of(std::move(deviations));
}

}  // namespace fabricperf::runners::detail
