#include "fabricperf/results/compare.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

#include "fabricperf/error.hpp"
#include "fabricperf/results/document.hpp"
#include "fabricperf/results/normalize.hpp"

namespace fabricperf::results {
namespace {

struct Group {
  Identity identity;
  std::vector<const nlohmann::json*> rows;
};

// Rows grouped by identity, in order of first appearance.
std::vector<Group> group_rows(const nlohmann::json& doc, const IdentityRules& rules,
                              std::unordered_map<std::string, std::size_t>& index) {
  std::vector<Group> groups;
  if (!doc.contains("results") || !doc["results"].is_array()) return groups;
  for (const auto& row : doc["results"]) {
    if (!row.is_object()) continue;
    Identity identity = identity_of(row, rules);
    const std::string key = identity_key(identity);
    const auto [it, inserted] = index.emplace(key, groups.size());
    if (inserted) groups.push_back({std::move(identity), {}});
    groups[it->second].rows.push_back(&row);
  }
  return groups;
}

std::vector<const MetricInfo*> selected_metrics(const CompareOptions& options) {
  std::vector<const MetricInfo*> selected;
  if (options.metrics.empty()) {
    for (const auto& m : metric_catalogue())
      if (m.compared_by_default) selected.push_back(&m);
    return selected;
  }
  for (const auto& name : options.metrics) {
    const MetricInfo* m = find_metric(name);
    if (m == nullptr) {
      std::string known;
      for (const auto& k : metric_catalogue()) known += (known.empty() ? "" : ", ") + std::string(k.field);
      throw UsageError("unknown metric '" + name + "' (known: " + known + ")");
    }
    selected.push_back(m);
  }
  return selected;
}

// The latency fields whose noise follows from t_stdev_us over `iterations` samples: the
// standard error of a mean is stdev/sqrt(n); of a median, about 1.2533 stdev/sqrt(n).
double latency_stdev_factor(std::string_view field) {
  if (field == "t_avg_us") return 1.0;
  if (field == "p50_us" || field == "t_typical_us") return 1.2533;
  return 0;
}

std::optional<Side> side_of(const std::vector<const nlohmann::json*>& rows, const MetricInfo& metric) {
  std::vector<double> values;
  for (const auto* row : rows) {
    const auto v = number_field(*row, metric.field);
    if (!v || !std::isfinite(*v)) continue;
    if (metric.field == "wrong" && *v < 0) continue;  // -1: not checked
    values.push_back(*v);
  }
  if (values.empty()) return std::nullopt;
  Side side;
  side.n = values.size();
  double sum = 0;
  for (const double v : values) sum += v;
  side.value = sum / static_cast<double>(values.size());
  if (values.size() >= 2) {
    double squares = 0;
    for (const double v : values) squares += (v - side.value) * (v - side.value);
    const double sample_stdev = std::sqrt(squares / static_cast<double>(values.size() - 1));
    if (side.value != 0) side.relative_stdev = sample_stdev / std::fabs(side.value);
    side.source = NoiseSource::repeats;
    return side;
  }
  const nlohmann::json& row = *rows.front();
  const std::string stdev_field = std::string(metric.field) + "_stdev";
  if (const auto stdev = number_field(row, stdev_field); stdev && side.value != 0) {
    const auto repeats = number_field(row, "repeats");
    side.n = repeats && *repeats >= 1 ? static_cast<std::size_t>(*repeats) : 1;
    side.relative_stdev = *stdev / std::fabs(side.value);
    side.source = NoiseSource::stdev;
  } else if (const double factor = latency_stdev_factor(metric.field); factor > 0 && side.value != 0) {
    if (const auto t_stdev = number_field(row, "t_stdev_us")) {
      const auto iterations = number_field(row, "iterations");
      const double n = iterations && *iterations >= 1 ? *iterations : 1.0;
      side.relative_stdev = factor * *t_stdev / std::sqrt(n) / std::fabs(side.value);
      side.source = NoiseSource::stdev;
    }
  }
  return side;
}

// The finest decimal step among a metric's values in a document: the precision the tool wrote
// it with (one value alone can look coarse: 2.0 prints as "2").
double document_resolution(const nlohmann::json& doc, std::string_view field) {
  double finest = 0;
  if (!doc.contains("results") || !doc["results"].is_array()) return 0;
  for (const auto& row : doc["results"]) {
    const auto v = number_field(row, field);
    if (!v || *v == 0) continue;
    const double step = decimal_resolution(*v);
    if (step > 0 && (finest == 0 || step < finest)) finest = step;
  }
  return finest;
}

// Counts of wrong results: any increase above zero is a regression, any decrease an improvement.
Judgement judge_wrong(const Side& base, const Side& next) {
  Judgement j;
  if (base.value != 0)
    j.change_pct = (next.value - base.value) / std::fabs(base.value) * 100.0;
  else if (next.value == 0)
    j.change_pct = 0.0;
  j.worse_pct = j.change_pct;
  if (next.value > base.value && next.value > 0)
    j.verdict = Verdict::regression;
  else if (next.value < base.value)
    j.verdict = Verdict::improved;
  return j;
}

const char* status_rank_names[] = {"skip", "pass", "warn", "fail"};
int status_rank(const std::string& status) {
  for (int i = 0; i < 4; ++i)
    if (status == status_rank_names[i]) return i;
  return 0;
}

std::map<std::string, std::pair<CheckTransition, std::string>> checks_by_key(const nlohmann::json& doc) {
  std::map<std::string, std::pair<CheckTransition, std::string>> out;  // key -> (name+labels, worst status)
  if (!doc.contains("checks") || !doc["checks"].is_array()) return out;
  for (const auto& check : doc["checks"]) {
    if (!check.is_object()) continue;
    const std::string name = string_field(check, "name");
    const nlohmann::json labels =
        check.contains("labels") && check["labels"].is_object() ? check["labels"] : nlohmann::json::object();
    const std::string status = string_field(check, "status", "skip");
    const std::string key = name + "\x1f" + labels.dump();
    auto [it, inserted] = out.try_emplace(key);
    if (inserted) {
      it->second.first.name = name;
      it->second.first.labels = labels;
      it->second.second = status;
    } else if (status_rank(status) > status_rank(it->second.second)) {
      it->second.second = status;
    }
  }
  return out;
}

void diff_field(const std::string& host, const std::string& what, const nlohmann::json& a, const nlohmann::json& b,
                std::vector<EnvironmentChange>& out) {
  const std::string ta = a.is_null() ? "" : value_text(a);
  const std::string tb = b.is_null() ? "" : value_text(b);
  if (ta != tb) out.push_back({host, what, ta, tb});
}

const nlohmann::json& member(const nlohmann::json& object, const std::string& key) {
  static const nlohmann::json null_value;
  if (!object.is_object()) return null_value;
  const auto it = object.find(key);
  return it == object.end() ? null_value : *it;
}

std::vector<EnvironmentChange> environment_changes(const nlohmann::json& base, const nlohmann::json& next) {
  std::vector<EnvironmentChange> out;
  std::map<std::string, const nlohmann::json*> base_hosts;
  for (const auto& h : member(base, "hosts"))
    if (h.is_object()) base_hosts[string_field(h, "hostname")] = &h;
  for (const auto& h : member(next, "hosts")) {
    if (!h.is_object()) continue;
    const std::string name = string_field(h, "hostname");
    const auto found = base_hosts.find(name);
    if (found == base_hosts.end()) continue;  // a host measured only now: its rows say so
    const nlohmann::json& b = *found->second;
    for (const char* field :
         {"kernel", "os", "rdma_core_version", "nvidia_driver", "cuda_version", "nccl_version", "mpi_version"})
      diff_field(name, field, member(b, field), member(h, field), out);
    std::map<std::string, const nlohmann::json*> base_devices;
    for (const auto& d : member(b, "rdma_devices"))
      if (d.is_object()) base_devices[string_field(d, "name")] = &d;
    for (const auto& d : member(h, "rdma_devices")) {
      if (!d.is_object()) continue;
      const std::string dev = string_field(d, "name");
      const auto bd = base_devices.find(dev);
      if (bd == base_devices.end()) {
        out.push_back({name, dev, "", "present"});
        continue;
      }
      diff_field(name, dev + " fw_ver", member(*bd->second, "fw_ver"), member(d, "fw_ver"), out);
      std::map<std::string, const nlohmann::json*> base_ports;
      for (const auto& p : member(*bd->second, "ports"))
        if (p.is_object()) base_ports[value_text(member(p, "port"))] = &p;
      for (const auto& p : member(d, "ports")) {
        if (!p.is_object()) continue;
        const std::string port = value_text(member(p, "port"));
        const auto bp = base_ports.find(port);
        if (bp == base_ports.end()) continue;
        for (const char* field : {"state", "link_layer", "rate"})
          diff_field(name, dev + " port " + port + " " + field, member(*bp->second, field), member(p, field), out);
      }
      base_devices.erase(bd);
    }
    for (const auto& [dev, d] : base_devices) out.push_back({name, dev, "present", ""});
  }
  return out;
}

}  // namespace

std::string_view to_string(Verdict verdict) noexcept {
  switch (verdict) {
    case Verdict::ok:
      return "ok";
    case Verdict::regression:
      return "regression";
    case Verdict::improved:
      return "improved";
  }
  return "ok";
}

std::string_view to_string(NoiseSource source) noexcept {
  switch (source) {
    case NoiseSource::none:
      return "none";
    case NoiseSource::repeats:
      return "repeats";
    case NoiseSource::stdev:
      return "stdev";
  }
  return "none";
}

double decimal_resolution(double value) {
  if (!std::isfinite(value) || value == 0) return 0;
  char buffer[512];  // the shortest fixed form that reads back as `value`
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, std::fabs(value), std::chars_format::fixed).ptr;
  const std::string_view text(buffer, static_cast<std::size_t>(end - buffer));
  const auto dot = text.find('.');
  const int decimals = dot == std::string_view::npos ? 0 : static_cast<int>(text.size() - dot - 1);
  return std::pow(10.0, -decimals);
}

Judgement judge(const Side& base, const Side& next, Better better, const CompareOptions& options) {
  Judgement j;
  // Noise: the per-run relative standard deviation (the larger of the two sides' estimates),
  // scaled to the standard error of the difference of two means of n_base and n_new runs.
  std::optional<double> sigma;
  for (const Side* s : {&base, &next}) {
    if (!s->relative_stdev) continue;
    if (!sigma || *s->relative_stdev > *sigma) {
      sigma = s->relative_stdev;
      j.noise_source = s->source;
    }
  }
  if (sigma) {
    const double nb = static_cast<double>(std::max<std::size_t>(base.n, 1));
    const double nn = static_cast<double>(std::max<std::size_t>(next.n, 1));
    j.noise_pct = 100.0 * *sigma * std::sqrt(1.0 / nb + 1.0 / nn);
  }
  if (base.value != 0) j.resolution_pct = 100.0 * (base.resolution + next.resolution) / 2.0 / std::fabs(base.value);
  j.tolerance_pct = std::max(options.tolerance_pct, options.noise_k * j.noise_pct) + j.resolution_pct;

  const double sign = better == Better::higher ? -1.0 : 1.0;
  if (base.value != 0) {
    j.change_pct = (next.value - base.value) / std::fabs(base.value) * 100.0;
    j.worse_pct = sign * *j.change_pct;
  } else if (next.value == 0) {
    j.change_pct = 0.0;
    j.worse_pct = 0.0;
  }
  if (j.worse_pct) {
    if (*j.worse_pct > j.tolerance_pct)
      j.verdict = Verdict::regression;
    else if (-*j.worse_pct > j.tolerance_pct)
      j.verdict = Verdict::improved;
  } else {
    // From zero to something: better for higher-is-better metrics, worse otherwise.
    const bool worse = sign * next.value > 0;
    j.verdict = worse ? Verdict::regression : Verdict::improved;
  }
  return j;
}

std::size_t CompareReport::count(Verdict verdict) const {
  return static_cast<std::size_t>(std::count_if(
      metrics.begin(), metrics.end(), [&](const MetricComparison& m) { return m.judgement.verdict == verdict; }));
}

std::size_t CompareReport::check_regressions() const {
  return static_cast<std::size_t>(
      std::count_if(checks.begin(), checks.end(), [](const CheckTransition& c) { return c.regression; }));
}

std::vector<const MetricComparison*> CompareReport::notable() const {
  std::vector<const MetricComparison*> out;
  for (const auto& m : metrics)
    if (m.judgement.verdict != Verdict::ok) out.push_back(&m);
  const auto severity = [](const MetricComparison* m) {
    const double worse = m->judgement.worse_pct.value_or(m->judgement.verdict == Verdict::regression
                                                             ? std::numeric_limits<double>::infinity()
                                                             : -std::numeric_limits<double>::infinity());
    return std::pair{m->judgement.verdict == Verdict::regression ? 0 : 1,
                     m->judgement.verdict == Verdict::regression ? -worse : worse};
  };
  std::stable_sort(out.begin(), out.end(), [&](const auto* a, const auto* b) { return severity(a) < severity(b); });
  return out;
}

std::vector<EnvironmentSummary> summarize_environment(const std::vector<EnvironmentChange>& changes) {
  std::vector<EnvironmentSummary> out;
  std::vector<std::vector<std::pair<std::string, std::string>>> places;  // per summary: (host, subject)
  for (const auto& c : changes) {
    std::string field = c.what, subject;
    if (c.base == "present" || c.next == "present") {
      field = "device";
      subject = c.what;
    } else if (const auto space = c.what.rfind(' '); space != std::string::npos) {
      field = c.what.substr(space + 1);
      subject = c.what.substr(0, space);
    }
    std::size_t i = 0;
    while (i < out.size() && !(out[i].field == field && out[i].base == c.base && out[i].next == c.next)) ++i;
    if (i == out.size()) {
      out.push_back({field, c.base, c.next, ""});
      places.emplace_back();
    }
    places[i].emplace_back(c.host, subject);
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::vector<std::string> hosts;
    std::map<std::string, std::vector<std::string>> subjects;
    for (const auto& [host, subject] : places[i]) {
      if (!subjects.contains(host)) hosts.push_back(host);
      auto& list = subjects[host];
      if (!subject.empty()) list.push_back(subject);
    }
    for (const auto& host : hosts) {
      std::string part = host;
      const auto& list = subjects[host];
      for (std::size_t j = 0; j < list.size(); ++j)
        part += (j ? ", " : " (") + list[j] + (j + 1 == list.size() ? ")" : "");
      out[i].where += (out[i].where.empty() ? "" : ", ") + part;
    }
  }
  return out;
}

bool CompareReport::regressed(const CompareOptions& options) const {
  return count(Verdict::regression) > 0 || check_regressions() > 0 || run_status_regressed ||
         (options.fail_on_missing && !only_in_base.empty());
}

CompareReport compare_documents(const nlohmann::json& base_doc, const nlohmann::json& next_doc,
                                const CompareOptions& options) {
  require_bounded_depth(base_doc, "baseline document");
  require_bounded_depth(next_doc, "new document");
  const std::optional<nlohmann::json> base_v2 = normalized_against(base_doc, next_doc);
  const std::optional<nlohmann::json> next_v2 = normalized_against(next_doc, base_doc);
  const nlohmann::json& base = base_v2 ? *base_v2 : base_doc;
  const nlohmann::json& next = next_v2 ? *next_v2 : next_doc;
  CompareReport report;
  report.base_rows = member(base, "results").size();
  report.new_rows = member(next, "results").size();
  for (const auto& [doc, name] : {std::pair{&base_v2, "BASE"}, std::pair{&next_v2, "NEW"}})
    if (doc->has_value())
      report.notes.push_back(std::string(name) +
                             " is a fabricperf/1 document, read as fabricperf/2 (round-trip flags "
                             "as latency, suite bandwidth iterations as messages)");
  const auto metrics = selected_metrics(options);
  for (const MetricInfo* m : metrics) report.metric_names.emplace_back(m->field);
  const nlohmann::json* docs[] = {&base, &next};
  report.rules = derive_identity_rules(docs, options.extra_keys, options.ignored_keys);

  std::unordered_map<std::string, std::size_t> base_index, next_index;
  const auto base_groups = group_rows(base, report.rules, base_index);
  const auto next_groups = group_rows(next, report.rules, next_index);

  std::map<std::string_view, double> base_resolution, next_resolution;
  const auto resolution = [](std::map<std::string_view, double>& cache, const nlohmann::json& doc,
                             std::string_view field) {
    const auto it = cache.find(field);
    return it != cache.end() ? it->second : cache[field] = document_resolution(doc, field);
  };

  for (const auto& group : base_groups) {
    const auto found = next_index.find(identity_key(group.identity));
    if (found == next_index.end()) {
      report.only_in_base.push_back(group.identity);
      continue;
    }
    const Group& other = next_groups[found->second];
    ++report.matched_rows;
    for (const MetricInfo* metric : metrics) {
      auto b = side_of(group.rows, *metric);
      auto n = side_of(other.rows, *metric);
      if (!b || !n) continue;
      b->resolution = resolution(base_resolution, base, metric->field);
      n->resolution = resolution(next_resolution, next, metric->field);
      MetricComparison c{group.identity, std::string(metric->field), metric->better, *b, *n, {}};
      c.judgement = metric->field == "wrong" ? judge_wrong(*b, *n) : judge(*b, *n, metric->better, options);
      report.metrics.push_back(std::move(c));
    }
  }
  for (const auto& group : next_groups)
    if (!base_index.contains(identity_key(group.identity))) report.only_in_new.push_back(group.identity);

  // Checks whose status changed; a check that fails now and did not before is a regression.
  const auto base_checks = checks_by_key(base);
  const auto next_checks = checks_by_key(next);
  for (const auto& [key, entry] : next_checks) {
    CheckTransition t = entry.first;
    t.new_status = entry.second;
    const auto b = base_checks.find(key);
    t.base_status = b == base_checks.end() ? "" : b->second.second;
    if (t.base_status == t.new_status) continue;
    t.regression = t.new_status == "fail";
    report.checks.push_back(std::move(t));
  }
  for (const auto& [key, entry] : base_checks) {
    if (next_checks.contains(key)) continue;
    CheckTransition t = entry.first;
    t.base_status = entry.second;
    report.checks.push_back(std::move(t));
  }

  report.environment = environment_changes(base, next);

  const std::string base_status = string_field(base, "status", "ok");
  const std::string next_status = string_field(next, "status", "ok");
  report.run_status_regressed = base_status == "ok" && next_status != "ok";
  if (next.value("partial", false)) report.notes.push_back("NEW is partial (the run did not reach its end)");
  if (base.value("partial", false)) report.notes.push_back("BASE is partial (the run did not reach its end)");
  if (next_status != "ok") report.notes.push_back("NEW run status is " + next_status);
  if (base_status != "ok") report.notes.push_back("BASE run status is " + base_status);
  const std::string base_tool = string_field(base, "tool"), next_tool = string_field(next, "tool");
  if (base_tool != next_tool)
    report.notes.push_back("documents come from different tools (" + base_tool + ", " + next_tool + ")");
  if (!report.rules.promoted_keys.empty()) {
    std::string keys;
    for (const auto& k : report.rules.promoted_keys) keys += (keys.empty() ? "" : ", ") + k;
    report.notes.push_back("rows also told apart by: " + keys);
  }
  return report;
}

}  // namespace fabricperf::results
