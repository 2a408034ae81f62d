// The outputs of a comparison: the report document and the human table.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <unordered_map>

#include "fabricperf/result_document.hpp"
#include "fabricperf/results/compare.hpp"
#include "fabricperf/results/document.hpp"
#include "fabricperf/results/normalize.hpp"

namespace fabricperf::results {
namespace {

const nlohmann::json& member(const nlohmann::json& object, const std::string& key) {
  static const nlohmann::json null_value;
  if (!object.is_object()) return null_value;
  const auto it = object.find(key);
  return it == object.end() ? null_value : *it;
}

nlohmann::json identity_object(const Identity& identity, const nlohmann::json& row_hint) {
  // Original JSON values where a row has them (numbers stay numbers), else the text.
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, text] : identity) {
    if (row_hint.is_object() && row_hint.contains(key))
      out[key] = row_hint[key];
    else
      out[key] = text;
  }
  return out;
}

std::string format_value(double v) {
  if (!std::isfinite(v)) return format_number(v);
  char buffer[64];
  if (std::fabs(v) >= 1000)
    std::snprintf(buffer, sizeof buffer, "%.0f", v);
  else
    std::snprintf(buffer, sizeof buffer, "%.4g", v);
  return buffer;
}

std::string format_tolerance(double pct) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", pct);
  return buffer;
}

std::string format_pct(const std::optional<double>& pct) {
  if (!pct) return "n/a";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%+.1f%%", *pct);
  return buffer;
}

}  // namespace

nlohmann::json compare_report_document(const CompareReport& report, const nlohmann::json& base_doc,
                                       const nlohmann::json& next_doc, const CompareSources& sources,
                                       const CompareOptions& options) {
  // The rows as compare_documents matched them (a fabricperf/1 side read as fabricperf/2).
  const std::optional<nlohmann::json> base_v2 = normalized_against(base_doc, next_doc);
  const std::optional<nlohmann::json> next_v2 = normalized_against(next_doc, base_doc);
  const nlohmann::json& base = base_v2 ? *base_v2 : base_doc;
  const nlohmann::json& next = next_v2 ? *next_v2 : next_doc;
  ResultDocument doc("fp_report",
                     sources.command_line.empty() ? std::vector<std::string>{"fp_report"} : sources.command_line);
  const auto describe_input = [](const std::string& path, const nlohmann::json& d) {
    return nlohmann::json{{"file", path},
                          {"tool", string_field(d, "tool")},
                          {"started_at", string_field(d, "started_at")},
                          {"status", string_field(d, "status")},
                          {"partial", d.value("partial", false)}};
  };
  const nlohmann::json metric_names = report.metric_names;
  doc.params() = {{"command", "compare"},
                  {"base", describe_input(sources.base_path, base)},
                  {"new", describe_input(sources.new_path, next)},
                  {"tolerance_pct", options.tolerance_pct},
                  {"noise_k", options.noise_k},
                  {"metrics", metric_names},
                  {"extra_keys", report.rules.extra_keys},
                  {"ignored_keys", report.rules.ignored_keys},
                  {"promoted_keys", report.rules.promoted_keys},
                  {"fail_on_missing", options.fail_on_missing}};
  for (const auto& h : member(next, "hosts")) doc.add_host(h);

  // Identity values keep their JSON types (size_bytes a number): take them from a source row.
  const auto first_rows = [&](const nlohmann::json& d) {
    std::unordered_map<std::string, const nlohmann::json*> rows;
    for (const auto& r : member(d, "results")) rows.try_emplace(identity_key(identity_of(r, report.rules)), &r);
    return rows;
  };
  const auto base_rows = first_rows(base);
  const auto next_rows = first_rows(next);
  const auto first_row = [](const auto& rows, const Identity& identity) -> const nlohmann::json& {
    static const nlohmann::json none;
    const auto it = rows.find(identity_key(identity));
    return it == rows.end() ? none : *it->second;
  };

  const auto rounded = [](double v) { return std::isfinite(v) ? std::round(v * 1e4) / 1e4 : 0.0; };
  const auto optional_number = [&](const std::optional<double>& v) {
    return v && std::isfinite(*v) ? nlohmann::json(rounded(*v)) : nlohmann::json();
  };
  for (const auto& m : report.metrics) {
    nlohmann::json row = identity_object(m.identity, first_row(base_rows, m.identity));
    row["kind"] = "metric";
    row["metric"] = m.metric;
    row["better"] = std::string(to_string(m.better));
    row["base"] = m.base.value;
    row["new"] = m.next.value;
    row["base_n"] = m.base.n;
    row["new_n"] = m.next.n;
    row["change_pct"] = optional_number(m.judgement.change_pct);
    row["worse_pct"] = optional_number(m.judgement.worse_pct);
    row["noise_pct"] = rounded(m.judgement.noise_pct);
    row["noise_source"] = std::string(to_string(m.judgement.noise_source));
    row["resolution_pct"] = rounded(m.judgement.resolution_pct);
    row["tolerance_pct"] = rounded(m.judgement.tolerance_pct);
    row["verdict"] = std::string(to_string(m.judgement.verdict));
    doc.add_result(row);
    if (m.judgement.verdict == Verdict::regression) {
      Check check;
      check.name = "metric_regression";
      check.status = CheckStatus::fail;
      check.expected = {{"worse_pct_at_most", rounded(m.judgement.tolerance_pct)}};
      check.measured = {
          {"base", m.base.value}, {"new", m.next.value}, {"worse_pct", optional_number(m.judgement.worse_pct)}};
      check.detail = describe(m.identity) + ": " + m.metric + " " + format_value(m.base.value) + " -> " +
                     format_value(m.next.value) + " (" + format_pct(m.judgement.change_pct) + ", tolerance " +
                     format_value(m.judgement.tolerance_pct) + "%)";
      check.labels = identity_object(m.identity, row);
      check.labels["metric"] = m.metric;
      doc.add_check(check);
    }
  }
  for (const auto& [list, verdict] :
       {std::pair{&report.only_in_base, "only_in_base"}, std::pair{&report.only_in_new, "only_in_new"}}) {
    const auto& rows = std::string(verdict) == "only_in_base" ? base_rows : next_rows;
    for (const auto& identity : *list) {
      nlohmann::json row = identity_object(identity, first_row(rows, identity));
      row["kind"] = "metric";
      row["verdict"] = verdict;
      doc.add_result(row);
    }
  }
  for (const auto& e : report.environment)
    doc.add_result({{"kind", "environment"},
                    {"host", e.host},
                    {"what", e.what},
                    {"base", e.base},
                    {"new", e.next},
                    {"verdict", "changed"}});
  for (const auto& t : report.checks) {
    if (!t.regression) continue;
    Check check;
    check.name = "check_regression";
    check.status = CheckStatus::fail;
    check.expected = t.base_status.empty() ? nlohmann::json() : nlohmann::json(t.base_status);
    check.measured = t.new_status;
    check.detail = "check " + t.name + (t.labels.empty() ? "" : " " + t.labels.dump()) + " was " +
                   (t.base_status.empty() ? "absent" : t.base_status) + ", now " + t.new_status;
    check.labels = t.labels;
    check.labels["check"] = t.name;
    doc.add_check(check);
  }
  {
    Check check;
    check.name = "run_status";
    check.status = report.run_status_regressed ? CheckStatus::fail : CheckStatus::pass;
    check.expected = string_field(base, "status");
    check.measured = string_field(next, "status");
    check.detail = "run status " + string_field(base, "status") + " -> " + string_field(next, "status");
    doc.add_check(check);
  }
  if (!report.only_in_base.empty() || !report.only_in_new.empty()) {
    Check check;
    check.name = "rows_missing";
    check.status = report.only_in_base.empty() ? CheckStatus::pass
                   : options.fail_on_missing   ? CheckStatus::fail
                                               : CheckStatus::warn;
    check.expected = 0;
    check.measured = report.only_in_base.size();
    check.detail = std::to_string(report.only_in_base.size()) + " row(s) of BASE missing in NEW, " +
                   std::to_string(report.only_in_new.size()) + " row(s) only in NEW";
    doc.add_check(check);
  }
  {
    const std::size_t regressions = report.count(Verdict::regression);
    Check check;
    check.name = "no_regression";
    check.status = report.regressed(options) || report.compared_nothing() ? CheckStatus::fail : CheckStatus::pass;
    check.expected = {{"tolerance_pct", options.tolerance_pct}, {"noise_k", options.noise_k}};
    check.measured = {{"compared", report.metrics.size()},
                      {"regressions", regressions},
                      {"improved", report.count(Verdict::improved)},
                      {"check_regressions", report.check_regressions()}};
    check.detail = std::to_string(regressions) + " of " + std::to_string(report.metrics.size()) +
                   " compared metrics regressed beyond tolerance, " + std::to_string(report.check_regressions()) +
                   " check(s) newly failing";
    doc.add_check(check);
  }
  doc.params()["notes"] = report.notes;
  return doc.to_json(RunStatus::ok, false);
}

std::string format_compare_table(const CompareReport& report, const CompareOptions& options,
                                 const CompareSources& sources, bool all_rows) {
  std::string out;
  const bool regressed = report.regressed(options);
  const std::string outcome = regressed ? "REGRESSION" : report.compared_nothing() ? "NOTHING COMPARED" : "OK";
  out += outcome + ": " + sources.new_path + " against " + sources.base_path + " (tolerance " +
         format_value(options.tolerance_pct) + "% or " + format_value(options.noise_k) + " x noise)\n";
  for (const auto& note : report.notes) out += "note: " + note + "\n";
  if (!report.environment.empty()) {
    out += "\nChanged since BASE:\n";
    for (const auto& e : summarize_environment(report.environment))
      out += "  " + e.field + ": " + (e.base.empty() ? "(none)" : e.base) + " -> " +
             (e.next.empty() ? "(none)" : e.next) + " on " + e.where + "\n";
  }

  std::vector<const MetricComparison*> shown = report.notable();
  if (all_rows)
    for (const auto& m : report.metrics)
      if (m.judgement.verdict == Verdict::ok) shown.push_back(&m);
  if (!shown.empty()) {
    std::vector<const Identity*> ids;
    for (const auto* m : shown) ids.push_back(&m->identity);
    const Identity common = common_fields(ids);
    out += "\n";
    if (!common.empty()) out += "Every row below: " + describe(common) + "\n";
    std::vector<std::array<std::string, 8>> table;
    table.push_back({"ROW", "METRIC", "BASE", "NEW", "CHANGE", "TOLERANCE", "NOISE", "VERDICT"});
    for (const auto* m : shown) {
      std::string verdict(to_string(m->judgement.verdict));
      if (m->judgement.verdict == Verdict::regression) verdict = "REGRESSION";
      std::string noise =
          m->judgement.noise_source == NoiseSource::none
              ? "-"
              : format_value(m->judgement.noise_pct) + "% (" + std::string(to_string(m->judgement.noise_source)) + ")";
      const Identity rest = without(m->identity, common);
      table.push_back({rest.empty() ? "-" : describe(rest), m->metric, format_value(m->base.value),
                       format_value(m->next.value), format_pct(m->judgement.change_pct),
                       format_tolerance(m->judgement.tolerance_pct), noise, verdict});
    }
    std::array<std::size_t, 8> width{};
    for (const auto& row : table)
      for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    for (const auto& row : table) {
      std::string line;
      for (std::size_t i = 0; i < row.size(); ++i) {
        const bool right = i >= 2 && i <= 6;
        const std::string pad(width[i] - row[i].size(), ' ');
        line += (i ? "  " : "") + (right ? pad + row[i] : row[i] + (i + 1 < row.size() ? pad : ""));
      }
      out += line + "\n";
    }
  }
  for (const auto& t : report.checks)
    out += std::string(t.regression ? "CHECK REGRESSION: " : "check changed: ") + t.name +
           (t.labels.empty() ? "" : " " + t.labels.dump()) + ": " +
           (t.base_status.empty() ? "(absent)" : t.base_status) + " -> " +
           (t.new_status.empty() ? "(absent)" : t.new_status) + "\n";
  const auto list_rows = [&](const std::vector<Identity>& rows, const char* title) {
    if (rows.empty()) return;
    out += "\n" + std::string(title) + " (" + std::to_string(rows.size()) + "):\n";
    for (const auto& id : rows) out += "  " + describe(id) + "\n";
  };
  list_rows(report.only_in_base, "Only in BASE");
  list_rows(report.only_in_new, "Only in NEW");
  out += "\n" + std::to_string(report.metrics.size()) +
         " metrics compared: " + std::to_string(report.count(Verdict::regression)) + " regressed, " +
         std::to_string(report.count(Verdict::improved)) + " improved, " + std::to_string(report.count(Verdict::ok)) +
         " within tolerance; " + std::to_string(report.check_regressions()) + " check(s) newly failing; " +
         std::to_string(report.only_in_base.size()) + " row(s) only in BASE, " +
         std::to_string(report.only_in_new.size()) + " only in NEW -> " + outcome + "\n";
  return out;
}

}  // namespace fabricperf::results
