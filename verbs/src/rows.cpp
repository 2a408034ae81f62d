#include "fabricperf/verbs/rows.hpp"

#include <algorithm>
#include <cmath>

#include "fabricperf/error.hpp"

namespace fabricperf::verbs {
namespace {

using nlohmann::json;

// A field of a peer's lane message: absent -> fallback; present -> the right type and range.
template <typename T>
T field(const json& j, const char* key, T fallback, const std::string& from) {
  const auto it = j.find(key);
  if (it == j.end()) return fallback;
  const auto bad = [&](const char* why) {
    return PeerError(from, from + " sent a lane measurement whose '" + key + "' " + why);
  };
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) throw bad("is not a string");
    if (it->get_ref<const std::string&>().size() > 4096) throw bad("is too long");
    return it->get<std::string>();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!it->is_boolean()) throw bad("is not true/false");
    return it->get<bool>();
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!it->is_number()) throw bad("is not a number");
    const double v = it->get<double>();
    if (!std::isfinite(v) || v < 0) throw bad("is out of range");
    return v;
  } else {
    if (!it->is_number_integer() && !it->is_number_unsigned()) throw bad("is not an integer");
    if (it->is_number_integer() && it->get<std::int64_t>() < 0) throw bad("is negative");
    return it->get<T>();
  }
}

// An optional number >= 0: absent or null -> nullopt; anything else must be finite and >= 0
// (`bad(key, why)` builds the exception).
template <typename Bad>
std::optional<double> optional_number(const json& j, const char* key, Bad&& bad) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_number()) throw bad(key, "is not a number");
  const double v = it->get<double>();
  if (!std::isfinite(v) || v < 0) throw bad(key, "is out of range");
  return v;
}

json or_null(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

// The window length in ms as configured: the engine's window is a whole number of ticks, which
// differs from it by less than a tick; microsecond precision removes that.
double window_ms_of(const WindowFigures& w) {
  return std::round(w.window_s * 1e6) / 1e3;
}

double known_min(double a, double b) {
  if (a <= 0) return b;
  if (b <= 0) return a;
  return std::min(a, b);
}

json pct_json(std::optional<double> pct) {
  return pct ? json(*pct) : json(nullptr);
}

void put_summary(json& row, const Summary& s) {
  row["iterations"] = s.count;
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

LaneMeasurement LaneMeasurement::of(const BandwidthResult& result, const std::string& host, int rank,
                                    const PortSelection& port) {
  LaneMeasurement m;
  m.host = host;
  m.rank = rank;
  m.device = port.device;
  m.port = port.port;
  m.line_rate_gbps = port.line_rate_gbps;
  m.transmitted = result.transmitted;
  m.tx = result.tx;
  m.windows = result.tx_windows;
  m.posted = result.posted;
  m.received = result.received;
  m.peer_sent = result.peer_sent;
  m.validation = result.validation;
  return m;
}

json LaneMeasurement::to_json() const {
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
          {"window_s", windows.window_s},
          {"full_windows", windows.full_windows},
          {"bw_min_gbps", or_null(windows.min_gbps)},
          {"bw_min_at_s", or_null(windows.min_at_s)},
          {"bw_cv", or_null(windows.cv)},
          {"validation", validation.to_json()}};
}

LaneMeasurement LaneMeasurement::from_json(const json& j, const std::string& from) {
  if (!j.is_object()) throw PeerError(from, from + " sent a lane measurement that is not an object");
  LaneMeasurement m;
  m.host = field<std::string>(j, "host", "", from);
  m.rank = static_cast<int>(field<std::uint32_t>(j, "rank", 0, from));
  m.device = field<std::string>(j, "device", "", from);
  m.port = static_cast<int>(field<std::uint32_t>(j, "port", 1, from));
  m.line_rate_gbps = field<double>(j, "line_rate_gbps", 0, from);
  m.transmitted = field<bool>(j, "transmitted", false, from);
  m.tx.messages = field<std::uint64_t>(j, "messages", 0, from);
  m.tx.bytes = field<std::uint64_t>(j, "bytes", 0, from);
  m.tx.seconds = field<double>(j, "seconds", 0, from);
  m.tx.bw_avg_gbps = field<double>(j, "bw_avg_gbps", 0, from);
  m.tx.bw_peak_gbps = field<double>(j, "bw_peak_gbps", 0, from);
  m.tx.msg_rate_mpps = field<double>(j, "msg_rate_mpps", 0, from);
  m.posted = field<std::uint64_t>(j, "posted", 0, from);
  m.received = field<std::uint64_t>(j, "received", 0, from);
  m.peer_sent = field<std::uint64_t>(j, "peer_sent", 0, from);
  m.windows.window_s = field<double>(j, "window_s", 0, from);
  m.windows.full_windows = field<std::uint64_t>(j, "full_windows", 0, from);
  const auto bad = [&](const char* key, const char* why) {
    return PeerError(from, from + " sent a lane measurement whose '" + key + "' " + why);
  };
  m.windows.min_gbps = optional_number(j, "bw_min_gbps", bad);
  m.windows.min_at_s = optional_number(j, "bw_min_at_s", bad);
  m.windows.cv = optional_number(j, "bw_cv", bad);
  if (j.contains("validation")) m.validation = ValidationOutcome::from_json(j.at("validation"));
  return m;
}

void RowIdentity::write(json& row) const {
  row["host"] = host;
  row["peer_host"] = peer_host;
  row["rank"] = rank;
  row["peer_rank"] = peer_rank;
  row["device"] = device;
  row["peer_device"] = peer_device;
  row["port"] = port;
  if (pair) row["pair"] = *pair;
  row["op"] = op;
  row["size_bytes"] = size_bytes;
  row["qps"] = qps;
  row["bidirectional"] = bidirectional;
}

RowIdentity RowIdentity::read(const json& row) {
  RowIdentity id;
  id.host = row.value("host", "");
  id.peer_host = row.value("peer_host", "");
  id.rank = row.value("rank", 0);
  id.peer_rank = row.value("peer_rank", 0);
  id.device = row.value("device", "");
  id.peer_device = row.value("peer_device", "");
  id.port = row.value("port", 1);
  if (row.contains("pair")) id.pair = row.at("pair").get<std::size_t>();
  id.op = row.value("op", "");
  id.size_bytes = row.value("size_bytes", std::uint64_t{0});
  id.qps = row.value("qps", 1U);
  id.bidirectional = row.value("bidirectional", false);
  return id;
}

std::optional<double> BwRow::line_rate_pct() const noexcept {
  return verbs::line_rate_pct(bw_avg_gbps, line_rate_gbps);
}

json BwRow::to_json() const {
  json row;
  id.write(row);
  row["iterations"] = iterations;
  row["messages"] = messages;
  row["bytes"] = bytes;
  row["duration_s"] = duration_s;
  row["bw_avg_gbps"] = bw_avg_gbps;
  row["bw_peak_gbps"] = bw_peak_gbps;
  row["msg_rate_mpps"] = msg_rate_mpps;
  row["line_rate_gbps"] = line_rate_gbps;
  row["line_rate_pct"] = pct_json(line_rate_pct());
  if (window_ms > 0) {
    row["bw_window_ms"] = window_ms;
    row["bw_windows"] = windows;
    row["bw_min_gbps"] = or_null(bw_min_gbps);
    row["bw_cv"] = or_null(bw_cv);
    row["bw_min_at_s"] = or_null(bw_min_at_s);
  }
  if (received_messages) row["received_messages"] = *received_messages;
  if (validation) row["validation"] = validation->to_json();
  return row;
}

BwRow BwRow::from_json(const json& row) {
  BwRow r;
  r.id = RowIdentity::read(row);
  r.iterations = row.value("iterations", std::uint64_t{0});
  r.messages = row.value("messages", std::uint64_t{0});
  r.bytes = row.value("bytes", std::uint64_t{0});
  r.duration_s = row.value("duration_s", 0.0);
  r.bw_avg_gbps = row.value("bw_avg_gbps", 0.0);
  r.bw_peak_gbps = row.value("bw_peak_gbps", 0.0);
  r.msg_rate_mpps = row.value("msg_rate_mpps", 0.0);
  r.line_rate_gbps = row.value("line_rate_gbps", 0.0);
  const auto bad = [](const char* key, const char* why) {
    return Error(std::string("bandwidth row: '") + key + "' " + why);
  };
  r.window_ms = optional_number(row, "bw_window_ms", bad).value_or(0);
  if (const auto w = optional_number(row, "bw_windows", bad)) {
    if (!row.at("bw_windows").is_number_integer() && !row.at("bw_windows").is_number_unsigned())
      throw bad("bw_windows", "is not an integer");
    r.windows = row.at("bw_windows").get<std::uint64_t>();
  }
  r.bw_min_gbps = optional_number(row, "bw_min_gbps", bad);
  r.bw_min_at_s = optional_number(row, "bw_min_at_s", bad);
  r.bw_cv = optional_number(row, "bw_cv", bad);
  if (row.contains("received_messages")) r.received_messages = row.at("received_messages").get<std::uint64_t>();
  if (row.contains("validation")) r.validation = ValidationOutcome::from_json(row.at("validation"));
  return r;
}

namespace {
// One direction: its windows as they are. Both: the sum of the minima over the fewer full
// windows, no variation and no single slowest window (see rows.hpp).
void add_windows(BwRow& r, bool bidirectional, const WindowFigures& initiator, const WindowFigures& target) {
  if (initiator.window_s <= 0) return;
  r.window_ms = window_ms_of(initiator);
  r.windows = initiator.full_windows;
  if (!bidirectional) {
    r.bw_min_gbps = initiator.min_gbps;
    r.bw_min_at_s = initiator.min_at_s;
    r.bw_cv = initiator.cv;
    return;
  }
  r.windows = std::min(initiator.full_windows, target.full_windows);
  if (initiator.min_gbps && target.min_gbps && window_ms_of(target) == r.window_ms)
    r.bw_min_gbps = *initiator.min_gbps + *target.min_gbps;
}
}  // namespace

BwRow make_bw_row(RowIdentity id, const LaneMeasurement& initiator, const LaneMeasurement& target) {
  id.host = initiator.host;
  id.rank = initiator.rank;
  id.device = initiator.device;
  id.port = initiator.port;
  id.peer_host = target.host;
  id.peer_rank = target.rank;
  id.peer_device = target.device;
  BwRow r;
  r.messages = initiator.tx.messages;
  r.duration_s = initiator.tx.seconds;
  r.bw_peak_gbps = initiator.tx.bw_peak_gbps;
  if (id.bidirectional) {
    r.messages += target.tx.messages;
    r.duration_s = std::max(r.duration_s, target.tx.seconds);
    r.bw_peak_gbps += target.tx.bw_peak_gbps;
  }
  r.iterations = id.qps > 0 ? initiator.tx.messages / id.qps : initiator.tx.messages;
  r.bytes = r.messages * id.size_bytes;
  r.bw_avg_gbps = bandwidth_gbps(r.bytes, r.duration_s);
  r.msg_rate_mpps = message_rate_mpps(r.messages, r.duration_s);
  r.bw_peak_gbps = std::max(r.bw_peak_gbps, r.bw_avg_gbps);
  r.line_rate_gbps = known_min(initiator.line_rate_gbps, target.line_rate_gbps);
  add_windows(r, id.bidirectional, initiator.windows, target.windows);
  if (target.received > 0 || initiator.received > 0)
    r.received_messages = target.received + (id.bidirectional ? initiator.received : 0);
  if (initiator.validation.enabled || target.validation.enabled) {
    ValidationOutcome v = initiator.validation;
    v.merge(target.validation);
    r.validation = v;
  }
  r.id = std::move(id);
  return r;
}

json aggregate_row(const std::vector<BwRow>& rows) {
  json agg = {{"aggregate", true}};
  json devices = json::array();
  double avg = 0, peak = 0, mpps = 0, line = 0, seconds = 0;
  std::uint64_t iterations = 0, messages = 0, bytes = 0;
  bool line_known = true;
  double min_sum = 0;
  bool same_windows = !rows.empty(), min_known = true;
  std::uint64_t fewest_windows = 0;
  for (const auto& r : rows) {
    same_windows = same_windows && r.window_ms > 0 && r.window_ms == rows.front().window_ms;
    min_known = min_known && r.bw_min_gbps;
    if (r.bw_min_gbps) min_sum += *r.bw_min_gbps;
    fewest_windows = &r == &rows.front() ? r.windows : std::min(fewest_windows, r.windows);
    devices.push_back(r.id.host + ":" + r.id.device);
    avg += r.bw_avg_gbps;
    peak += r.bw_peak_gbps;
    mpps += r.msg_rate_mpps;
    iterations += r.iterations;
    messages += r.messages;
    bytes += r.bytes;
    seconds = std::max(seconds, r.duration_s);
    if (r.line_rate_gbps <= 0) line_known = false;
    line += r.line_rate_gbps;
  }
  if (!rows.empty()) {
    agg["op"] = rows.front().id.op;
    agg["size_bytes"] = rows.front().id.size_bytes;
    agg["qps"] = rows.front().id.qps;
    agg["bidirectional"] = rows.front().id.bidirectional;
  }
  agg["devices"] = devices;
  agg["iterations"] = iterations;
  agg["messages"] = messages;
  agg["bytes"] = bytes;
  agg["duration_s"] = seconds;
  agg["bw_avg_gbps"] = avg;
  agg["bw_peak_gbps"] = std::max(peak, avg);
  agg["msg_rate_mpps"] = mpps;
  agg["line_rate_gbps"] = line_known ? line : 0.0;
  agg["line_rate_pct"] = line_known ? pct_json(line_rate_pct(avg, line)) : json(nullptr);
  if (same_windows) {
    agg["bw_window_ms"] = rows.front().window_ms;
    agg["bw_windows"] = fewest_windows;
    agg["bw_min_gbps"] = min_known ? json(min_sum) : json(nullptr);
  }
  return agg;
}

json LatRow::to_json() const {
  json row;
  id.write(row);
  put_summary(row, summary);
  row["histogram"] = histogram;
  row["latency"] = half_round_trip ? "half_round_trip" : "round_trip";
  if (validation) row["validation"] = validation->to_json();
  return row;
}

LatRow LatRow::from_json(const json& row) {
  LatRow r;
  r.id = RowIdentity::read(row);
  r.summary.count = row.value("iterations", std::size_t{0});
  r.summary.min = row.value("t_min_us", 0.0);
  r.summary.max = row.value("t_max_us", 0.0);
  r.summary.median = row.value("t_typical_us", 0.0);
  r.summary.mean = row.value("t_avg_us", 0.0);
  r.summary.stdev = row.value("t_stdev_us", 0.0);
  r.summary.p90 = row.value("p90_us", 0.0);
  r.summary.p99 = row.value("p99_us", 0.0);
  r.summary.p99_9 = row.value("p99_9_us", 0.0);
  r.summary.p99_99 = row.value("p99_99_us", 0.0);
  r.histogram = row.value("histogram", json::array());
  r.half_round_trip = row.value("latency", "half_round_trip") == "half_round_trip";
  if (row.contains("validation")) r.validation = ValidationOutcome::from_json(row.at("validation"));
  return r;
}

LatRow make_lat_row(RowIdentity id, const LatencyResult& result) {
  LatRow r;
  r.id = std::move(id);
  r.id.qps = 1;
  r.id.bidirectional = false;
  if (result.duration_mode) {
    r.summary = result.histogram_ns.summary(1000.0);
    r.histogram = result.histogram_ns.to_json(1000.0);
  } else {
    std::vector<double> samples = result.samples_us;
    r.summary = summarize_in_place(samples);
    r.histogram = log_bucket_histogram(samples);
  }
  r.half_round_trip = result.divisor == 2;
  if (result.validation.enabled) r.validation = result.validation;
  return r;
}

}  // namespace fabricperf::verbs
