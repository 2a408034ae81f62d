#include "fabricperf/results/row_arithmetic.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>

#include "fabricperf/results/document.hpp"

namespace fabricperf::results {
namespace {

std::optional<double> number(const nlohmann::json& row, const char* key) {
  const auto it = row.find(key);
  if (it == row.end() || !it->is_number()) return std::nullopt;
  const double v = it->get<double>();
  return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

bool is_aggregate(const nlohmann::json& row) {
  const auto it = row.find("aggregate");
  return it != row.end() && (it->is_object() || (it->is_boolean() && it->get<bool>()));
}

// A JSON integer >= 0 (parsed as unsigned, or built from a signed C++ integer).
std::optional<std::uint64_t> count(const nlohmann::json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v.get<std::int64_t>());
  return std::nullopt;
}

bool close(double value, double expected) {
  return std::fabs(value - expected) <= kArithmeticTolerance * std::fabs(expected) + 1e-12;
}

// bytes = messages x size_bytes, exactly (a product past 2^64 cannot equal a 64-bit bytes).
void check_bytes(const nlohmann::json& row, const std::string& where, std::vector<Problem>& out) {
  const auto bytes = row.find("bytes"), messages = row.find("messages"), size = row.find("size_bytes");
  if (bytes == row.end() || messages == row.end() || size == row.end()) return;
  const auto b = count(*bytes), m = count(*messages), z = count(*size);
  if (!b || !m || !z) {
    if (bytes->is_number() && messages->is_number() && size->is_number() &&
        !close(bytes->get<double>(), messages->get<double>() * size->get<double>()))
      out.push_back({where + "/bytes", format_number(bytes->get<double>()) + " is not messages x size_bytes = " +
                                           format_number(messages->get<double>() * size->get<double>())});
    return;
  }
  const bool overflows = *z != 0 && *m > std::numeric_limits<std::uint64_t>::max() / *z;
  if (overflows || *m * *z != *b)
    out.push_back({where + "/bytes",
                   bytes->dump() + " is not messages x size_bytes = " + messages->dump() + " x " + size->dump()});
}

void check_rate(const std::string& where, const char* field, double value, double expected, const char* formula,
                std::vector<Problem>& out) {
  if (close(value, expected)) return;
  std::string message = format_number(value) + " but " + formula + " = " + format_number(expected);
  if (expected != 0) {
    char pct[32];
    std::snprintf(pct, sizeof pct, "%.3g", 100.0 * (value - expected) / expected);
    message += std::string(" (off by ") + pct + " %)";
  }
  out.push_back({where + "/" + field, message});
}

// Windowed bandwidth: the full windows fit the measured time, and a minimum or a variation
// needs two of them.
void check_windows(const nlohmann::json& row, const std::string& where, std::optional<double> duration,
                   std::vector<Problem>& out) {
  const auto window_ms = number(row, "bw_window_ms");
  const auto it = row.find("bw_windows");
  if (!window_ms || it == row.end()) return;
  const auto windows = count(*it);
  if (!windows) return;  // the schema reports the type
  const double window_s = *window_ms / 1000;
  if (duration && !is_aggregate(row) && static_cast<double>(*windows) * window_s > *duration &&
      !close(static_cast<double>(*windows) * window_s, *duration))
    out.push_back({where + "/bw_windows", std::to_string(*windows) + " windows of " + format_number(*window_ms) +
                                              " ms do not fit duration_s " + format_number(*duration)});
  if (const auto at = number(row, "bw_min_at_s");
      at && duration && *at + window_s > *duration && !close(*at + window_s, *duration))
    out.push_back({where + "/bw_min_at_s",
                   "the window at " + format_number(*at) + " s ends after duration_s " + format_number(*duration)});
  if (*windows >= 2) return;
  for (const char* key : {"bw_min_gbps", "bw_cv"})
    if (number(row, key))
      out.push_back({where + "/" + key, std::string("set, but a minimum and a variation need 2 full windows, not ") +
                                            std::to_string(*windows)});
}

}  // namespace

std::vector<Problem> check_row_arithmetic(const nlohmann::json& doc) {
  std::vector<Problem> out;
  const auto results = doc.find("results");
  if (!doc.is_object() || results == doc.end() || !results->is_array()) return out;
  for (std::size_t i = 0; i < results->size(); ++i) {
    const nlohmann::json& row = (*results)[i];
    if (!row.is_object() || row.contains("kind")) continue;
    const auto bw = number(row, "bw_avg_gbps");
    if (!bw) continue;
    const std::string where = "results/" + std::to_string(i);
    check_bytes(row, where, out);
    if (const auto peak = number(row, "bw_peak_gbps"); peak && *peak < *bw && !close(*peak, *bw))
      out.push_back({where + "/bw_peak_gbps", format_number(*peak) + " is below bw_avg_gbps " + format_number(*bw)});
    const auto duration = number(row, "duration_s");
    check_windows(row, where, duration, out);
    if (is_aggregate(row) || !duration || !(*duration > 0)) continue;
    if (const auto bytes = number(row, "bytes"))
      check_rate(where, "bw_avg_gbps", *bw, *bytes * 8.0 / *duration / 1e9, "bytes x 8 / duration_s / 1e9", out);
    const auto messages = number(row, "messages");
    if (const auto rate = number(row, "msg_rate_mpps"); rate && messages)
      check_rate(where, "msg_rate_mpps", *rate, *messages / *duration / 1e6, "messages / duration_s / 1e6", out);
  }
  return out;
}

}  // namespace fabricperf::results
