#include "fabricperf/results/prometheus.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <utility>

#include "fabricperf/results/document.hpp"
#include "fabricperf/results/identity.hpp"
#include "fabricperf/results/prometheus_metrics.hpp"

namespace fabricperf::results {
namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

struct Sample {
  std::string suffix;  // "", or "_bucket"/"_sum"/"_count" in a histogram
  Labels labels;
  double value = 0;
};

class Exposition {
 public:
  // Every family of the table, in table order, so the output is stable across documents.
  Exposition() {
    for (const auto& m : prometheus_metrics()) families_.push_back({m, {}});
  }

  std::vector<Sample>& samples(std::string_view name) {
    for (auto& f : families_)
      if (f.metric.name == name) return f.samples;
    throw std::logic_error("no Prometheus family named " + std::string(name));
  }

  // Every sample of a family carries the same label names (empty value = label absent, as
  // Prometheus treats it), so consumers that check label consistency accept the family.
  [[nodiscard]] std::string text() const {
    std::string out;
    for (const auto& f : families_) {
      if (f.samples.empty()) continue;
      const std::string name(f.metric.name);
      std::vector<std::string> names;
      for (const auto& s : f.samples)
        for (const auto& [k, v] : s.labels)
          if (k != "le" && std::find(names.begin(), names.end(), k) == names.end()) names.push_back(k);
      out += "# HELP " + name + " " + escape_help(f.metric.help) + "\n";
      out += "# TYPE " + name + " " + std::string(f.metric.type) + "\n";
      for (const auto& s : f.samples) {
        std::string labels;
        const auto add = [&](const std::string& k, const std::string& v) {
          labels += (labels.empty() ? "" : ",") + k + "=\"" + escape_label_value(v) + "\"";
        };
        for (const auto& label : names) {
          const auto it =
              std::find_if(s.labels.begin(), s.labels.end(), [&](const auto& l) { return l.first == label; });
          add(label, it == s.labels.end() ? "" : it->second);
        }
        for (const auto& [k, v] : s.labels)
          if (k == "le") add(k, v);
        out += name + s.suffix + (labels.empty() ? "" : "{" + labels + "}") + " " + format_number(s.value) + "\n";
      }
    }
    return out;
  }

 private:
  struct Family {
    const PrometheusMetric& metric;
    std::vector<Sample> samples;
  };
  std::vector<Family> families_;
};

// The field value in the family's base unit.
double converted(const PrometheusMetric& m, double value) {
  return value * m.multiply / m.divide;
}

// Document keys that read better as Prometheus labels: the size in bytes is "size", the
// measuring host's peer "peer" (its device stays "peer_device").
std::string label_key(const std::string& key) {
  if (key == "size_bytes") return "size";
  if (key == "peer_host") return "peer";
  return key;
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

void add_label(Labels& labels, const std::string& key, const std::string& value) {
  std::string name = sanitize_label_name(label_key(key));
  while (std::any_of(labels.begin(), labels.end(), [&](const auto& l) { return l.first == name; }))
    name = "label_" + name;
  labels.emplace_back(std::move(name), value);
}

bool has_label(const Labels& labels, std::string_view name) {
  return std::any_of(labels.begin(), labels.end(), [&](const auto& l) { return l.first == name; });
}

// Labels of every row: tool, then the row identity (the fields that match a row across runs,
// never timestamps, versions or free text: series stay the same from run to run), then
// "latency" (half_round_trip | round_trip: what the t_* values mean). A "repeat" label is added
// where rows would otherwise collide (the same measurement repeated): Prometheus rejects
// duplicate series.
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
      if (key != "tool") add_label(labels, key, value);
    if (row.is_object() && row.contains("latency") && row["latency"].is_string() && !has_label(labels, "latency"))
      add_label(labels, "latency", row["latency"].get<std::string>());
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

// fp_lat's histogram ({le: upper edge in us, count}) as a cumulative Prometheus histogram in seconds.
void add_histogram(Exposition& ex, const nlohmann::json& row, const Labels& labels) {
  const auto& metric = prometheus_metric("fabricperf_latency_seconds");
  auto& samples = ex.samples(metric.name);
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
    l.emplace_back("le", format_number(converted(metric, buckets[i].first)));
    samples.push_back({"_bucket", std::move(l), cumulative});
  }
  Labels inf = labels;
  inf.emplace_back("le", "+Inf");
  samples.push_back({"_bucket", std::move(inf), cumulative});
  const auto avg = number_field(row, "t_avg_us");
  samples.push_back({"_sum", labels, converted(metric, avg ? *avg * cumulative : approx_sum)});
  samples.push_back({"_count", labels, cumulative});
}

void add_rows(Exposition& ex, const nlohmann::json& doc, const nlohmann::json& results, const std::string& tool) {
  const auto labels = row_labels(doc, tool);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& row = results[i];
    if (!row.is_object()) continue;
    for (const auto& m : prometheus_metrics()) {
      if (m.row_field.empty()) continue;
      const auto v = number_field(row, m.row_field);
      if (!v) continue;
      if (m.row_field == "wrong" && *v < 0) continue;  // not checked
      ex.samples(m.name).push_back({"", labels[i], converted(m, *v)});
    }
    if (row.contains("histogram") && row["histogram"].is_array()) add_histogram(ex, row, labels[i]);
    if (row.contains("gpus") && row["gpus"].is_array())
      ex.samples("fabricperf_topo_gpus").push_back({"", labels[i], static_cast<double>(row["gpus"].size())});
    if (row.contains("nics") && row["nics"].is_array())
      ex.samples("fabricperf_topo_nics").push_back({"", labels[i], static_cast<double>(row["nics"].size())});
  }
}

// The fingerprint: one fabricperf_host_info per host, one fabricperf_rdma_port_info (and rate)
// per RDMA port. Hosts repeated in hosts[] keep their last fingerprint, as merge does.
void add_hosts(Exposition& ex, const nlohmann::json& doc, const std::string& tool) {
  if (!doc.contains("hosts") || !doc["hosts"].is_array()) return;
  std::map<std::string, const nlohmann::json*> by_name;
  for (const auto& host : doc["hosts"])
    if (host.is_object()) by_name[string_field(host, "hostname")] = &host;
  const auto& rate_metric = prometheus_metric("fabricperf_rdma_port_rate_bytes_per_second");
  for (const auto& [hostname, host] : by_name) {
    Labels labels = {{"tool", tool}, {"host", hostname}};
    for (const char* key :
         {"kernel", "os", "rdma_core_version", "nvidia_driver", "cuda_version", "nccl_version", "mpi_version"})
      labels.emplace_back(key, string_field(*host, key));
    ex.samples("fabricperf_host_info").push_back({"", std::move(labels), 1});
    if (!host->contains("rdma_devices") || !(*host)["rdma_devices"].is_array()) continue;
    std::map<Labels, bool> seen;
    for (const auto& device : (*host)["rdma_devices"]) {
      if (!device.is_object() || !device.contains("ports") || !device["ports"].is_array()) continue;
      for (const auto& port : device["ports"]) {
        const auto number = number_field(port, "port");
        if (!number) continue;
        const Labels id = {{"tool", tool},
                           {"host", hostname},
                           {"device", string_field(device, "name")},
                           {"port", format_number(*number)}};
        if (std::exchange(seen[id], true)) continue;  // one series per port
        Labels info = id;
        for (const char* key : {"link_layer", "state", "phys_state", "rate"})
          info.emplace_back(key, string_field(port, key));
        info.emplace_back("fw_ver", string_field(device, "fw_ver"));
        ex.samples("fabricperf_rdma_port_info").push_back({"", std::move(info), 1});
        if (const auto rate = number_field(port, "rate_gbps"))
          ex.samples(rate_metric.name).push_back({"", id, converted(rate_metric, *rate)});
      }
    }
  }
}

void add_checks(Exposition& ex, const nlohmann::json& doc, const std::string& tool) {
  if (!doc.contains("checks") || !doc["checks"].is_array()) return;
  std::map<Labels, int> seen;
  for (const auto& check : doc["checks"]) {
    if (!check.is_object()) continue;
    Labels labels;
    add_label(labels, "tool", tool);
    add_label(labels, "check", string_field(check, "name"));
    if (check.contains("labels") && check["labels"].is_object())
      for (const auto& [k, v] : check["labels"].items())
        if (!v.is_null()) add_label(labels, k, value_text(v));
    if (const int n = seen[labels]++; n > 0) add_label(labels, "repeat", std::to_string(n));
    ex.samples("fabricperf_check_status").push_back({"", labels, check_status_value(string_field(check, "status"))});
    if (const auto m = number_field(check, "measured"))
      ex.samples("fabricperf_check_measured").push_back({"", labels, *m});
    if (const auto e = number_field(check, "expected"))
      ex.samples("fabricperf_check_expected").push_back({"", labels, *e});
  }
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
  // snake_case, as promtool's lint asks: "peerHost" -> "peer_host", other characters -> "_".
  std::string name;
  char previous = 0;
  for (const char c : key) {
    const bool lower = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (c >= 'A' && c <= 'Z') {
      if ((previous >= 'a' && previous <= 'z') || (previous >= '0' && previous <= '9')) name += '_';
      name += static_cast<char>(c - 'A' + 'a');
    } else {
      name += lower || c == '_' ? c : '_';
    }
    previous = c;
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
  if (doc.contains("results") && doc["results"].is_array()) add_rows(ex, doc, doc["results"], tool);
  add_hosts(ex, doc, tool);
  add_checks(ex, doc, tool);

  const Labels run_labels = {{"tool", tool}};
  ex.samples("fabricperf_run_info")
      .push_back({"",
                  {{"tool", tool}, {"version", string_field(doc, "version")}, {"schema", string_field(doc, "schema")}},
                  1});
  ex.samples("fabricperf_run_status").push_back({"", run_labels, run_status_value(string_field(doc, "status"))});
  ex.samples("fabricperf_run_partial").push_back({"", run_labels, doc.value("partial", false) ? 1.0 : 0.0});
  const auto started = parse_rfc3339(string_field(doc, "started_at"));
  const auto finished = parse_rfc3339(string_field(doc, "finished_at"));
  if (finished) ex.samples("fabricperf_run_finished_timestamp_seconds").push_back({"", run_labels, *finished});
  if (started && finished)
    ex.samples("fabricperf_run_duration_seconds").push_back({"", run_labels, *finished - *started});
  const auto count_of = [&](const char* key) {
    return doc.contains(key) && doc[key].is_array() ? static_cast<double>(doc[key].size()) : 0.0;
  };
  ex.samples("fabricperf_run_errors").push_back({"", run_labels, count_of("errors")});
  ex.samples("fabricperf_run_results").push_back({"", run_labels, count_of("results")});
  return ex.text();
}

}  // namespace fabricperf::results
