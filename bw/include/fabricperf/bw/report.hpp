#pragma once
// fp_bw's result rows and perftest-shaped table, from the per-lane measurements every rank
// gathers. Pure functions (unit-tested without devices).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fabricperf/verbs/metrics.hpp"
#include "fabricperf/verbs/validation.hpp"

namespace fabricperf::bw {

// One side's measurement on one device for one run, as gathered between ranks.
struct LaneMeasurement {
  std::string host;
  int rank = 0;
  std::string device;
  int port = 1;
  double line_rate_gbps = 0;
  bool transmitted = false;
  verbs::BandwidthFigures tx;
  std::uint64_t posted = 0, received = 0, peer_sent = 0;
  verbs::ValidationOutcome validation;

  [[nodiscard]] nlohmann::json to_json() const;
  [[nodiscard]] static LaneMeasurement from_json(const nlohmann::json& j);
};

struct RowContext {
  std::string op;
  std::uint64_t size_bytes = 0;
  std::uint32_t qps = 1;
  bool bidirectional = false;
  bool duration_mode = false;
  std::uint64_t iterations = 0;  // per QP, iteration mode
  std::size_t pair = 0;
};

// The result row of one device of one pair: the initiator's transmit figures (plus the
// target's with -b), identity fields, validation merged from both sides.
// Fields: device, peer_device, host, peer_host, rank, peer_rank, port, pair, op, size_bytes,
// iterations, qps, bidirectional, bw_avg_gbps, bw_peak_gbps, msg_rate_mpps, line_rate_pct,
// line_rate_gbps, duration_s, bytes, messages; validation when enabled.
[[nodiscard]] nlohmann::json bw_row(const RowContext& ctx, const LaneMeasurement& initiator,
                                    const LaneMeasurement& target);

// Sum of several rows of one size run at the same time: {"aggregate": true, "devices": [...],
// "op", "size_bytes", "iterations", bw_* and msg_rate sums, line_rate_pct over summed line rates}.
[[nodiscard]] nlohmann::json aggregate_row(const std::vector<nlohmann::json>& rows);

// perftest-shaped table. gbits: Gb/s columns (--report_gbits), else MB/sec (2^20 B/s).
[[nodiscard]] std::string table_rule();
[[nodiscard]] std::string table_header(bool gbits, bool with_device);
[[nodiscard]] std::string table_line(const nlohmann::json& row, bool gbits, bool with_device);

}  // namespace fabricperf::bw
