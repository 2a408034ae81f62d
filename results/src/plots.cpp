#include "plots.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "fabricperf/results/document.hpp"
#include "fabricperf/results/html_report.hpp"
#include "fabricperf/sizes.hpp"
#include "heatmap_key.hpp"

namespace fabricperf::results {
namespace detail {
namespace {

constexpr std::size_t kMaxSeriesPerChart = 12;
constexpr std::size_t kMaxLatencyCharts = 24;
constexpr std::size_t kMaxLineCharts = 24;  // per section: documents can hold millions of rows
constexpr std::size_t kMaxBars = 32;

const nlohmann::json& results_of(const nlohmann::json& doc) {
  static const nlohmann::json empty = nlohmann::json::array();
  return doc.is_object() && doc.contains("results") && doc["results"].is_array() ? doc["results"] : empty;
}

std::string field_text(const Identity& id, const std::string& key) {
  for (const auto& [k, v] : id)
    if (k == key) return v;
  return "";
}

// One chart's worth of series, keyed by the fields the chart is split by.
struct Point {
  double x, y;
  bool regressed;
};
struct SeriesData {
  Identity id;  // without the chart fields and size
  std::vector<Point> points;
};
struct ChartData {
  std::string title;
  std::string heatmap_key;  // stage + "\n" + op: the node-pair matrix that may show the same rows
  bool pairs = false;       // rows name a host and a peer host
  std::vector<std::string> order;
  std::map<std::string, SeriesData> series;  // by identity_key(id)
};

struct Grouping {
  std::set<std::string> chart_fields;  // split into charts by these
  std::string metric;                  // y
  std::string title_prefix;
};

std::map<std::string, ChartData> group(const nlohmann::json& doc, const Grouping& g, const IdentityRules& rules,
                                       const std::set<std::string>& regressed, std::vector<std::string>& chart_order,
                                       const std::function<bool(const nlohmann::json&)>& want) {
  std::map<std::string, ChartData> charts;
  for (const auto& row : results_of(doc)) {
    if (!row.is_object() || !want(row)) continue;
    const auto y = number_field(row, g.metric);
    const auto x = number_field(row, "size_bytes");
    if (!y || !x) continue;
    const Identity id = identity_of(row, rules);
    std::string chart_key, title = g.title_prefix;
    Identity series_id;
    for (const auto& [k, v] : id) {
      if (g.chart_fields.contains(k)) {
        chart_key += k + "=" + v + "\n";
        title += (k == "stage" ? " [" + v + "]" : " " + v);
      } else if (k != "size_bytes") {
        series_id.emplace_back(k, v);
      }
    }
    auto [it, inserted] = charts.try_emplace(chart_key);
    if (inserted) {
      chart_order.push_back(chart_key);
      it->second.title = title;
      it->second.heatmap_key = field_text(id, "stage") + "\n" + field_text(id, "op");
    }
    it->second.pairs = it->second.pairs || (row.contains("host") && row.contains("peer_host"));
    const std::string series_key = identity_key(series_id);
    auto [s, new_series] = it->second.series.try_emplace(series_key);
    if (new_series) {
      it->second.order.push_back(series_key);
      s->second.id = series_id;
    }
    s->second.points.push_back({*x, *y, regressed.contains(identity_key(id) + "\n" + g.metric)});
  }
  for (auto& [key, chart] : charts)
    for (auto& [name, series] : chart.series)
      std::sort(series.points.begin(), series.points.end(), [](const Point& a, const Point& b) { return a.x < b.x; });
  return charts;
}

nlohmann::json points_json(const std::vector<Point>& points) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : points) out.push_back({p.x, p.y, p.regressed});
  return out;
}

// Names for a chart's series: what they do not all share (the shared part goes in the title).
std::pair<std::vector<std::string>, std::string> series_names(const std::vector<const SeriesData*>& series) {
  std::vector<const Identity*> ids;
  for (const auto* s : series) ids.push_back(&s->id);
  const Identity common = common_fields(ids);
  std::vector<std::string> names;
  for (const auto* s : series) names.push_back(compact_name(without(s->id, common), {}));
  return {names, common.empty() ? "" : " \u00b7 " + compact_name(common, {})};
}

// Charts of `metric` vs message size, one per value of the chart fields: line charts of the
// series with two sizes or more (at most kMaxSeriesPerChart each); where every series has one
// size, a bar chart, unless those rows are a node-pair matrix the heatmap shows.
void size_charts(nlohmann::json& specs, const std::string& section, const std::string& id_prefix,
                 const nlohmann::json& doc, const nlohmann::json* baseline, const Grouping& g,
                 const std::string& y_label, const IdentityRules& rules, const std::set<std::string>& regressed,
                 const std::set<std::string>& heatmap_keys, const std::function<bool(const nlohmann::json&)>& want) {
  std::vector<std::string> order, base_order;
  auto charts = group(doc, g, rules, regressed, order, want);
  std::map<std::string, ChartData> base_charts;
  if (baseline != nullptr) base_charts = group(*baseline, g, rules, {}, base_order, want);
  std::size_t index = 0;
  for (const auto& key : order) {
    if (index >= kMaxLineCharts) break;
    const ChartData& chart = charts[key];
    const auto base_chart = base_charts.find(key);
    const auto baseline_of = [&](const std::string& series_key) -> const SeriesData* {
      if (base_chart == base_charts.end()) return nullptr;
      const auto b = base_chart->second.series.find(series_key);
      return b == base_chart->second.series.end() || b->second.points.empty() ? nullptr : &b->second;
    };
    std::vector<std::string> lines, bars;
    for (const auto& series_key : chart.order)
      (chart.series.at(series_key).points.size() >= 2 ? lines : bars).push_back(series_key);
    if (!lines.empty()) {
      const std::size_t parts = (lines.size() + kMaxSeriesPerChart - 1) / kMaxSeriesPerChart;
      for (std::size_t part = 0; part < parts && index < kMaxLineCharts; ++part) {
        std::vector<const SeriesData*> series;
        std::vector<std::string> keys;
        for (std::size_t i = part * kMaxSeriesPerChart; i < std::min(lines.size(), (part + 1) * kMaxSeriesPerChart);
             ++i) {
          series.push_back(&chart.series.at(lines[i]));
          keys.push_back(lines[i]);
        }
        const auto [names, shared] = series_names(series);
        nlohmann::json spec = {
            {"id", id_prefix + std::to_string(index++)},
            {"section", section},
            {"kind", "line"},
            {"title", chart.title + shared +
                          (parts > 1 ? " (" + std::to_string(part + 1) + "/" + std::to_string(parts) + ")" : "")},
            {"x_kind", "size"},
            {"x_label", "message size (bytes)"},
            {"y_label", y_label},
            {"y_log", false},
            {"series", nlohmann::json::array()}};
        for (std::size_t i = 0; i < series.size(); ++i) {
          spec["series"].push_back({{"name", names[i]}, {"dashed", false}, {"points", points_json(series[i]->points)}});
          if (const SeriesData* b = baseline_of(keys[i]))
            spec["series"].push_back({{"name", names[i] + " (baseline)"},
                                      {"dashed", true},
                                      {"baseline_of", spec["series"].size() - 1},
                                      {"points", points_json(b->points)}});
        }
        specs.push_back(std::move(spec));
      }
    } else if (!bars.empty() && !(chart.pairs && heatmap_keys.contains(chart.heatmap_key))) {
      std::vector<const SeriesData*> series;
      for (std::size_t i = 0; i < std::min(bars.size(), kMaxBars); ++i) series.push_back(&chart.series.at(bars[i]));
      const auto [names, shared] = series_names(series);
      std::set<double> sizes;
      for (const auto* s : series) sizes.insert(s->points.front().x);
      std::string size_text;
      for (const double s : sizes)
        size_text += (size_text.empty() ? " at " : ", ") + format_size(static_cast<std::uint64_t>(s)) + "B";
      nlohmann::json now = nlohmann::json::array(), before = nlohmann::json::array();
      for (std::size_t i = 0; i < series.size(); ++i) {
        const Point& p = series[i]->points.front();
        now.push_back({static_cast<double>(i), p.y, p.regressed});
        if (const SeriesData* b = baseline_of(bars[i]))
          before.push_back({static_cast<double>(i), b->points.front().y, false});
      }
      nlohmann::json spec = {{"id", id_prefix + std::to_string(index++)},
                             {"section", section},
                             {"kind", "bar"},
                             {"title", chart.title + shared + size_text},
                             {"categories", names},
                             {"y_label", y_label},
                             {"series", {{{"name", "this run"}, {"dashed", false}, {"points", now}}}}};
      if (!before.empty()) spec["series"].push_back({{"name", "baseline"}, {"dashed", true}, {"points", before}});
      specs.push_back(std::move(spec));
    }
  }
}

// Percentiles from cool to hot, the same in every latency chart.
std::string percentile_color(const std::string& label) {
  static const std::map<std::string, std::string> colors = {{"min", "#2da44e"},   {"p50", "#0969da"},
                                                            {"p90", "#8250df"},   {"p99", "#bf8700"},
                                                            {"p99.9", "#e16f24"}, {"p99.99", "#a40e26"}};
  const auto it = colors.find(label);
  return it == colors.end() ? "#57606a" : it->second;
}

void latency_charts(nlohmann::json& specs, const nlohmann::json& doc, const IdentityRules& rules) {
  static const std::vector<std::pair<std::string, std::string>> percentiles = {
      {"t_min_us", "min"}, {"p50_us", "p50"},     {"p90_us", "p90"},
      {"p99_us", "p99"},   {"p99_9_us", "p99.9"}, {"p99_99_us", "p99.99"}};
  // Series = identity without size; each has a point per size per percentile.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const nlohmann::json*>> rows;
  std::map<std::string, std::string> names;
  std::map<std::string, Identity> identities;
  std::set<double> sizes;
  for (const auto& row : results_of(doc)) {
    if (!row.is_object() || !number_field(row, "p50_us")) continue;
    Identity id = identity_of(row, rules);
    std::erase_if(id, [](const auto& kv) { return kv.first == "size_bytes"; });
    const std::string key = identity_key(id);
    if (!rows.contains(key)) {
      order.push_back(key);
      names[key] = compact_name(id, {});
      identities[key] = id;
    }
    rows[key].push_back(&row);
    if (const auto s = number_field(row, "size_bytes")) sizes.insert(*s);
  }
  if (order.empty()) return;
  if (sizes.size() <= 1) {
    // One message size: percentile ladder, one series per device/pair.
    nlohmann::json spec = {
        {"id", "lat-ladder"},
        {"section", "latency"},
        {"kind", "line"},
        {"title",
         "Latency percentiles" +
             (sizes.empty() ? std::string()
                            : " at " + format_size(static_cast<std::uint64_t>(*sizes.begin())) + "B messages")},
        {"x_kind", "category"},
        {"categories", nlohmann::json::array()},
        {"x_label", "percentile"},
        {"y_label", "latency (us)"},
        {"y_log", "auto"},
        {"series", nlohmann::json::array()}};
    for (const auto& [field, label] : percentiles) spec["categories"].push_back(label);
    std::vector<const Identity*> ids;
    for (const auto& key : order) ids.push_back(&identities[key]);
    const Identity common = common_fields(ids);
    if (!common.empty()) spec["title"] = spec["title"].get<std::string>() + " \u00b7 " + compact_name(common, {});
    for (const auto& key : order) {
      names[key] = compact_name(without(identities[key], common), {});
      nlohmann::json points = nlohmann::json::array();
      const nlohmann::json& row = *rows[key].front();
      for (std::size_t i = 0; i < percentiles.size(); ++i)
        if (const auto v = number_field(row, percentiles[i].first))
          points.push_back({static_cast<double>(i), *v, false});
      spec["series"].push_back({{"name", names[key]}, {"dashed", false}, {"points", points}});
    }
    specs.push_back(std::move(spec));
    return;
  }
  std::size_t index = 0;
  for (const auto& key : order) {
    if (index >= kMaxLatencyCharts) break;
    nlohmann::json spec = {{"id", "lat-" + std::to_string(index++)},
                           {"section", "latency"},
                           {"kind", "line"},
                           {"title", "Latency percentiles: " + names[key]},
                           {"x_kind", "size"},
                           {"x_label", "message size (bytes)"},
                           {"y_label", "latency (us)"},
                           {"y_log", "auto"},
                           {"series", nlohmann::json::array()}};
    for (const auto& [field, label] : percentiles) {
      std::vector<Point> points;
      for (const auto* row : rows[key]) {
        const auto x = number_field(*row, "size_bytes");
        const auto y = number_field(*row, field);
        if (x && y) points.push_back({*x, *y, false});
      }
      std::sort(points.begin(), points.end(), [](const Point& a, const Point& b) { return a.x < b.x; });
      if (!points.empty())
        spec["series"].push_back(
            {{"name", label}, {"dashed", false}, {"color", percentile_color(label)}, {"points", points_json(points)}});
    }
    specs.push_back(std::move(spec));
  }
}

// Node-pair matrix: for every (host, peer) pair, the bandwidth at the largest message size
// measured between them, the lowest over their rows (the weakest rail shows).
std::set<std::string> pair_heatmaps(nlohmann::json& specs, const nlohmann::json& doc, const IdentityRules& rules) {
  std::set<std::string> shown;
  struct Cell {
    double size = -1, value = 0;
    std::vector<std::string> tips;
  };
  struct Matrix {
    std::string title;
    std::vector<std::string> hosts;
    std::map<std::pair<std::string, std::string>, Cell> cells;
  };
  std::vector<std::string> order;
  std::map<std::string, Matrix> matrices;
  for (const auto& row : results_of(doc)) {
    if (!row.is_object()) continue;
    const auto bw = number_field(row, "bw_avg_gbps");
    if (!bw) continue;
    std::string a = string_field(row, "host"), b = string_field(row, "peer_host");
    if ((a.empty() || b.empty()) && row.contains("hosts") && row["hosts"].is_array() && row["hosts"].size() == 2 &&
        row["hosts"][0].is_string() && row["hosts"][1].is_string()) {
      a = row["hosts"][0].get<std::string>();
      b = row["hosts"][1].get<std::string>();
    }
    if (a.empty() || b.empty()) continue;
    const Identity id = identity_of(row, rules);
    const std::string stage = field_text(id, "stage"), op = field_text(id, "op");
    const std::string key = stage + "\n" + op;
    auto [it, inserted] = matrices.try_emplace(key);
    if (inserted) {
      order.push_back(key);
      it->second.title =
          "Node-pair bandwidth" + (stage.empty() ? "" : " [" + stage + "]") + (op.empty() ? "" : " " + op);
    }
    Matrix& m = it->second;
    for (const auto& h : {a, b})
      if (std::find(m.hosts.begin(), m.hosts.end(), h) == m.hosts.end()) m.hosts.push_back(h);
    Cell& cell = m.cells[{a, b}];
    const double size = number_field(row, "size_bytes").value_or(0);
    const std::string tip = compact_name(id, {"host", "peer_host", "hosts", "stage", "op", "size_bytes"}) + ": " +
                            format_number(std::round(*bw * 100) / 100) + " Gbit/s";
    if (size > cell.size)
      cell = Cell{size, *bw, {tip}};
    else if (size == cell.size) {
      cell.value = std::min(cell.value, *bw);
      cell.tips.push_back(tip);
    }
  }
  std::size_t index = 0;
  for (const auto& key : order) {
    Matrix& m = matrices[key];
    if (m.cells.size() < 2) continue;  // one pair is no matrix: the bandwidth section shows it
    shown.insert(key);
    std::sort(m.hosts.begin(), m.hosts.end());
    nlohmann::json values = nlohmann::json::array(), tips = nlohmann::json::array();
    std::set<double> sizes;
    for (const auto& a : m.hosts) {
      nlohmann::json vrow = nlohmann::json::array(), trow = nlohmann::json::array();
      for (const auto& b : m.hosts) {
        const auto it = m.cells.find({a, b});
        if (it == m.cells.end()) {
          vrow.push_back(nullptr);
          trow.push_back("");
          continue;
        }
        sizes.insert(it->second.size);
        vrow.push_back(it->second.value);
        std::string tip;
        for (const auto& t : it->second.tips) tip += (tip.empty() ? "" : "\n") + t;
        trow.push_back(tip);
      }
      values.push_back(vrow);
      tips.push_back(trow);
    }
    std::string size_text;
    for (const double s : sizes)
      size_text += (size_text.empty() ? "" : ", ") + format_size(static_cast<std::uint64_t>(s)) + "B";
    double vmax = 0;
    for (const auto& [where, cell] : m.cells) vmax = std::max(vmax, cell.value);
    const double cell_px = std::clamp(std::floor(760.0 / static_cast<double>(m.hosts.size())), 30.0, 64.0);
    const HeatmapKey colour_key =
        heatmap_key(vmax, "Gbit/s", "host", "peer host", cell_px * static_cast<double>(m.hosts.size()));
    specs.push_back({{"id", "pairs-" + std::to_string(index++)},
                     {"section", "pairs"},
                     {"kind", "heatmap"},
                     {"title", m.title + (size_text.empty() ? "" : " at " + size_text)},
                     {"row_label", "host"},
                     {"col_label", "peer host"},
                     {"unit", "Gbit/s"},
                     {"cell", cell_px},
                     {"key", to_json(colour_key)},
                     {"rows", m.hosts},
                     {"cols", m.hosts},
                     {"values", values},
                     {"tips", tips}});
  }
  return shown;
}

}  // namespace

std::string compact_name(const Identity& identity, const std::set<std::string>& skip) {
  std::string host, peer, device, peer_device, rest;
  for (const auto& [k, v] : identity) {
    if (skip.contains(k) || k == "kind") continue;
    if (k == "host")
      host = v;
    else if (k == "peer_host")
      peer = v;
    else if (k == "device")
      device = v + device;
    else if (k == "port")
      device += ":" + v;
    else if (k == "peer_device")
      peer_device = v;
    else if (k == "aggregate")
      rest += v == "true" ? " aggregate" : "";
    else if (k == "in_place")
      rest += v == "true" ? " in-place" : " out-of-place";
    else if (k == "ranks" && v.find(',') == std::string::npos)
      rest += " " + v + " ranks";
    else if (k == "rail" || k == "gpu" || k == "stage" || k == "tool")
      rest += " " + k + " " + v;
    else if (k == "size_bytes")
      rest += " " + v + "B";
    else if (k == "op" || k == "coll" || k == "dtype" || k == "backend" || k == "devices")
      rest += " " + v;
    else
      rest += " " + k + "=" + v;
  }
  std::string name = host;
  if (!peer.empty()) name += " → " + peer;
  if (!device.empty()) name += (name.empty() ? "" : " ") + device;
  if (!peer_device.empty() && device.rfind(peer_device, 0) != 0) name += " \u2192 " + peer_device;
  name += rest;
  while (!name.empty() && name.front() == ' ') name.erase(name.begin());
  return name.empty() ? "all" : name;
}

nlohmann::json build_plot_specs(const nlohmann::json& doc, const nlohmann::json* baseline, const IdentityRules& rules,
                                const std::set<std::string>& regressed) {
  nlohmann::json specs = nlohmann::json::array();
  nlohmann::json heatmaps = nlohmann::json::array();
  const std::set<std::string> heatmap_keys = pair_heatmaps(heatmaps, doc, rules);
  const auto not_coll = [](const nlohmann::json& row) { return !row.contains("busbw_GBps"); };
  size_charts(specs, "bandwidth", "bw-", doc, baseline, {{"stage", "op", "tool"}, "bw_avg_gbps", "Bandwidth"},
              "bandwidth (Gbit/s)", rules, regressed, heatmap_keys, not_coll);
  latency_charts(specs, doc, rules);
  for (auto& h : heatmaps) specs.push_back(std::move(h));
  size_charts(specs, "collectives", "coll-", doc, baseline, {{"stage", "coll", "tool"}, "busbw_GBps", "Bus bandwidth"},
              "busbw (GB/s)", rules, regressed, {}, [](const nlohmann::json&) { return true; });
  return specs;
}

}  // namespace detail

nlohmann::json plot_specs(const nlohmann::json& doc, const nlohmann::json* baseline) {
  std::set<std::string> regressed;
  IdentityRules rules;
  if (baseline != nullptr) {
    const CompareReport report = compare_documents(*baseline, doc, {});
    rules = report.rules;
    for (const auto& m : report.metrics)
      if (m.judgement.verdict == Verdict::regression) regressed.insert(identity_key(m.identity) + "\n" + m.metric);
  } else {
    const nlohmann::json* docs[] = {&doc};
    rules = derive_identity_rules(docs);
  }
  return detail::build_plot_specs(doc, baseline, rules, regressed);
}

}  // namespace fabricperf::results
