#include "fabricperf/runners/judge.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "fabricperf/sizes.hpp"
#include "judge_rows.hpp"

namespace fabricperf::runners {
namespace {

using nlohmann::json;
using namespace judging;

std::string nic_of(const json& row, bool peer) {
  return str(row, peer ? "peer_host" : "host") + "/" + str(row, peer ? "peer_device" : "device");
}

std::string gpu_of(const json& row, bool peer) {
  return str(row, peer ? "peer_host" : "host") + " GPU" + str(row, peer ? "peer_gpu" : "gpu");
}

// The coarser entities a label belongs to: a link "h1 d1 -> h2 d2" to h1, h1/d1, h2, h2/d2 (and
// "h GPUn" for GPU links); a NIC "h/d" or a GPU "h GPUn" to h.
std::vector<std::string> coarser_entities(const std::string& label) {
  std::vector<std::string> out;
  const auto arrow = label.find(" -> ");
  if (arrow != std::string::npos) {
    for (const std::string& side : {label.substr(0, arrow), label.substr(arrow + 4)}) {
      std::vector<std::string> words;
      for (std::size_t start = 0; start <= side.size();) {
        const auto sp = side.find(' ', start);
        words.push_back(side.substr(start, sp == std::string::npos ? std::string::npos : sp - start));
        if (sp == std::string::npos) break;
        start = sp + 1;
      }
      const std::string host = words.front();
      out.push_back(host);
      for (std::size_t i = 1; i < words.size(); ++i) {
        if (words[i].rfind("GPU", 0) == 0)
          out.push_back(host + " " + words[i]);
        else
          out.push_back(host + "/" + words[i]);
      }
    }
    return out;
  }
  if (const auto slash = label.find('/'); slash != std::string::npos)
    out.push_back(label.substr(0, slash));
  else if (const auto gpu = label.find(" GPU"); gpu != std::string::npos)
    out.push_back(label.substr(0, gpu));
  return out;
}

struct Level {
  std::string name;    // link, nic, gpu, node
  std::string plural;  // "links"
  std::vector<Sample> samples;
};

// Outlier checks for the levels, most general first (node, nic/gpu, link): an entity whose
// slowness a flagged coarser entity explains (a link on a flagged NIC, a NIC on a flagged node)
// is not reported again.
void outlier_checks(const std::string& stage, std::vector<Level> levels, Better better, const std::string& unit,
                    const JudgeOptions& options, std::vector<Check>& out) {
  std::set<std::string> flagged;  // entity labels already reported
  std::string summary;
  bool judged_any = false;
  std::size_t total_flagged = 0;
  std::size_t most_samples = 0;
  for (auto& level : levels) {
    if (level.samples.empty()) continue;
    most_samples = std::max(most_samples, level.samples.size());
    const auto report = find_outliers(level.samples, better, options.outliers);
    if (!report.judged) continue;
    judged_any = true;
    summary += (summary.empty() ? "" : ", ") + std::to_string(level.samples.size()) + " " + level.plural + " (median " +
               num(report.median, 2) + " " + unit + ")";
    std::size_t named = 0;
    for (const auto& o : report.outliers) {
      // Explained by a coarser entity already flagged (the NIC of a link, the node of a NIC)?
      const auto coarser = coarser_entities(o.label);
      if (std::any_of(coarser.begin(), coarser.end(), [&](const std::string& e) { return flagged.contains(e); }))
        continue;
      ++total_flagged;
      if (named++ >= options.max_named) continue;
      const double pct = std::abs(o.deviation_pct);
      json labels = {{"stage", stage}, {"level", level.name}, {"entity", o.label}};
      out.push_back(make_check(stage + "_outlier_" + level.name, CheckStatus::fail,
                               {{"limit", report.threshold}, {"median", report.median}, {"unit", unit}},
                               {{"value", o.value},
                                {"deviation_pct", o.deviation_pct},
                                {"robust_z", std::isfinite(o.robust_z) ? json(o.robust_z) : json(nullptr)}},
                               o.label + " at " + num(o.value, 2) + " " + unit + " is " + num(pct) + " % " +
                                   (better == Better::higher ? "below" : "above") + " the median " +
                                   num(report.median, 2) + " " + unit + " of " + std::to_string(level.samples.size()) +
                                   " " + level.plural,
                               labels));
    }
    for (const auto& o : report.outliers) flagged.insert(o.label);
    if (named > options.max_named)
      out.push_back(
          make_check(stage + "_outlier_" + level.name, CheckStatus::fail, nullptr, {{"flagged", named}},
                     std::to_string(named - options.max_named) + " more " + level.plural + " flagged than named above",
                     {{"stage", stage}, {"level", level.name}, {"entity", "(more)"}}));
  }
  if (!judged_any) {
    out.push_back(make_check(stage + "_outliers", CheckStatus::skip, {{"min_samples", options.outliers.min_samples}},
                             {{"samples", most_samples}},
                             "peer comparison needs at least " + std::to_string(options.outliers.min_samples) +
                                 " measurements of a kind (have " + std::to_string(most_samples) + ")",
                             {{"stage", stage}}));
  } else if (total_flagged == 0) {
    out.push_back(make_check(stage + "_outliers", CheckStatus::pass, {{"k", options.outliers.k}}, {{"flagged", 0}},
                             "no outlier among " + summary, {{"stage", stage}}));
  }
}

// The line-rate check over rows at the largest size.
Check line_rate_check(const std::string& name, const std::string& stage, const std::vector<const json*>& rows,
                      std::uint64_t size, double threshold, SoftRdmaPolicy policy, const std::string& what) {
  std::vector<std::pair<double, const json*>> below;
  std::vector<double> pcts;
  bool soft = false;
  std::set<std::string> soft_devices;
  for (const auto* r : rows) {
    if (r->value("soft_rdma", false)) {
      soft = true;
      if (r->contains("device")) soft_devices.insert(str(*r, "device"));
    }
    const double pct = value(*r, "line_rate_pct");
    if (!std::isfinite(pct)) continue;
    pcts.push_back(pct);
    if (pct < threshold) below.emplace_back(pct, r);
  }
  json labels = {{"stage", stage}, {"size_bytes", size}};
  json expected = {{"min_line_rate_pct", threshold}, {"size_bytes", size}};
  if (pcts.empty())
    return make_check(name, CheckStatus::skip, expected, nullptr,
                      "the line rate of the ports is unknown: " + what + " not judged", labels);
  std::sort(below.begin(), below.end(), [](const auto& l, const auto& r) { return l.first < r.first; });
  const double worst = *std::min_element(pcts.begin(), pcts.end());
  json measured = {{what, pcts.size()}, {"below", below.size()}, {"worst_pct", worst}, {"median_pct", median_of(pcts)}};
  if (below.empty())
    return make_check(name, CheckStatus::pass, expected, measured,
                      "all " + std::to_string(pcts.size()) + " " + what + " at >= " + num(threshold, 0) +
                          " % of line rate at " + format_size(size) + " (worst " + num(worst) + " %)",
                      labels);
  std::string list;
  for (std::size_t i = 0; i < below.size() && i < 10; ++i) {
    const auto& r = *below[i].second;
    const std::string who = !is_aggregate(r)        ? link_label(r)
                            : r.contains("pattern") ? str(r, "pattern") + " (" + str(r, "flows") + " flows)"
                                                    : str(r, "host") + " -> " + str(r, "peer_host") + " (all rails)";
    list += (i ? "; " : "") + who + " " + num(value(r, "bw_avg_gbps"), 2) + " Gb/s (" + num(below[i].first) + " %)";
  }
  if (below.size() > 10) list += "; and " + std::to_string(below.size() - 10) + " more";
  std::string detail = std::to_string(below.size()) + " of " + std::to_string(pcts.size()) + " " + what + " below " +
                       num(threshold, 0) + " % of line rate at " + format_size(size) + ": " + list;
  CheckStatus status = CheckStatus::fail;
  if (soft && policy == SoftRdmaPolicy::warn) {
    status = CheckStatus::warn;
    std::string devs;
    for (const auto& d : soft_devices) devs += (devs.empty() ? "" : ", ") + d;
    detail = "software RDMA" + (devs.empty() ? std::string() : " (" + devs + ")") +
             " has no real line rate, so this is not judged (set --expect-line-rate-pct to judge it anyway); " + detail;
  }
  return make_check(name, status, expected, measured, detail, labels);
}

}  // namespace

JudgeOptions judge_options(const Plan& plan, const std::string& stage) {
  JudgeOptions o;
  o.line_rate_pct = stage == "gdr"      ? plan.expect.gdr_line_rate_pct
                    : stage == "stress" ? plan.expect.stress_line_rate_pct
                                        : plan.expect.line_rate_pct;
  o.lat_max_us = plan.expect.lat_max_us;
  o.soft_rdma = plan.expect.soft_rdma;
  if (stage == "verbs_bw") {
    o.bw_min_gbps = plan.expect.bw_min_gbps;
    o.bw_min_line_rate_pct = plan.expect.bw_min_line_rate_pct;
  }
  o.outliers.k = plan.expect.outlier_k;
  o.outliers.min_deviation_pct = plan.expect.outlier_min_deviation_pct;
  o.outliers.min_samples = plan.expect.outlier_min_samples;
  return o;
}

std::vector<Check> judge_bandwidth(const std::string& stage, const json& rows, const JudgeOptions& options) {
  std::vector<Check> out;
  std::uint64_t size = 0;
  const auto links = at_largest_size(
      rows, "bw_avg_gbps", [](const json& r) { return !is_aggregate(r); }, &size);
  if (links.empty()) {
    out.push_back(make_check(stage + "_line_rate", CheckStatus::skip, nullptr, nullptr, "no bandwidth was measured",
                             {{"stage", stage}}));
    return out;
  }
  out.push_back(
      line_rate_check(stage + "_line_rate", stage, links, size, options.line_rate_pct, options.soft_rdma, "links"));
  for (auto& c : judge_window_floor(stage, rows, options)) out.push_back(std::move(c));

  std::uint64_t agg_size = 0;
  const auto aggregates = at_largest_size(
      rows, "bw_avg_gbps", [](const json& r) { return is_aggregate(r); }, &agg_size);
  const bool multi_rail =
      std::any_of(aggregates.begin(), aggregates.end(), [](const json* r) { return r->value("rails", 1) > 1; });
  if (multi_rail)
    out.push_back(line_rate_check(stage + "_node_aggregate", stage, aggregates, agg_size, options.line_rate_pct,
                                  options.soft_rdma, "node pairs"));

  const bool gpus = links.front()->contains("gpu");
  Level node{"node", "nodes", {}}, nic{gpus ? "gpu" : "nic", gpus ? "GPUs" : "NICs", {}}, link{"link", "links", {}};
  std::vector<Sample> by_node, by_nic;
  for (const auto* r : links) {
    const double v = value(*r, "bw_avg_gbps");
    link.samples.push_back({link_label(*r), v});
    by_nic.push_back({gpus ? gpu_of(*r, false) : nic_of(*r, false), v});
    by_nic.push_back({gpus ? gpu_of(*r, true) : nic_of(*r, true), v});
  }
  if (!aggregates.empty()) {
    for (const auto* r : aggregates) {
      by_node.push_back({str(*r, "host"), value(*r, "bw_avg_gbps")});
      by_node.push_back({str(*r, "peer_host"), value(*r, "bw_avg_gbps")});
    }
  } else {
    for (const auto* r : links) {
      by_node.push_back({str(*r, "host"), value(*r, "bw_avg_gbps")});
      by_node.push_back({str(*r, "peer_host"), value(*r, "bw_avg_gbps")});
    }
  }
  node.samples = group_medians(by_node);
  nic.samples = group_medians(by_nic);
  outlier_checks(stage, {node, nic, link}, Better::higher, "Gb/s", options, out);
  return out;
}

std::vector<Check> judge_latency(const std::string& stage, const json& rows, const JudgeOptions& options) {
  std::vector<Check> out;
  // Smallest size: the latency a small message sees, what the ceiling is about.
  std::uint64_t smallest = UINT64_MAX;
  for (const auto& r : rows)
    if (std::isfinite(value(r, "t_typical_us"))) smallest = std::min(smallest, size_of(r));
  std::vector<const json*> links;
  for (const auto& r : rows)
    if (std::isfinite(value(r, "t_typical_us")) && size_of(r) == smallest) links.push_back(&r);
  json labels = {{"stage", stage}};
  if (links.empty()) {
    out.push_back(
        make_check(stage + "_ceiling", CheckStatus::skip, nullptr, nullptr, "no latency was measured", labels));
    return out;
  }
  labels["size_bytes"] = smallest;
  std::vector<std::pair<double, const json*>> over;
  std::vector<double> all;
  std::set<std::string> soft;
  for (const auto* r : links) {
    const double t = value(*r, "t_typical_us");
    all.push_back(t);
    if (r->value("soft_rdma", false)) soft.insert(str(*r, "device"));
    if (t > options.lat_max_us) over.emplace_back(t, r);
  }
  std::sort(over.begin(), over.end(), [](const auto& l, const auto& r) { return l.first > r.first; });
  json expected = {{"max_us", options.lat_max_us}, {"size_bytes", smallest}, {"metric", "t_typical_us"}};
  json measured = {{"links", all.size()},
                   {"over", over.size()},
                   {"worst_us", *std::max_element(all.begin(), all.end())},
                   {"median_us", median_of(all)}};
  if (over.empty()) {
    out.push_back(make_check(stage + "_ceiling", CheckStatus::pass, expected, measured,
                             "all " + std::to_string(all.size()) + " links at or under " + num(options.lat_max_us, 2) +
                                 " us (median over links, " + messages_of_size(smallest) + "; worst " +
                                 num(measured["worst_us"].get<double>(), 2) + " us)",
                             labels));
  } else {
    std::string list;
    for (std::size_t i = 0; i < over.size() && i < 10; ++i)
      list += (i ? "; " : "") + link_label(*over[i].second) + " " + num(over[i].first, 2) + " us";
    if (over.size() > 10) list += "; and " + std::to_string(over.size() - 10) + " more";
    std::string detail = std::to_string(over.size()) + " of " + std::to_string(all.size()) + " links over " +
                         num(options.lat_max_us, 2) + " us at " + format_size(smallest) + ": " + list;
    CheckStatus status = CheckStatus::fail;
    if (!soft.empty() && options.soft_rdma == SoftRdmaPolicy::warn) {
      status = CheckStatus::warn;
      std::string devs;
      for (const auto& d : soft) devs += (devs.empty() ? "" : ", ") + d;
      detail = "software RDMA (" + devs +
               ") is not held to a hardware latency ceiling (set --expect-lat-max-us to "
               "judge it anyway); " +
               detail;
    }
    out.push_back(make_check(stage + "_ceiling", status, expected, measured, detail, labels));
  }

  Level nic{"nic", "NICs", {}}, link{"link", "links", {}}, node{"node", "nodes", {}};
  std::vector<Sample> by_nic, by_node;
  for (const auto* r : links) {
    const double t = value(*r, "t_typical_us");
    link.samples.push_back({link_label(*r), t});
    by_nic.push_back({nic_of(*r, false), t});
    by_nic.push_back({nic_of(*r, true), t});
    by_node.push_back({str(*r, "host"), t});
    by_node.push_back({str(*r, "peer_host"), t});
  }
  nic.samples = group_medians(by_nic);
  node.samples = group_medians(by_node);
  outlier_checks(stage, {node, nic, link}, Better::lower, "us", options, out);
  return out;
}

std::vector<Check> judge_collectives(const json& rows, const Expectations& expect, double node_line_rate_gbps) {
  std::vector<Check> out;
  std::vector<std::string> ops;
  for (const auto& r : rows)
    if (r.contains("coll") && std::find(ops.begin(), ops.end(), str(r, "coll")) == ops.end())
      ops.push_back(str(r, "coll"));
  for (const auto& op : ops) {
    std::uint64_t size = 0;
    const auto at = at_largest_size(
        rows, "busbw_GBps", [&](const json& r) { return str(r, "coll") == op; }, &size);
    if (at.empty()) continue;
    double best = 0;
    std::string backend;
    for (const auto* r : at) {
      best = std::max(best, value(*r, "busbw_GBps"));
      backend = str(*r, "backend");
    }
    json labels = {{"stage", "collectives"}, {"coll", op}, {"size_bytes", size}};
    double floor = 0;
    std::string why;
    if (auto it = expect.busbw_min_GBps.find(op); it != expect.busbw_min_GBps.end() && it->second > 0) {
      floor = it->second;
      why = "expect.busbw_min_GBps." + op;
    } else if (backend == "nccl" && expect.busbw_min_line_rate_pct > 0 && node_line_rate_gbps > 0) {
      floor = expect.busbw_min_line_rate_pct / 100.0 * node_line_rate_gbps / 8.0;
      why = num(expect.busbw_min_line_rate_pct, 0) + " % of a node's " + num(node_line_rate_gbps, 0) + " Gb/s";
    }
    if (floor <= 0) {
      out.push_back(make_check("collectives_busbw", CheckStatus::skip, nullptr, {{"busbw_GBps", best}},
                               op + " (" + backend + ") reached " + num(best, 2) + " GB/s busbw (" + num(best * 8, 2) +
                                   " Gb/s) at " + format_size(size) + "; no floor set for it (expect.busbw_min_GBps." +
                                   op + ")",
                               labels));
      continue;
    }
    const bool ok = best >= floor;
    out.push_back(make_check("collectives_busbw", ok ? CheckStatus::pass : CheckStatus::fail,
                             {{"min_busbw_GBps", floor}}, {{"busbw_GBps", best}},
                             op + " (" + backend + ") busbw " + num(best, 2) + " GB/s (" + num(best * 8, 2) +
                                 " Gb/s) at " + format_size(size) + (ok ? " >= " : " < ") + "floor " + num(floor, 2) +
                                 " GB/s (" + why + ")",
                             labels));
  }
  if (ops.empty())
    out.push_back(make_check("collectives_busbw", CheckStatus::skip, nullptr, nullptr, "no collective was measured",
                             {{"stage", "collectives"}}));
  return out;
}

std::vector<Check> judge_stress(const json& rows, const Plan& plan) {
  std::vector<Check> out;
  const auto options = judge_options(plan, "stress");
  std::vector<std::string> patterns;
  for (const auto& r : rows)
    if (is_aggregate(r) && std::find(patterns.begin(), patterns.end(), str(r, "pattern")) == patterns.end())
      patterns.push_back(str(r, "pattern"));
  for (const auto& pattern : patterns) {
    std::vector<const json*> agg;
    for (const auto& r : rows)
      if (is_aggregate(r) && str(r, "pattern") == pattern) agg.push_back(&r);
    auto check = line_rate_check("stress_line_rate", "stress", agg, size_of(*agg.front()), options.line_rate_pct,
                                 options.soft_rdma, "patterns");
    check.labels["pattern"] = pattern;
    const double sum = value(*agg.front(), "bw_avg_gbps"), line = value(*agg.front(), "line_rate_gbps");
    check.detail = pattern + ": " + std::to_string(agg.front()->value("flows", 0)) + " flows moved " + num(sum, 2) +
                   " Gb/s together" +
                   (std::isfinite(line) && line > 0 ? " (" + num(line, 1) + " Gb/s summed line rate)" : "") + "; " +
                   check.detail;
    out.push_back(std::move(check));
  }
  // Flows compared with each other across all patterns: a link slow only under load shows here.
  json flows = json::array();
  for (const auto& r : rows)
    if (!is_aggregate(r)) flows.push_back(r);
  if (!flows.empty()) {
    auto per_flow = judge_bandwidth("stress", flows, options);
    for (auto& c : per_flow)
      if (c.name != "stress_line_rate") out.push_back(std::move(c));
  }
  if (patterns.empty())
    out.push_back(make_check("stress_line_rate", CheckStatus::skip, nullptr, nullptr, "no stress pattern ran",
                             {{"stage", "stress"}}));
  return out;
}

}  // namespace fabricperf::runners
