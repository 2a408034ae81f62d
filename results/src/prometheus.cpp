#include "fabricperf/results/prometheus.hpp"

#include <algorithm>
#include <deque>
#include <map>

#include "fabricperf/results/document.hpp"
#include "fabricperf/results/identity.hpp"
#include "fabricperf/results/metrics.hpp"

namespace fabricperf::results {
namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

struct Sample {
  std::string suffix;  // "", or "_bucket"/"_sum"/"_count" in a histogram
  Labels labels;
  double value = 0;
};

struct Family {
  std::string name, type, help;
  std::vector<Sample> samples;
};

class Exposition {
 public:
  Family& family(const std::string& name, const std::string& type, const std::string& help) {
    for (auto& f : families_)
      if (f.name == name) return f;
    families_.push_back({name, type, help, {}});
    return families_.back();
  }

  // Every sample of a family carries the same label names (empty value = label absent, as
  // Prometheus treats it), so consumers that check label consistency accept the family.
  [[nodiscard]] std::string text() const {
    std::string out;
    for (const auto& f : families_) {
      if (f.samples.empty()) continue;
      std::vector<std::string> names;
      for (const auto& s : f.samples)
        for (const auto& [k, v] : s.labels)
          if (k != "le" && std::find(names.begin(), names.end(), k) == names.end()) names.push_back(k);
      out += "# HELP " + f.name + " " + escape_help(f.help) + "\n";
      out += "# TYPE " + f.name + " " + f.type + "\n";
      for (const auto& s : f.samples) {
        std::string labels;
        const auto add = [&](const std::string& k, const std::string& v) {
          labels += (labels.empty() ? "" : ",") + k + "=\"" + escape_label_value(v) + "\"";
        };
        for (const auto& name : names) {
          const auto it =
              std::find_if(s.labels.begin(), s.labels.end(), [&](const auto& l) { return l.first == name; });
          add(name, it == s.labels.end() ? "" : it->second);
        }
        for (const auto& [k, v] : s.labels)
          if (k == "le") add(k, v);
        out += f.name + s.suffix + (labels.empty() ? "" : "{" + labels + "}") + " " + format_number(s.value) + "\n";
      }
    }
    return out;
  }

 private:
  std::deque<Family> families_;  // references stay valid as families are added
};

void add_label(Labels& labels, const std::string& key, const std::string& value) {
  std::string name = sanitize_label_name(key);
  while (std::any_of(labels.begin(), labels.end(), [&](const auto& l) { return l.first == name; }))
    name = "label_" + name;
  labels.emplace_back(std::move(name), value);
}

// Labels of every row (tool + identity), with a "repeat" label where rows would otherwise
// collide (the same measurement repeated): Prometheus rejects duplicate series.
std::vector<Labels> row_labels(const nlohmann::json& doc, const std::string& tool) {
  const nlohmann::json* docs[] = {&doc};
  const IdentityRules rules = derive_identity_rules(docs);
  std::vector<Labels> out;
  std::map<Labels, int> seen, total;
  for (const auto& row : doc["results"]) {
    Labels labels;
    add_label(
        labels, "tool",
        row.is_object() && row.contains("tool") && row["tool"].is_string() ? row["tool"].get<std::string>() : tool);
    for (const auto& [key, value] : identity_of(row, rules))
      if (key != "tool") add_label(labels, key == "size_bytes" ? "size" : key, value);
    ++total[labels];
    out.push_back(std::move(labels));
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (total[out[i]] < 2) continue;
    const int occurrence = seen[out[i]]++;
    const auto& row = doc["results"][i];
    const auto repeat = number_field(row, "repeat");
    add_label(out[i], "repeat", repeat ? format_number(*repeat) : std::to_string(occurrence));
  }
  return out;
}

void add_histogram(Family& family, const nlohmann::json& row, const Labels& labels) {
  std::vector<std::pair<double, double>> buckets;
  for (const auto& b : row["histogram"]) {
    const auto le = number_field(b, "le");
    const auto count = number_field(b, "count");
    if (le && count) buckets.emplace_back(*le, *count);
  }
  if (buckets.empty()) return;
  std::sort(buckets.begin(), buckets.end());
  double cumulative = 0, approx_sum = 0;
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    cumulative += buckets[i].second;
    approx_sum += buckets[i].first * buckets[i].second;
    if (i + 1 < buckets.size() && buckets[i + 1].first == buckets[i].first) continue;  // merge equal edges
    Labels l = labels;
    l.emplace_back("le", format_number(buckets[i].first));
    family.samples.push_back({"_bucket", std::move(l), cumulative});
  }
  Labels inf = labels;
  inf.emplace_back("le", "+Inf");
  family.samples.push_back({"_bucket", std::move(inf), cumulative});
  const auto avg = number_field(row, "t_avg_us");
  family.samples.push_back({"_sum", labels, avg ? *avg * cumulative : approx_sum});
  family.samples.push_back({"_count", labels, cumulative});
}

double check_status_value(const std::string& status) {
  if (status == "pass") return 0;
  if (status == "warn") return 1;
  if (status == "fail") return 2;
  return -1;  // skip
}

double run_status_value(const std::string& status) {
  if (status == "ok") return 0;
  if (status == "failed") return 1;
  return 2;  // aborted
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string escape_help(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string sanitize_label_name(std::string_view key) {
  std::string name;
  for (const char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    name += ok ? c : '_';
  }
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) name = "_" + name;
  if (name.starts_with("__") || name == "le" || name == "quantile" || name == "job" || name == "instance")
    name = "exported_" + name;
  return name;
}

std::string to_prometheus(const nlohmann::json& doc) {
  require_bounded_depth(doc, "result document");
  Exposition ex;
  const std::string tool = string_field(doc, "tool", "fp_unknown");
  const nlohmann::json empty = nlohmann::json::array();
  const nlohmann::json& results = doc.contains("results") && doc["results"].is_array() ? doc["results"] : empty;

  // Families in catalogue order, so the output is stable across documents.
  for (const auto& m : metric_catalogue()) ex.family(std::string(m.prometheus_name), "gauge", std::string(m.help));
  Family& histogram =
      ex.family("fabricperf_latency_us", "histogram",
                "Latency distribution in microseconds (fp_lat histogram; bucket upper edges as measured).");
  Family& topo_gpus = ex.family("fabricperf_topo_gpus", "gauge", "GPUs fp_topo found on the host.");
  Family& topo_nics = ex.family("fabricperf_topo_nics", "gauge", "RDMA NICs fp_topo found on the host.");

  if (!results.empty()) {
    const auto labels = row_labels(doc, tool);
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& row = results[i];
      if (!row.is_object()) continue;
      for (const auto& m : metric_catalogue()) {
        const auto v = number_field(row, m.field);
        if (!v) continue;
        if (m.field == "wrong" && *v < 0) continue;  // not checked
        ex.family(std::string(m.prometheus_name), "gauge", std::string(m.help))
            .samples.push_back({"", labels[i], *v * m.prometheus_scale});
      }
      if (row.contains("histogram") && row["histogram"].is_array()) add_histogram(histogram, row, labels[i]);
      if (row.contains("gpus") && row["gpus"].is_array())
        topo_gpus.samples.push_back({"", labels[i], static_cast<double>(row["gpus"].size())});
      if (row.contains("nics") && row["nics"].is_array())
        topo_nics.samples.push_back({"", labels[i], static_cast<double>(row["nics"].size())});
    }
  }

  Family& check_status = ex.family("fabricperf_check_status", "gauge",
                                   "Check outcome: 0 pass, 1 warn, 2 fail, -1 skip (worst first: alert on >= 2).");
  Family& check_measured =
      ex.family("fabricperf_check_measured", "gauge", "Measured value of a check, when it is a number.");
  Family& check_expected =
      ex.family("fabricperf_check_expected", "gauge", "Expected value of a check, when it is a number.");
  if (doc.contains("checks") && doc["checks"].is_array()) {
    std::map<Labels, int> seen;
    for (const auto& check : doc["checks"]) {
      if (!check.is_object()) continue;
      Labels labels;
      add_label(labels, "tool", tool);
      add_label(labels, "check", string_field(check, "name"));
      if (check.contains("labels") && check["labels"].is_object())
        for (const auto& [k, v] : check["labels"].items())
          if (!v.is_null()) add_label(labels, k == "size_bytes" ? "size" : k, value_text(v));
      if (const int n = seen[labels]++; n > 0) add_label(labels, "repeat", std::to_string(n));
      check_status.samples.push_back({"", labels, check_status_value(string_field(check, "status"))});
      if (const auto m = number_field(check, "measured")) check_measured.samples.push_back({"", labels, *m});
      if (const auto e = number_field(check, "expected")) check_expected.samples.push_back({"", labels, *e});
    }
  }

  const Labels run_labels = {{"tool", tool}};
  ex.family("fabricperf_run_info", "gauge", "Always 1; labels name the tool, its version and the schema.")
      .samples.push_back(
          {"",
           {{"tool", tool}, {"version", string_field(doc, "version")}, {"schema", string_field(doc, "schema")}},
           1});
  ex.family("fabricperf_run_status", "gauge", "Run status: 0 ok, 1 failed, 2 aborted.")
      .samples.push_back({"", run_labels, run_status_value(string_field(doc, "status"))});
  ex.family("fabricperf_run_partial", "gauge", "1 when the run did not reach its end, else 0.")
      .samples.push_back({"", run_labels, doc.value("partial", false) ? 1.0 : 0.0});
  const auto started = parse_rfc3339(string_field(doc, "started_at"));
  const auto finished = parse_rfc3339(string_field(doc, "finished_at"));
  if (finished)
    ex.family("fabricperf_run_finished_timestamp_seconds", "gauge",
              "When the run finished, seconds since the Unix epoch.")
        .samples.push_back({"", run_labels, *finished});
  if (started && finished)
    ex.family("fabricperf_run_duration_seconds", "gauge", "How long the run took in seconds.")
        .samples.push_back({"", run_labels, *finished - *started});
  const auto count_of = [&](const char* key) {
    return doc.contains(key) && doc[key].is_array() ? static_cast<double>(doc[key].size()) : 0.0;
  };
  ex.family("fabricperf_run_errors", "gauge", "Errors the run recorded.")
      .samples.push_back({"", run_labels, count_of("errors")});
  ex.family("fabricperf_run_results", "gauge", "Result rows in the document.")
      .samples.push_back({"", run_labels, count_of("results")});
  return ex.text();
}

}  // namespace fabricperf::results
