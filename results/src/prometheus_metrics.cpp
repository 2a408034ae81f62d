#include "fabricperf/results/prometheus_metrics.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace fabricperf::results {
namespace {

// Base units, as the Prometheus naming conventions ask: the document's Gbit/s (fp_bw, 10^9 bit/s)
// and GB/s (fp_coll, 10^9 byte/s) both become bytes per second, microseconds seconds, percent a
// 0..1 ratio. Divisions by powers of ten keep decimal values exact in the text (2.5 us ->
// 2.5e-06). Names are stable: dashboards (results/grafana) and alerts depend on them.
constexpr double kGbit = 1e9;  // Gbit/s -> bit/s, then / 8
constexpr double kUs = 1e6;    // us -> s (divide)

constexpr std::array<PrometheusMetric, 38> kMetrics = {{
    {"fabricperf_bw_avg_bytes_per_second", "gauge", "results[].bw_avg_gbps (Gbit/s)", "bw_avg_gbps", kGbit, 8,
     "Average bandwidth in bytes per second (fp_bw/fp_gdr bw_avg_gbps, Gbit/s x 10^9 / 8)."},
    {"fabricperf_bw_peak_bytes_per_second", "gauge", "results[].bw_peak_gbps (Gbit/s)", "bw_peak_gbps", kGbit, 8,
     "Peak bandwidth in bytes per second (fp_bw/fp_gdr bw_peak_gbps, Gbit/s x 10^9 / 8)."},
    {"fabricperf_messages_per_second", "gauge", "results[].msg_rate_mpps (10^6 messages/s)", "msg_rate_mpps", 1e6, 1,
     "Message rate in messages per second (fp_bw msg_rate_mpps x 10^6)."},
    {"fabricperf_line_rate_ratio", "gauge", "results[].line_rate_pct (%)", "line_rate_pct", 1, 100,
     "Average bandwidth as a fraction of the port's line rate, 0..1 (fp_bw line_rate_pct / 100)."},
    {"fabricperf_line_rate_bytes_per_second", "gauge", "results[].line_rate_gbps (Gbit/s)", "line_rate_gbps", kGbit, 8,
     "Line rate of the measured port(s) in bytes per second (line_rate_gbps x 10^9 / 8)."},
    {"fabricperf_bw_min_bytes_per_second", "gauge", "results[].bw_min_gbps (Gbit/s)", "bw_min_gbps", kGbit, 8,
     "Slowest full window's bandwidth in bytes per second (bw_min_gbps, Gbit/s x 10^9 / 8; see "
     "fabricperf_bw_window_seconds)."},
    {"fabricperf_bw_cv_ratio", "gauge", "results[].bw_cv", "bw_cv", 1, 1,
     "Coefficient of variation of the window bandwidths, stdev / mean (bw_cv; 0 is steady)."},
    {"fabricperf_bw_window_seconds", "gauge", "results[].bw_window_ms (ms)", "bw_window_ms", 1, 1000,
     "Window length of bw_min and bw_cv in seconds (bw_window_ms / 1000)."},
    {"fabricperf_latency_min_seconds", "gauge", "results[].t_min_us", "t_min_us", 1, kUs,
     "Minimum latency in seconds (fp_lat t_min_us / 10^6; see the latency label)."},
    {"fabricperf_latency_max_seconds", "gauge", "results[].t_max_us", "t_max_us", 1, kUs,
     "Maximum latency in seconds (fp_lat t_max_us / 10^6)."},
    {"fabricperf_latency_typical_seconds", "gauge", "results[].t_typical_us", "t_typical_us", 1, kUs,
     "Typical (median) latency in seconds, perftest's t_typical (fp_lat t_typical_us / 10^6)."},
    {"fabricperf_latency_avg_seconds", "gauge", "results[].t_avg_us", "t_avg_us", 1, kUs,
     "Average latency in seconds (fp_lat t_avg_us / 10^6)."},
    {"fabricperf_latency_stdev_seconds", "gauge", "results[].t_stdev_us", "t_stdev_us", 1, kUs,
     "Standard deviation of latency in seconds (fp_lat t_stdev_us / 10^6)."},
    {"fabricperf_latency_p50_seconds", "gauge", "results[].p50_us", "p50_us", 1, kUs,
     "50th percentile latency in seconds (fp_lat p50_us / 10^6)."},
    {"fabricperf_latency_p90_seconds", "gauge", "results[].p90_us", "p90_us", 1, kUs,
     "90th percentile latency in seconds (fp_lat p90_us / 10^6)."},
    {"fabricperf_latency_p99_seconds", "gauge", "results[].p99_us", "p99_us", 1, kUs,
     "99th percentile latency in seconds (fp_lat p99_us / 10^6)."},
    {"fabricperf_latency_p99_9_seconds", "gauge", "results[].p99_9_us", "p99_9_us", 1, kUs,
     "99.9th percentile latency in seconds (fp_lat p99_9_us / 10^6)."},
    {"fabricperf_latency_p99_99_seconds", "gauge", "results[].p99_99_us", "p99_99_us", 1, kUs,
     "99.99th percentile latency in seconds (fp_lat p99_99_us / 10^6)."},
    {"fabricperf_latency_seconds", "histogram", "results[].histogram ({le, count}, le in us)", "", 1, kUs,
     "Latency distribution in seconds (fp_lat histogram; bucket upper edges as measured)."},
    {"fabricperf_coll_time_seconds", "gauge", "results[].time_us", "time_us", 1, kUs,
     "Collective operation time in seconds (fp_coll time_us / 10^6)."},
    {"fabricperf_coll_algbw_bytes_per_second", "gauge", "results[].algbw_GBps (GB/s)", "algbw_GBps", 1e9, 1,
     "Collective algorithm bandwidth in bytes per second (fp_coll algbw_GBps x 10^9)."},
    {"fabricperf_coll_busbw_bytes_per_second", "gauge", "results[].busbw_GBps (GB/s)", "busbw_GBps", 1e9, 1,
     "Collective bus bandwidth in bytes per second (fp_coll busbw_GBps x 10^9; nccl-tests busbw)."},
    {"fabricperf_coll_wrong_elements", "gauge", "results[].wrong (rows with -1, not checked, left out)", "wrong", 1, 1,
     "Collective result elements that were wrong (fp_coll wrong; 0 is correct)."},
    {"fabricperf_topo_gpus", "gauge", "size of results[].gpus (fp_topo)", "", 1, 1, "GPUs fp_topo found on the host."},
    {"fabricperf_topo_nics", "gauge", "size of results[].nics (fp_topo)", "", 1, 1,
     "RDMA NICs fp_topo found on the host."},
    {"fabricperf_check_status", "gauge", "checks[].status", "", 1, 1,
     "Check outcome: 0 pass, 1 warn, 2 fail, -1 skip (worst first: alert on >= 2)."},
    {"fabricperf_check_measured", "gauge", "checks[].measured, when a number (the check's own unit)", "", 1, 1,
     "Measured value of a check, when it is a number, in the unit the check's detail names."},
    {"fabricperf_check_expected", "gauge", "checks[].expected, when a number (the check's own unit)", "", 1, 1,
     "Expected value of a check, when it is a number, in the unit the check's detail names."},
    {"fabricperf_host_info", "gauge", "hosts[] (hostname, kernel, os, *_version, nvidia_driver)", "", 1, 1,
     "Always 1; labels carry the host's fingerprint (kernel, OS, driver and library versions)."},
    {"fabricperf_rdma_port_info", "gauge", "hosts[].rdma_devices[].ports[] (+ the device's fw_ver)", "", 1, 1,
     "Always 1; labels carry the RDMA port's firmware, link layer, state and rate text."},
    {"fabricperf_rdma_port_rate_bytes_per_second", "gauge", "hosts[].rdma_devices[].ports[].rate_gbps (Gbit/s)", "",
     kGbit, 8, "Line rate of the RDMA port in bytes per second (rate_gbps x 10^9 / 8)."},
    {"fabricperf_run_info", "gauge", "tool, version, schema", "", 1, 1,
     "Always 1; labels name the tool, its version and the schema."},
    {"fabricperf_run_status", "gauge", "status", "", 1, 1, "Run status: 0 ok, 1 failed, 2 aborted."},
    {"fabricperf_run_partial", "gauge", "partial", "", 1, 1, "1 when the run did not reach its end, else 0."},
    {"fabricperf_run_finished_timestamp_seconds", "gauge", "finished_at", "", 1, 1,
     "When the run finished, seconds since the Unix epoch."},
    {"fabricperf_run_duration_seconds", "gauge", "finished_at - started_at", "", 1, 1,
     "How long the run took in seconds."},
    {"fabricperf_run_errors", "gauge", "size of errors[]", "", 1, 1, "Errors the run recorded."},
    {"fabricperf_run_results", "gauge", "size of results[]", "", 1, 1, "Result rows in the document."},
}};

}  // namespace

std::span<const PrometheusMetric> prometheus_metrics() {
  return kMetrics;
}

const PrometheusMetric& prometheus_metric(std::string_view name) {
  for (const auto& m : kMetrics)
    if (m.name == name) return m;
  throw std::logic_error("no Prometheus family named " + std::string(name));
}

const PrometheusMetric* prometheus_family_of(std::string_view sample_name) {
  for (const auto& m : kMetrics) {
    if (sample_name == m.name) return &m;
    if (m.type != "histogram" || !sample_name.starts_with(m.name)) continue;
    const auto suffix = sample_name.substr(m.name.size());
    if (suffix == "_bucket" || suffix == "_sum" || suffix == "_count") return &m;
  }
  return nullptr;
}

}  // namespace fabricperf::results
