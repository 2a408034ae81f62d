#pragma once
// fp_lat's result rows and perftest-shaped table (pure functions, unit-tested).
#include <cstdint>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "fabricperf/stats.hpp"

namespace fabricperf::latency {

struct LatencyRowContext {
  std::string op;
  std::uint64_t size_bytes = 0;
  std::string device, peer_device, host, peer_host;
  int rank = 0, peer_rank = 0, port = 1;
  std::size_t pair = 0;
  bool half_round_trip = true;   // write/send: half the round trip; read/atomic: full
};

// Row from exact samples (iteration mode): sorts `samples_us` in place.
// Fields: device, peer_device, host, peer_host, rank, peer_rank, port, pair, op, size_bytes,
// iterations, t_min_us, t_max_us, t_typical_us (median), t_avg_us, t_stdev_us, p50_us, p90_us,
// p99_us, p99_9_us, p99_99_us, histogram (log_bucket_histogram), latency ("half_round_trip"|"round_trip").
[[nodiscard]] nlohmann::json latency_row(const LatencyRowContext& ctx, std::span<double> samples_us);
// Row from a duration-mode histogram of nanoseconds (percentiles from the buckets).
[[nodiscard]] nlohmann::json latency_row(const LatencyRowContext& ctx, const LogHistogram& histogram_ns);

[[nodiscard]] std::string table_rule();
[[nodiscard]] std::string table_header(bool with_device);
[[nodiscard]] std::string table_line(const nlohmann::json& row, bool with_device);

}  // namespace fabricperf::latency
