#include "fabricperf/results/metrics.hpp"

#include <array>

namespace fabricperf::results {
namespace {

using B = Better;

// In this project "_gbps" is Gbit/s and "_GBps" GB/s (10^9 bytes/s). Their Prometheus names
// (base units) are in prometheus_metrics.cpp.
constexpr std::array<MetricInfo, 20> kCatalogue = {{
    {"bw_avg_gbps", B::higher, true},
    {"bw_peak_gbps", B::higher, false},
    {"bw_min_gbps", B::higher, false},
    {"bw_cv", B::lower, false},
    {"msg_rate_mpps", B::higher, true},
    {"line_rate_pct", B::higher, false},
    {"t_min_us", B::lower, false},
    {"t_max_us", B::lower, false},
    {"t_typical_us", B::lower, true},
    {"t_avg_us", B::lower, true},
    {"t_stdev_us", B::lower, false},
    {"p50_us", B::lower, true},
    {"p90_us", B::lower, true},
    {"p99_us", B::lower, true},
    {"p99_9_us", B::lower, true},
    {"p99_99_us", B::lower, false},
    {"time_us", B::lower, true},
    {"algbw_GBps", B::higher, true},
    {"busbw_GBps", B::higher, true},
    {"wrong", B::lower, true},
}};

}  // namespace

std::span<const MetricInfo> metric_catalogue() {
  return kCatalogue;
}

const MetricInfo* find_metric(std::string_view field) {
  for (const auto& m : kCatalogue)
    if (m.field == field) return &m;
  return nullptr;
}

std::string_view to_string(Better better) noexcept {
  return better == Better::higher ? "higher" : "lower";
}

}  // namespace fabricperf::results
