#include "fabricperf/latency/report.hpp"

#include <cstdio>

namespace fabricperf::latency {
namespace {

nlohmann::json base_row(const LatencyRowContext& ctx, std::uint64_t iterations) {
  return {{"device", ctx.device},
          {"peer_device", ctx.peer_device},
          {"host", ctx.host},
          {"peer_host", ctx.peer_host},
          {"rank", ctx.rank},
          {"peer_rank", ctx.peer_rank},
          {"port", ctx.port},
          {"pair", ctx.pair},
          {"op", ctx.op},
          {"size_bytes", ctx.size_bytes},
          {"iterations", iterations},
          {"latency", ctx.half_round_trip ? "half_round_trip" : "round_trip"}};
}

void put_summary(nlohmann::json& row, const Summary& s) {
  row["t_min_us"] = s.min;
  row["t_max_us"] = s.max;
  row["t_typical_us"] = s.median;
  row["t_avg_us"] = s.mean;
  row["t_stdev_us"] = s.stdev;
  row["p50_us"] = s.median;
  row["p90_us"] = s.p90;
  row["p99_us"] = s.p99;
  row["p99_9_us"] = s.p99_9;
  row["p99_99_us"] = s.p99_99;
}

}  // namespace

nlohmann::json latency_row(const LatencyRowContext& ctx, std::span<double> samples_us) {
  const Summary s = summarize_in_place(samples_us);
  nlohmann::json row = base_row(ctx, s.count);
  put_summary(row, s);
  row["histogram"] = log_bucket_histogram(samples_us);
  return row;
}

nlohmann::json latency_row(const LatencyRowContext& ctx, const LogHistogram& histogram_ns) {
  const Summary s = histogram_ns.summary(1000.0);
  nlohmann::json row = base_row(ctx, histogram_ns.count());
  put_summary(row, s);
  row["histogram"] = histogram_ns.to_json(1000.0);
  return row;
}

std::string table_rule() { return std::string(119, '-'); }

std::string table_header(bool with_device) {
  char line[300];
  std::snprintf(line, sizeof line,
                " %-8s %-12s %-13s %-13s %-16s %-13s %-15s %-22s %-22s%s", "#bytes", "#iterations", "t_min[usec]",
                "t_max[usec]", "t_typical[usec]", "t_avg[usec]", "t_stdev[usec]", "99% percentile[usec]",
                "99.9% percentile[usec]", with_device ? "  Device" : "");
  return line;
}

std::string table_line(const nlohmann::json& row, bool with_device) {
  char line[400];
  std::string device;
  if (with_device)
    device = "  " + row.value("host", "") + ":" + row.value("device", "") + " -> " + row.value("peer_host", "") + ":" +
             row.value("peer_device", "");
  std::snprintf(line, sizeof line, " %-8llu %-12llu %-13.2f %-13.2f %-16.2f %-13.2f %-15.2f %-22.2f %-22.2f%s",
                static_cast<unsigned long long>(row.value("size_bytes", std::uint64_t{0})),
                static_cast<unsigned long long>(row.value("iterations", std::uint64_t{0})), row.value("t_min_us", 0.0),
                row.value("t_max_us", 0.0), row.value("t_typical_us", 0.0), row.value("t_avg_us", 0.0),
                row.value("t_stdev_us", 0.0), row.value("p99_us", 0.0), row.value("p99_9_us", 0.0), device.c_str());
  return line;
}

}  // namespace fabricperf::latency
