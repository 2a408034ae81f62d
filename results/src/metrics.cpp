#include "fabricperf/results/metrics.hpp"

#include <array>

namespace fabricperf::results {
namespace {

using B = Better;

// Prometheus names are stable: dashboards and alerts depend on them. In this project "_gbps" is
// Gbit/s and "_GBps" GB/s (10^9 bytes/s); Prometheus names are lowercase, so collective
// bandwidths are exported in Gbit/s (GB/s x 8) under "_gbps" names, like NIC bandwidth.
constexpr std::array<MetricInfo, 18> kCatalogue = {{
    {"bw_avg_gbps", B::higher, true, "fabricperf_bw_avg_gbps", 1, "Average bandwidth in Gbit/s (fp_bw bw_avg_gbps)."},
    {"bw_peak_gbps", B::higher, false, "fabricperf_bw_peak_gbps", 1, "Peak bandwidth in Gbit/s (fp_bw bw_peak_gbps)."},
    {"msg_rate_mpps", B::higher, true, "fabricperf_msg_rate_mpps", 1,
     "Message rate in millions of messages per second (fp_bw msg_rate_mpps)."},
    {"line_rate_pct", B::higher, false, "fabricperf_line_rate_pct", 1,
     "Average bandwidth as a percentage of the port's line rate (fp_bw line_rate_pct)."},
    {"t_min_us", B::lower, false, "fabricperf_latency_min_us", 1, "Minimum latency in microseconds (fp_lat t_min_us)."},
    {"t_max_us", B::lower, false, "fabricperf_latency_max_us", 1, "Maximum latency in microseconds (fp_lat t_max_us)."},
    {"t_typical_us", B::lower, true, "fabricperf_latency_typical_us", 1,
     "Typical (median) latency in microseconds, perftest's t_typical (fp_lat t_typical_us)."},
    {"t_avg_us", B::lower, true, "fabricperf_latency_avg_us", 1, "Average latency in microseconds (fp_lat t_avg_us)."},
    {"t_stdev_us", B::lower, false, "fabricperf_latency_stdev_us", 1,
     "Standard deviation of latency in microseconds (fp_lat t_stdev_us)."},
    {"p50_us", B::lower, true, "fabricperf_latency_p50_us", 1,
     "50th percentile latency in microseconds (fp_lat p50_us)."},
    {"p90_us", B::lower, true, "fabricperf_latency_p90_us", 1,
     "90th percentile latency in microseconds (fp_lat p90_us)."},
    {"p99_us", B::lower, true, "fabricperf_latency_p99_us", 1,
     "99th percentile latency in microseconds (fp_lat p99_us)."},
    {"p99_9_us", B::lower, true, "fabricperf_latency_p99_9_us", 1,
     "99.9th percentile latency in microseconds (fp_lat p99_9_us)."},
    {"p99_99_us", B::lower, false, "fabricperf_latency_p99_99_us", 1,
     "99.99th percentile latency in microseconds (fp_lat p99_99_us)."},
    {"time_us", B::lower, true, "fabricperf_coll_time_us", 1,
     "Collective operation time in microseconds (fp_coll time_us)."},
    {"algbw_GBps", B::higher, true, "fabricperf_coll_algbw_gbps", 8,
     "Collective algorithm bandwidth in Gbit/s (fp_coll algbw_GBps x 8)."},
    {"busbw_GBps", B::higher, true, "fabricperf_coll_busbw_gbps", 8,
     "Collective bus bandwidth in Gbit/s (fp_coll busbw_GBps x 8; nccl-tests busbw)."},
    {"wrong", B::lower, true, "fabricperf_coll_wrong", 1,
     "Collective result elements that were wrong (fp_coll wrong; 0 is correct)."},
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
