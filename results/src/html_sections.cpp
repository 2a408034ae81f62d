#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>

#include "fabricperf/results/document.hpp"
#include "html_page.hpp"

namespace fabricperf::results::detail {

const nlohmann::json& array_of(const nlohmann::json& doc, const char* key) {
  static const nlohmann::json empty = nlohmann::json::array();
  return doc.is_object() && doc.contains(key) && doc[key].is_array() ? doc[key] : empty;
}

std::string num(double v) {
  char buffer[64];
  if (!std::isfinite(v)) return format_number(v);
  if (std::fabs(v) >= 1000)
    std::snprintf(buffer, sizeof buffer, "%.0f", v);
  else
    std::snprintf(buffer, sizeof buffer, "%.4g", v);
  return buffer;
}

namespace {

std::string tolerance(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", v);
  return buffer;
}

std::string pct(const std::optional<double>& v) {
  if (!v) return "n/a";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%+.1f%%", *v);
  return buffer;
}

// A JSON value as short text for a table cell.
std::string cell_text(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) return num(v.get<double>());
  if (v.is_object() && v.empty()) return "";
  return v.dump();
}

std::string labels_text(const nlohmann::json& labels) {
  std::string out;
  if (!labels.is_object()) return out;
  for (const auto& [k, v] : labels.items()) out += (out.empty() ? "" : " ") + k + "=" + value_text(v);
  return out;
}

}  // namespace

void regressions_section(Page& p, const CompareReport& report, const CompareOptions& options,
                         const std::string& baseline_name) {
  p.section("regressions", "Regressions against the baseline");
  p.add("<p class=\"summary\">Baseline ");
  p.text(baseline_name);
  p.add(": ");
  p.text(std::to_string(report.metrics.size()) + " metrics compared, " +
         std::to_string(report.count(results::Verdict::regression)) + " regressed, " +
         std::to_string(report.count(results::Verdict::improved)) + " improved (tolerance " +
         num(options.tolerance_pct) + "% or " + num(options.noise_k) + " \u00d7 noise); " +
         std::to_string(report.only_in_base.size()) + " row(s) only in the baseline, " +
         std::to_string(report.only_in_new.size()) + " only in this run.");
  p.add("</p>\n");
  if (!report.environment.empty()) {
    p.add(
        "<h3>Changed since the "
        "baseline</h3><table><tr><th>what</th><th>baseline</th><th>now</th><th>where</th></tr>\n");
    for (const auto& e : summarize_environment(report.environment)) {
      p.add("<tr><td>");
      p.text(e.field);
      p.add("</td><td>");
      p.text(e.base.empty() ? "(none)" : e.base);
      p.add("</td><td>");
      p.text(e.next.empty() ? "(none)" : e.next);
      p.add("</td><td>");
      p.text(e.where);
      p.add("</td></tr>\n");
    }
    p.add("</table>\n");
  }
  const auto rows = report.notable();
  if (!rows.empty()) {
    constexpr std::size_t kFirstRows = 15;
    std::vector<const Identity*> ids;
    for (const auto* m : rows) ids.push_back(&m->identity);
    const Identity common = common_fields(ids);
    if (!common.empty()) {
      p.add("<p class=\"summary\">Every row below: ");
      p.text(describe(common));
      p.add("</p>\n");
    }
    const auto header = [&] {
      p.add(
          "<div class=\"scroll\"><table "
          "class=\"compare\"><tr><th>verdict</th><th>row</th><th>metric</th><th>baseline</th>"
          "<th>now</th><th>change</th><th>tolerance</th><th>noise</th></tr>\n");
    };
    header();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto* m = rows[i];
      if (i == kFirstRows) {
        p.add("</table></div>\n<details><summary>");
        p.text(std::to_string(rows.size() - kFirstRows) + " more");
        p.add("</summary>\n");
        header();
      }
      const std::string verdict(to_string(m->judgement.verdict));
      const Identity rest = without(m->identity, common);
      p.add("<tr class=\"" + verdict + "\"><td><span class=\"pill " + verdict + "\">" + verdict + "</span></td><td>");
      p.text(rest.empty() ? "-" : describe(rest));
      p.add("</td><td>");
      p.text(m->metric);
      p.add("</td><td class=\"num\">" + num(m->base.value) + "</td><td class=\"num\">" + num(m->next.value) +
            "</td><td class=\"num\">" + pct(m->judgement.change_pct) + "</td><td class=\"num\">" +
            tolerance(m->judgement.tolerance_pct) + "</td><td class=\"num\">");
      p.text(m->judgement.noise_source == NoiseSource::none
                 ? "-"
                 : num(m->judgement.noise_pct) + "% (" + std::string(to_string(m->judgement.noise_source)) + ")");
      p.add("</td></tr>\n");
    }
    p.add("</table></div>\n");
    if (rows.size() > kFirstRows) p.add("</details>\n");
  } else {
    p.add("<p>No metric changed beyond its tolerance.</p>\n");
  }
  for (const auto& t : report.checks) {
    p.add(t.regression ? "<p><span class=\"pill fail\">check regression</span> "
                       : "<p class=\"muted\">check changed: ");
    p.text(t.name + (t.labels.empty() ? "" : " " + labels_text(t.labels)) + ": " +
           (t.base_status.empty() ? "(absent)" : t.base_status) + " \u2192 " +
           (t.new_status.empty() ? "(absent)" : t.new_status));
    p.add("</p>\n");
  }
  const auto list = [&](const std::vector<Identity>& ids, const std::string& title) {
    if (ids.empty()) return;
    p.add("<details><summary>");
    p.text(title + " (" + std::to_string(ids.size()) + ")");
    p.add("</summary><ul>");
    for (const auto& id : ids) {
      p.add("<li>");
      p.text(describe(id));
      p.add("</li>");
    }
    p.add("</ul></details>\n");
  };
  list(report.only_in_base, "Rows only in the baseline");
  list(report.only_in_new, "Rows only in this run");
}

namespace {

void check_rows(Page& p, const std::vector<const nlohmann::json*>& checks) {
  p.add(
      "<div class=\"scroll\"><table class=\"checks\"><tr><th>status</th><th>check</th><th>labels</th><th>expected</th>"
      "<th>measured</th><th>detail</th></tr>\n");
  for (const auto* c : checks) {
    const std::string status = string_field(*c, "status", "skip");
    p.add("<tr><td><span class=\"pill ");
    p.text(status);
    p.add("\">");
    p.text(status);
    p.add("</span></td><td>");
    p.text(string_field(*c, "name"));
    p.add("</td><td>");
    p.text(labels_text(c->value("labels", nlohmann::json::object())));
    p.add("</td><td>");
    p.text(cell_text(c->value("expected", nlohmann::json())));
    p.add("</td><td>");
    p.text(cell_text(c->value("measured", nlohmann::json())));
    p.add("</td><td>");
    p.text(string_field(*c, "detail"));
    p.add("</td></tr>\n");
  }
  p.add("</table></div>\n");
}

}  // namespace

void checks_section(Page& p, const nlohmann::json& doc) {
  const auto& checks = array_of(doc, "checks");
  if (checks.empty()) return;
  p.section("checks", "Checks");
  std::vector<const nlohmann::json*> attention, rest;
  std::map<std::string, std::size_t> counts;
  for (const auto& c : checks) {
    const std::string s = string_field(c, "status", "skip");
    ++counts[s];
    (s == "fail" || s == "warn" ? attention : rest).push_back(&c);
  }
  std::stable_sort(attention.begin(), attention.end(), [](const auto* a, const auto* b) {
    return (string_field(*a, "status") == "fail") > (string_field(*b, "status") == "fail");
  });
  p.add("<p class=\"summary\">");
  for (const char* s : {"fail", "warn", "pass", "skip"})
    if (counts[s])
      p.add("<span class=\"pill " + std::string(s) + "\">" + std::to_string(counts[s]) + " " + s + "</span> ");
  p.add("</p>\n");
  if (!attention.empty()) check_rows(p, attention);
  if (!rest.empty()) {
    p.add("<details" + std::string(attention.empty() && rest.size() <= 30 ? " open" : "") + "><summary>");
    p.text(std::to_string(rest.size()) + " passed or skipped check(s)");
    p.add("</summary>\n");
    check_rows(p, rest);
    p.add("</details>\n");
  }
}

void errors_section(Page& p, const nlohmann::json& doc) {
  const auto& errors = array_of(doc, "errors");
  if (errors.empty()) return;
  p.section("errors", "Errors");
  p.add("<ul>");
  for (const auto& e : errors) {
    p.add("<li>");
    p.text(e.is_string() ? e.get<std::string>() : e.dump());
    p.add("</li>");
  }
  p.add("</ul>\n");
}

namespace {

std::string path_class(const std::string& path) {
  std::string base;
  for (const char c : path)
    if (std::isalpha(static_cast<unsigned char>(c))) base += c;
  for (const char* known : {"PIX", "PXB", "PHB", "NODE", "SYS", "NV"})
    if (base == known) return " path-" + base;
  return "";
}

}  // namespace

void topology_section(Page& p, const nlohmann::json& doc) {
  bool any = false;
  for (const auto& row : array_of(doc, "results")) {
    if (!row.is_object() || !row.contains("gpus") || !row["gpus"].is_array()) continue;
    if (!any) {
      p.section("topology", "GPU \u00d7 NIC topology");
      p.add(
          "<p class=\"summary\">PCIe path from each GPU to each NIC (PIX/PXB: same switch, PHB: same host bridge, "
          "NODE: same NUMA node, SYS: across sockets). The NIC each GPU uses is outlined.</p>\n");
      any = true;
    }
    const auto& gpus = row["gpus"];
    const nlohmann::json nics = row.contains("nics") && row["nics"].is_array() ? row["nics"] : nlohmann::json::array();
    const nlohmann::json matrix = row.value("matrix", nlohmann::json());
    p.add("<h3>");
    p.text(string_field(row, "host", "host"));
    p.add("</h3><div class=\"scroll\"><table class=\"topo\"><tr><th>GPU</th><th>NUMA</th>");
    for (const auto& nic : nics) {
      p.add("<th>");
      p.text(string_field(nic, "id"));
      if (nic.contains("numa")) {
        p.add("<br><span class=\"muted\">NUMA ");
        p.text(value_text(nic["numa"]));
        p.add("</span>");
      }
      p.add("</th>");
    }
    p.add("<th>uses</th></tr>\n");
    for (std::size_t g = 0; g < gpus.size(); ++g) {
      const auto& gpu = gpus[g];
      p.add("<tr><td>GPU ");
      p.text(gpu.contains("index") ? value_text(gpu["index"]) : std::to_string(g));
      p.add(" <span class=\"muted\">");
      p.text(string_field(gpu, "pci"));
      p.add("</span></td><td class=\"num\">");
      p.text(gpu.contains("numa") ? value_text(gpu["numa"]) : "");
      p.add("</td>");
      // fp_topo: "uses" is the NIC the GPU's rank uses, "nic" the one dedicated to it (null when none).
      const std::string uses = string_field(gpu, "uses", string_field(gpu, "nic"));
      for (std::size_t n = 0; n < nics.size(); ++n) {
        const std::string nic_id = string_field(nics[n], "id");
        std::string path;
        if (matrix.is_array() && g < matrix.size() && matrix[g].is_array() && n < matrix[g].size())
          path = value_text(matrix[g][n]);
        else if (matrix.is_object()) {
          // {"GPU0": {"mlx5_0": "PIX"}} or {"0": {...}}
          for (const auto& key : {"GPU" + std::to_string(g), std::to_string(g), string_field(gpu, "pci")})
            if (matrix.contains(key) && matrix[key].is_object() && matrix[key].contains(nic_id))
              path = value_text(matrix[key][nic_id]);
        }
        if (path.empty() && gpu.contains("nearest_nics") && gpu["nearest_nics"].is_array())
          for (const auto& near : gpu["nearest_nics"])
            if (near == nic_id) path = string_field(gpu, "nearest_path");
        p.add("<td class=\"path" + path_class(path) + (nic_id == uses && !uses.empty() ? " assigned" : "") + "\">");
        p.text(path.empty() ? "\u00b7" : path);
        p.add("</td>");
      }
      p.add("<td>");
      p.text(uses.empty() ? "-" : uses);
      p.add("</td></tr>\n");
    }
    p.add("</table></div>\n");
  }
}

void hosts_section(Page& p, const nlohmann::json& doc) {
  const auto& hosts = array_of(doc, "hosts");
  if (hosts.empty()) return;
  p.section("hosts", "Hosts");
  p.add(
      "<div class=\"scroll\"><table><tr><th>host</th><th>kernel</th><th>OS</th><th>rdma-core</th><th>NVIDIA driver</th>"
      "<th>RDMA devices (firmware, ports)</th></tr>\n");
  for (const auto& h : hosts) {
    p.add("<tr><td>");
    p.text(string_field(h, "hostname"));
    for (const char* f : {"kernel", "os", "rdma_core_version", "nvidia_driver"}) {
      p.add("</td><td>");
      p.text(string_field(h, f));
    }
    p.add("</td><td>");
    bool first = true;
    for (const auto& d : array_of(h, "rdma_devices")) {
      std::string text = string_field(d, "name");
      if (d.contains("fw_ver")) text += " fw " + string_field(d, "fw_ver");
      for (const auto& port : array_of(d, "ports"))
        text += " \u00b7 port " + value_text(port.value("port", nlohmann::json())) + " " + string_field(port, "state") +
                " " + string_field(port, "rate") + " " + string_field(port, "link_layer");
      if (!first) p.add("<br>");
      p.text(text);
      first = false;
    }
    p.add("</td></tr>\n");
  }
  p.add("</table></div>\n");
}

void results_section(Page& p, const nlohmann::json& doc) {
  const auto& results = array_of(doc, "results");
  if (results.empty()) return;
  constexpr std::size_t kMaxRows = 2000;
  p.section("results", "All results");
  std::vector<std::string> columns;
  for (const auto& row : results)
    if (row.is_object())
      for (const auto& [k, v] : row.items())
        if (std::find(columns.begin(), columns.end(), k) == columns.end()) columns.push_back(k);
  p.add("<details><summary>");
  p.text(std::to_string(results.size()) + " result row(s)" +
         (results.size() > kMaxRows ? ", the first " + std::to_string(kMaxRows) + " shown" : ""));
  p.add("</summary><div class=\"scroll\"><table class=\"results\"><tr>");
  for (const auto& c : columns) {
    p.add("<th>");
    p.text(c);
    p.add("</th>");
  }
  p.add("</tr>\n");
  for (std::size_t i = 0; i < std::min(results.size(), kMaxRows); ++i) {
    p.add("<tr>");
    for (const auto& c : columns) {
      const nlohmann::json v = results[i].is_object() ? results[i].value(c, nlohmann::json()) : nlohmann::json();
      p.add(v.is_number() ? "<td class=\"num\">" : "<td>");
      if (c == "histogram" && v.is_array())
        p.text(std::to_string(v.size()) + " buckets");
      else if (v.is_array() && v.size() > 8)
        p.text(std::to_string(v.size()) + " items");
      else
        p.text(cell_text(v));
      p.add("</td>");
    }
    p.add("</tr>\n");
  }
  p.add("</table></div></details>\n");
}

}  // namespace fabricperf::results::detail
