#include "fabricperf/bw/report.hpp"

#include <algorithm>
#include <cstdio>

namespace fabricperf::bw {

nlohmann::json LaneMeasurement::to_json() const {
  return {{"host", host},
          {"rank", rank},
          {"device", device},
          {"port", port},
          {"line_rate_gbps", line_rate_gbps},
          {"transmitted", transmitted},
          {"messages", tx.messages},
          {"bytes", tx.bytes},
          {"seconds", tx.seconds},
          {"bw_avg_gbps", tx.bw_avg_gbps},
          {"bw_peak_gbps", tx.bw_peak_gbps},
          {"msg_rate_mpps", tx.msg_rate_mpps},
          {"posted", posted},
          {"received", received},
          {"peer_sent", peer_sent},
          {"validation", validation.to_json()}};
}

LaneMeasurement LaneMeasurement::from_json(const nlohmann::json& j) {
  LaneMeasurement m;
  m.host = j.value("host", "");
  m.rank = j.value("rank", 0);
  m.device = j.value("device", "");
  m.port = j.value("port", 1);
  m.line_rate_gbps = j.value("line_rate_gbps", 0.0);
  m.transmitted = j.value("transmitted", false);
  m.tx.messages = j.value("messages", std::uint64_t{0});
  m.tx.bytes = j.value("bytes", std::uint64_t{0});
  m.tx.seconds = j.value("seconds", 0.0);
  m.tx.bw_avg_gbps = j.value("bw_avg_gbps", 0.0);
  m.tx.bw_peak_gbps = j.value("bw_peak_gbps", 0.0);
  m.tx.msg_rate_mpps = j.value("msg_rate_mpps", 0.0);
  m.posted = j.value("posted", std::uint64_t{0});
  m.received = j.value("received", std::uint64_t{0});
  m.peer_sent = j.value("peer_sent", std::uint64_t{0});
  if (j.contains("validation")) m.validation = verbs::ValidationOutcome::from_json(j.at("validation"));
  return m;
}

namespace {
double known_min(double a, double b) {
  if (a <= 0) return b;
  if (b <= 0) return a;
  return std::min(a, b);
}
nlohmann::json pct_or_null(double gbps, double line) {
  const auto pct = verbs::line_rate_pct(gbps, line);
  return pct ? nlohmann::json(*pct) : nlohmann::json(nullptr);
}
}  // namespace

nlohmann::json bw_row(const RowContext& ctx, const LaneMeasurement& initiator, const LaneMeasurement& target) {
  double avg = initiator.tx.bw_avg_gbps, peak = initiator.tx.bw_peak_gbps, mpps = initiator.tx.msg_rate_mpps;
  std::uint64_t bytes = initiator.tx.bytes, messages = initiator.tx.messages;
  double seconds = initiator.tx.seconds;
  if (ctx.bidirectional) {
    avg += target.tx.bw_avg_gbps;
    peak += target.tx.bw_peak_gbps;
    mpps += target.tx.msg_rate_mpps;
    bytes += target.tx.bytes;
    messages += target.tx.messages;
    seconds = std::max(seconds, target.tx.seconds);
  }
  const double line = known_min(initiator.line_rate_gbps, target.line_rate_gbps);
  std::uint64_t iterations = ctx.iterations;
  if (ctx.duration_mode) iterations = ctx.qps ? initiator.tx.messages / ctx.qps : initiator.tx.messages;
  nlohmann::json row = {{"device", initiator.device},
                        {"peer_device", target.device},
                        {"host", initiator.host},
                        {"peer_host", target.host},
                        {"rank", initiator.rank},
                        {"peer_rank", target.rank},
                        {"port", initiator.port},
                        {"pair", ctx.pair},
                        {"op", ctx.op},
                        {"size_bytes", ctx.size_bytes},
                        {"iterations", iterations},
                        {"qps", ctx.qps},
                        {"bidirectional", ctx.bidirectional},
                        {"bw_avg_gbps", avg},
                        {"bw_peak_gbps", std::max(peak, avg)},
                        {"msg_rate_mpps", mpps},
                        {"line_rate_pct", pct_or_null(avg, line)},
                        {"line_rate_gbps", line},
                        {"duration_s", seconds},
                        {"bytes", bytes},
                        {"messages", messages}};
  if (target.received > 0 || initiator.received > 0) {
    row["received_messages"] = target.received + (ctx.bidirectional ? initiator.received : 0);
  }
  if (initiator.validation.enabled || target.validation.enabled) {
    verbs::ValidationOutcome v = initiator.validation;
    v.merge(target.validation);
    row["validation"] = v.to_json();
  }
  return row;
}

nlohmann::json aggregate_row(const std::vector<nlohmann::json>& rows) {
  nlohmann::json agg = {{"aggregate", true}};
  nlohmann::json devices = nlohmann::json::array();
  double avg = 0, peak = 0, mpps = 0, line = 0;
  std::uint64_t iterations = 0, bytes = 0;
  bool line_known = true;
  for (const auto& r : rows) {
    devices.push_back(r.value("host", "") + ":" + r.value("device", ""));
    avg += r.value("bw_avg_gbps", 0.0);
    peak += r.value("bw_peak_gbps", 0.0);
    mpps += r.value("msg_rate_mpps", 0.0);
    iterations += r.value("iterations", std::uint64_t{0});
    bytes += r.value("bytes", std::uint64_t{0});
    const double l = r.value("line_rate_gbps", 0.0);
    if (l <= 0) line_known = false;
    line += l;
  }
  if (!rows.empty()) {
    agg["op"] = rows.front().value("op", "");
    agg["size_bytes"] = rows.front().value("size_bytes", std::uint64_t{0});
    agg["bidirectional"] = rows.front().value("bidirectional", false);
  }
  agg["devices"] = devices;
  agg["iterations"] = iterations;
  agg["bw_avg_gbps"] = avg;
  agg["bw_peak_gbps"] = std::max(peak, avg);
  agg["msg_rate_mpps"] = mpps;
  agg["bytes"] = bytes;
  agg["line_rate_gbps"] = line_known ? line : 0.0;
  agg["line_rate_pct"] = line_known ? pct_or_null(avg, line) : nlohmann::json(nullptr);
  return agg;
}

std::string table_rule() { return std::string(87, '-'); }

std::string table_header(bool gbits, bool with_device) {
  const char* unit = gbits ? "Gb/sec" : "MB/sec";
  char line[200];
  std::snprintf(line, sizeof line, " %-10s %-14s BW peak[%s]    BW average[%s]   MsgRate[Mpps]%s", "#bytes",
                "#iterations", unit, unit, with_device ? "   Device" : "");
  return line;
}

std::string table_line(const nlohmann::json& row, bool gbits, bool with_device) {
  const auto convert = [&](double gbps) { return gbits ? gbps : gbps * 1e9 / 8.0 / 1048576.0; };
  char line[256];
  std::string device;
  if (with_device) {
    device = row.value("aggregate", false) ? "   (aggregate)"
                                            : "   " + row.value("host", "") + ":" + row.value("device", "") + " -> " +
                                                  row.value("peer_host", "") + ":" + row.value("peer_device", "");
  }
  std::snprintf(line, sizeof line, " %-10llu %-14llu %-18.2f %-20.2f %-12.6f%s",
                static_cast<unsigned long long>(row.value("size_bytes", std::uint64_t{0})),
                static_cast<unsigned long long>(row.value("iterations", std::uint64_t{0})),
                convert(row.value("bw_peak_gbps", 0.0)), convert(row.value("bw_avg_gbps", 0.0)),
                row.value("msg_rate_mpps", 0.0), device.c_str());
  return line;
}

}  // namespace fabricperf::bw
