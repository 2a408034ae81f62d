// The window floor: a link whose slowest window (bw_min_gbps) drops below the floor fails even
// when its average passes (a flapping link). See judge.hpp.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "fabricperf/runners/judge.hpp"
#include "fabricperf/sizes.hpp"
#include "judge_rows.hpp"

namespace fabricperf::runners {
namespace {

using nlohmann::json;
using namespace judging;

// A rate in Gb/s with three significant digits: windows of a slow link are small numbers.
std::string gbps(double v) {
  char text[32];
  std::snprintf(text, sizeof text, v >= 100 ? "%.0f" : "%.3g", v);
  return text;
}

struct LinkFloor {
  const json* row = nullptr;
  double floor_gbps = 0;
  std::string why;  // "expect.bw_min_gbps" or "50 % of its 100.0 Gb/s line rate"
};

// The floor of one link: the Gb/s floor, or the % floor over its line rate, the higher of the
// two; nullopt when only a % floor is set and the line rate is unknown.
std::optional<LinkFloor> floor_of(const json& row, const JudgeOptions& o) {
  LinkFloor f{&row, o.bw_min_gbps, "expect.bw_min_gbps"};
  if (o.bw_min_line_rate_pct > 0) {
    const double line = value(row, "line_rate_gbps");
    if (std::isfinite(line) && line > 0 && o.bw_min_line_rate_pct / 100 * line > f.floor_gbps) {
      f.floor_gbps = o.bw_min_line_rate_pct / 100 * line;
      f.why = gbps(o.bw_min_line_rate_pct) + " % of its " + gbps(line) + " Gb/s line rate";
    }
  }
  if (f.floor_gbps <= 0) return std::nullopt;
  return f;
}

std::string window_ms_text(const json& row) {
  const double ms = value(row, "bw_window_ms");
  return std::isfinite(ms) ? num(ms, ms == std::floor(ms) ? 0 : 1) + " ms" : "window";
}

// "the 100 ms window at 0.70-0.80 s" or, on -b rows (no single window), "its slowest 100 ms
// windows (both directions summed)".
std::string which_window(const json& row) {
  const double at = value(row, "bw_min_at_s"), ms = value(row, "bw_window_ms");
  if (std::isfinite(at) && std::isfinite(ms))
    return "the " + window_ms_text(row) + " window at " + num(at, 2) + "-" + num(at + ms / 1000, 2) + " s";
  return "its slowest " + window_ms_text(row) + " windows (both directions summed)";
}

Check failing(const std::string& stage, const LinkFloor& f, std::uint64_t size) {
  const json& r = *f.row;
  const double min = value(r, "bw_min_gbps");
  json labels = {{"stage", stage}, {"size_bytes", size}, {"link", link_label(r)}};
  for (const char* key : {"host", "device", "peer_host", "peer_device", "rail"})
    if (r.contains(key)) labels[key] = r[key];
  json measured = {{"bw_min_gbps", min}, {"bw_avg_gbps", value(r, "bw_avg_gbps")}};
  if (r.contains("bw_min_at_s")) measured["bw_min_at_s"] = r["bw_min_at_s"];
  return make_check(stage + "_bw_min", CheckStatus::fail,
                    {{"min_gbps", f.floor_gbps}, {"window_ms", r.value("bw_window_ms", json(nullptr))}}, measured,
                    link_label(r) + ": " + which_window(r) + " moved " + gbps(min) + " Gb/s, below the floor " +
                        gbps(f.floor_gbps) + " Gb/s (" + f.why + ") at " + format_size(size) + "; its average " +
                        gbps(value(r, "bw_avg_gbps")) + " Gb/s",
                    labels);
}

}  // namespace

std::vector<Check> judge_window_floor(const std::string& stage, const json& rows, const JudgeOptions& options) {
  std::vector<Check> out;
  if (options.bw_min_gbps <= 0 && options.bw_min_line_rate_pct <= 0) return out;
  std::uint64_t size = 0;
  const auto links = at_largest_size(
      rows, "bw_avg_gbps", [](const json& r) { return !is_aggregate(r); }, &size);
  json labels = {{"stage", stage}, {"size_bytes", size}};
  json expected = {{"min_gbps", options.bw_min_gbps}, {"min_line_rate_pct", options.bw_min_line_rate_pct}};
  std::vector<LinkFloor> below;
  std::size_t judged = 0, too_short = 0, no_line_rate = 0;
  double lowest_pct_of_floor = INFINITY;
  const json* lowest = nullptr;
  for (const auto* r : links) {
    const auto f = floor_of(*r, options);
    if (!f) {
      ++no_line_rate;
      continue;
    }
    const double min = value(*r, "bw_min_gbps");
    if (!std::isfinite(min)) {
      ++too_short;
      continue;
    }
    ++judged;
    if (min < f->floor_gbps) below.push_back(*f);
    if (100 * min / f->floor_gbps < lowest_pct_of_floor) {
      lowest_pct_of_floor = 100 * min / f->floor_gbps;
      lowest = r;
    }
  }
  std::sort(below.begin(), below.end(), [](const LinkFloor& a, const LinkFloor& b) {
    return value(*a.row, "bw_min_gbps") < value(*b.row, "bw_min_gbps");
  });
  for (std::size_t i = 0; i < below.size() && i < options.max_named; ++i) out.push_back(failing(stage, below[i], size));
  if (below.size() > options.max_named)
    out.push_back(make_check(
        stage + "_bw_min", CheckStatus::fail, expected, {{"below", below.size()}},
        std::to_string(below.size() - options.max_named) + " more links had a window below the floor than named above",
        {{"stage", stage}, {"size_bytes", size}, {"link", "(more)"}}));
  if (!below.empty()) return out;

  std::string unjudged;
  if (too_short > 0)
    unjudged += std::to_string(too_short) +
                " link(s) ran fewer than two full windows (no bw_min_gbps: run longer, "
                "e.g. --bw-duration 2, or a shorter --window-ms)";
  if (no_line_rate > 0)
    unjudged += std::string(unjudged.empty() ? "" : "; ") + std::to_string(no_line_rate) +
                " link(s) have no known line rate for the % floor (set --expect-bw-min-gbps)";
  json measured = {{"links", links.size()}, {"judged", judged}, {"below", 0}};
  if (judged == 0)
    return {make_check(stage + "_bw_min", CheckStatus::skip, expected, measured,
                       links.empty() ? "no bandwidth was measured" : "no link could be judged: " + unjudged, labels)};
  std::string detail = "all " + std::to_string(judged) + " judged links kept every " + window_ms_text(*lowest) +
                       " window at or above their floor at " + format_size(size) + " (closest: " + link_label(*lowest) +
                       " at " + num(lowest_pct_of_floor) + " % of its floor)";
  if (!unjudged.empty()) detail += "; " + unjudged;
  return {make_check(stage + "_bw_min", unjudged.empty() ? CheckStatus::pass : CheckStatus::warn, expected, measured,
                     detail, labels)};
}

}  // namespace fabricperf::runners
