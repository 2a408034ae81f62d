// The Prometheus naming conventions, checked without promtool: base units in names, no
// abbreviated units, _total only on counters, _info families at 1, snake_case names, every family
// in the table (prometheus_metrics.hpp), every table family in the README mapping table, and every
// Grafana dashboard query naming an exported family.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "fabricperf/results/metrics.hpp"
#include "fabricperf/results/prometheus.hpp"
#include "fabricperf/results/prometheus_metrics.hpp"
#include "fixtures.hpp"

namespace fabricperf::results {
namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Every recorded document under tests/data that is a valid result document.
std::vector<std::filesystem::path> recorded_documents() {
  const std::filesystem::path data = std::filesystem::path(FABRICPERF_SOURCE_DIR) / "tests/data";
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(data / "results"))
    if (e.path().extension() == ".json" && !e.path().filename().string().starts_with("invalid_"))
      out.push_back(e.path());
  out.push_back(data / "runners/golive-baseline.json");
  return out;
}

std::vector<std::string> tokens(std::string_view name) {
  std::vector<std::string> out;
  std::string token;
  for (const char c : name) {
    if (c == '_') {
      out.push_back(token);
      token.clear();
    } else {
      token += c;
    }
  }
  out.push_back(token);
  return out;
}

// promtool's lint (client_golang promlint): abbreviated units and non-base units.
const std::set<std::string> kAbbreviations = {"s",  "ms", "us", "ns", "sec", "b",    "kb",   "mb", "gb",
                                              "tb", "pb", "m",  "h",  "d",   "gbps", "mpps", "pct"};
// Families whose value has no unit: counts, codes and check values in the check's own unit
// (documented in results/README.md, "Prometheus metrics").
const std::set<std::string_view> kUnitless = {"fabricperf_topo_gpus",           "fabricperf_topo_nics",
                                              "fabricperf_coll_wrong_elements", "fabricperf_check_status",
                                              "fabricperf_check_measured",      "fabricperf_check_expected",
                                              "fabricperf_run_status",          "fabricperf_run_partial",
                                              "fabricperf_run_errors",          "fabricperf_run_results"};

TEST(PrometheusNames, TableFollowsTheNamingConventions) {
  const std::regex snake("^fabricperf_[a-z0-9_]+$");
  std::set<std::string_view> seen;
  for (const auto& m : prometheus_metrics()) {
    const std::string name(m.name);
    EXPECT_TRUE(seen.insert(m.name).second) << "twice in the table: " << name;
    EXPECT_TRUE(std::regex_match(name, snake)) << name;
    EXPECT_TRUE(m.type == "gauge" || m.type == "histogram") << name << ": " << m.type;
    EXPECT_FALSE(name.ends_with("_total")) << name << ": _total is for counters, and nothing here counts up";
    for (const auto& t : tokens(name)) EXPECT_FALSE(kAbbreviations.contains(t)) << name << ": unit token " << t;
    const bool unit = name.ends_with("_seconds") || name.ends_with("_bytes") || name.ends_with("_per_second") ||
                      name.ends_with("_ratio") || name.ends_with("_info");
    EXPECT_TRUE(unit || kUnitless.contains(m.name)) << name << ": no base-unit suffix and not a documented exception";
    EXPECT_FALSE(m.help.empty()) << name;
    EXPECT_GT(m.multiply, 0) << name;
    EXPECT_GT(m.divide, 0) << name;
  }
}

TEST(PrometheusNames, DocumentUnitsBecomeBaseUnits) {
  for (const auto& m : prometheus_metrics()) {
    const std::string field(m.row_field);
    const std::string name(m.name);
    if (field.ends_with("_gbps")) {  // Gbit/s
      EXPECT_TRUE(name.ends_with("_bytes_per_second")) << name;
      EXPECT_DOUBLE_EQ(m.multiply / m.divide, 1.25e8) << name;
    } else if (field.ends_with("_GBps")) {  // GB/s
      EXPECT_TRUE(name.ends_with("_bytes_per_second")) << name;
      EXPECT_DOUBLE_EQ(m.multiply / m.divide, 1e9) << name;
    } else if (field.ends_with("_us")) {
      EXPECT_TRUE(name.ends_with("_seconds")) << name;
      EXPECT_DOUBLE_EQ(m.multiply / m.divide, 1e-6) << name;
    } else if (field.ends_with("_pct")) {
      EXPECT_TRUE(name.ends_with("_ratio")) << name;
      EXPECT_DOUBLE_EQ(m.multiply / m.divide, 0.01) << name;
    } else if (field.ends_with("_mpps")) {
      EXPECT_TRUE(name.ends_with("_per_second")) << name;
      EXPECT_DOUBLE_EQ(m.multiply / m.divide, 1e6) << name;
    }
  }
}

TEST(PrometheusNames, EveryCatalogueMetricIsExported) {
  for (const auto& c : metric_catalogue()) {
    bool found = false;
    for (const auto& m : prometheus_metrics()) found = found || m.row_field == c.field;
    EXPECT_TRUE(found) << c.field << " (fp_report's catalogue) has no Prometheus family";
  }
}

TEST(PrometheusNames, EveryExportOfARecordedDocumentKeepsTheConventions) {
  const std::regex label_name("^[a-z_][a-z0-9_]*$");
  const std::regex labels_re(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)")re");
  for (const auto& path : recorded_documents()) {
    const std::string text = to_prometheus(nlohmann::json::parse(read_text(path)));
    std::istringstream in(text);
    std::set<std::string> families;
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with("# TYPE ")) families.insert(line.substr(7, line.find(' ', 7) - 7));
      if (line.starts_with("#")) continue;
      const std::string sample = line.substr(0, line.find_first_of("{ "));
      const PrometheusMetric* family = prometheus_family_of(sample);
      ASSERT_NE(family, nullptr) << path.filename() << ": " << sample << " is not in the table";
      const auto brace = line.find('{');
      const std::string labels = brace == std::string::npos ? "" : line.substr(brace, line.rfind('}') - brace);
      for (std::sregex_iterator it(labels.begin(), labels.end(), labels_re), end; it != end; ++it)
        EXPECT_TRUE(std::regex_match((*it)[1].str(), label_name)) << path.filename() << ": label " << (*it)[1];
      if (family->name.ends_with("_info")) EXPECT_TRUE(line.ends_with("} 1")) << line;
    }
    EXPECT_TRUE(families.contains("fabricperf_run_info")) << path.filename();
  }
}

TEST(PrometheusNames, FingerprintIsExportedAsInfo) {
  const auto text = to_prometheus(testing::load_fixture("suite.json"));
  EXPECT_NE(text.find("# TYPE fabricperf_host_info gauge\n"), std::string::npos);
  EXPECT_NE(text.find("fabricperf_host_info{tool=\"fp_suite\",host=\"gpu-node-01\",kernel=\"6.1.0-18-amd64\","
                      "os=\"Debian GNU/Linux 12 (bookworm)\",rdma_core_version=\"44.0\",nvidia_driver=\"550.54.15\","),
            std::string::npos)
      << text.substr(0, 3000);
  EXPECT_NE(text.find("fabricperf_rdma_port_info{tool=\"fp_suite\",host=\"gpu-node-01\",device=\"mlx5_0\",port=\"1\","
                      "link_layer=\"InfiniBand\",state=\"ACTIVE\",phys_state=\"LINK_UP\",rate=\"400 Gb/sec (4X NDR)\","
                      "fw_ver=\"28.39.1002\"} 1\n"),
            std::string::npos);
  // 400 Gbit/s = 5e10 bytes/s.
  EXPECT_NE(text.find("fabricperf_rdma_port_rate_bytes_per_second{tool=\"fp_suite\",host=\"gpu-node-01\","
                      "device=\"mlx5_0\",port=\"1\"} 5e+10\n"),
            std::string::npos);
}

TEST(PrometheusNames, LatencyKindAndPeerAreLabels) {
  const auto doc = testing::make_doc({{{"host", "n1"},
                                       {"peer_host", "n2"},
                                       {"device", "mlx5_0"},
                                       {"size_bytes", 2},
                                       {"latency", "half_round_trip"},
                                       {"t_avg_us", 1.5}}},
                                     nlohmann::json::array(), "fp_lat");
  const std::string text = to_prometheus(doc);
  const auto start = text.find("\nfabricperf_latency_avg_seconds{");
  ASSERT_NE(start, std::string::npos) << text;
  const std::string line = text.substr(start + 1, text.find('\n', start + 1) - start - 1);
  // Label order follows the identity's display order; the set is what matters.
  for (const char* label : {"tool=\"fp_lat\"", "host=\"n1\"", "peer=\"n2\"", "device=\"mlx5_0\"", "size=\"2\"",
                            "latency=\"half_round_trip\""})
    EXPECT_NE(line.find(label), std::string::npos) << label << " missing: " << line;
  EXPECT_EQ(line.find("peer_host"), std::string::npos) << line;
  EXPECT_TRUE(line.ends_with("} 1.5e-06")) << line;
}

TEST(PrometheusNames, ReadmeMapsEveryFamily) {
  const std::string readme = read_text(std::filesystem::path(FABRICPERF_SOURCE_DIR) / "results/README.md");
  const auto section = readme.find("### Prometheus metrics");
  ASSERT_NE(section, std::string::npos) << "results/README.md has no \"Prometheus metrics\" section";
  const std::string text = readme.substr(section, readme.find("\n## ", section) - section);
  for (const auto& m : prometheus_metrics())
    EXPECT_NE(text.find("`" + std::string(m.name) + "`"), std::string::npos) << m.name << " is not in the README table";
}

TEST(PrometheusNames, GrafanaDashboardQueriesNameExportedFamilies) {
  const auto path = std::filesystem::path(FABRICPERF_SOURCE_DIR) / "results/grafana/fabricperf.json";
  const auto dashboard = nlohmann::json::parse(read_text(path));
  // Panel queries ("expr" at any depth) and the query variables' definitions.
  std::vector<std::string> queries;
  std::vector<const nlohmann::json*> stack = {&dashboard};
  while (!stack.empty()) {
    const nlohmann::json* node = stack.back();
    stack.pop_back();
    if (node->is_object()) {
      if (node->value("type", "") == "query" && node->contains("definition"))
        queries.push_back((*node)["definition"].get<std::string>());
      for (const auto& [key, value] : node->items()) {
        if (key == "expr" && value.is_string()) queries.push_back(value.get<std::string>());
        stack.push_back(&value);
      }
    } else if (node->is_array()) {
      for (const auto& value : *node) stack.push_back(&value);
    }
  }
  ASSERT_GE(queries.size(), 5U) << "the dashboard has almost no queries";
  const std::regex name_re("fabricperf_[a-z0-9_]+");
  for (const auto& q : queries) {
    bool names_one = false;
    for (std::sregex_iterator it(q.begin(), q.end(), name_re), end; it != end; ++it) {
      names_one = true;
      EXPECT_NE(prometheus_family_of(it->str()), nullptr) << "query names " << it->str() << ", never exported: " << q;
    }
    EXPECT_TRUE(names_one) << "query names no fabricperf metric: " << q;
  }
}

}  // namespace
}  // namespace fabricperf::results
