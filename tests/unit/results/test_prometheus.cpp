#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "fabricperf/results/prometheus.hpp"
#include "fabricperf/results/prometheus_metrics.hpp"
#include "fixtures.hpp"

namespace fabricperf::results {
namespace {

using testing::make_doc;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string family_of(const std::string& sample_line) {
  const std::string name = sample_line.substr(0, sample_line.find_first_of("{ "));
  const PrometheusMetric* family = prometheus_family_of(name);
  return family ? std::string(family->name) : name;
}

TEST(PrometheusEscaping, LabelValues) {
  EXPECT_EQ(escape_label_value("plain"), "plain");
  EXPECT_EQ(escape_label_value("a\"b"), "a\\\"b");
  EXPECT_EQ(escape_label_value("a\\b"), "a\\\\b");
  EXPECT_EQ(escape_label_value("a\nb"), "a\\nb");
  EXPECT_EQ(escape_label_value("nöde"), "nöde");
}

TEST(PrometheusEscaping, HelpText) {
  EXPECT_EQ(escape_help("a\\b\nc \"q\""), "a\\\\b\\nc \"q\"");
}

TEST(PrometheusEscaping, LabelNames) {
  EXPECT_EQ(sanitize_label_name("device"), "device");
  EXPECT_EQ(sanitize_label_name("peer-host.name"), "peer_host_name");
  EXPECT_EQ(sanitize_label_name("1st"), "_1st");
  // promtool lints camelCase label names: snake_case them.
  EXPECT_EQ(sanitize_label_name("peerHost"), "peer_host");
  EXPECT_EQ(sanitize_label_name("QPType"), "qptype");
  EXPECT_EQ(sanitize_label_name("rail2Device"), "rail2_device");
  EXPECT_EQ(sanitize_label_name("__name__"), "exported___name__");
  EXPECT_EQ(sanitize_label_name("le"), "exported_le");
  EXPECT_EQ(sanitize_label_name("job"), "exported_job");
  EXPECT_EQ(sanitize_label_name("instance"), "exported_instance");
}

TEST(Prometheus, EveryFamilyHasHelpAndTypeOnceAndIsContiguous) {
  for (const char* name : {"bw_sweep.json", "lat.json", "coll.json", "topo.json", "suite.json", "escaping.json"}) {
    const auto lines = lines_of(to_prometheus(testing::load_fixture(name)));
    std::map<std::string, int> help, type;
    std::set<std::string> finished;
    std::string current;
    const std::regex sample(
        R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?[0-9.e+\-Inf]+(NaN)?$)");
    for (const auto& line : lines) {
      if (line.starts_with("# HELP ")) {
        ++help[line.substr(7, line.find(' ', 7) - 7)];
        continue;
      }
      if (line.starts_with("# TYPE ")) {
        const std::string fam = line.substr(7, line.find(' ', 7) - 7);
        ++type[fam];
        EXPECT_EQ(help[fam], 1) << "TYPE before HELP for " << fam;
        continue;
      }
      ASSERT_TRUE(std::regex_match(line, sample)) << name << ": " << line;
      const std::string fam = family_of(line);
      EXPECT_EQ(type[fam], 1) << name << ": sample before its TYPE: " << line;
      if (fam != current) {
        EXPECT_FALSE(finished.contains(fam)) << name << ": family " << fam << " is split";
        if (!current.empty()) finished.insert(current);
        current = fam;
      }
    }
    for (const auto& [fam, n] : help) EXPECT_EQ(n, 1) << fam;
  }
}

TEST(Prometheus, BandwidthSamplesWithIdentityLabels) {
  const auto text = to_prometheus(testing::load_fixture("bw_sweep.json"));
  EXPECT_NE(text.find("# TYPE fabricperf_bw_avg_bytes_per_second gauge\n"), std::string::npos);
  EXPECT_NE(text.find("fabricperf_bw_avg_bytes_per_second{tool=\"fp_bw\",host=\"gpu-node-01\",peer=\"gpu-node-02\","
                      "device=\"mlx5_0\",port=\"1\",op=\"write\",size=\"65536\",devices=\"\",aggregate=\"\"} "),
            std::string::npos)
      << text.substr(0, 2000);
  // The aggregate rows carry the same label names (empty = absent).
  EXPECT_NE(text.find("fabricperf_bw_avg_bytes_per_second{tool=\"fp_bw\",host=\"gpu-node-01\",peer=\"gpu-node-02\","
                      "device=\"\",port=\"\",op=\"write\",size=\"8388608\",devices=\"mlx5_0,mlx5_1\","
                      "aggregate=\"true\"} "),
            std::string::npos);
  EXPECT_NE(text.find("fabricperf_check_status{tool=\"fp_bw\",check=\"bw_line_rate\",device=\"mlx5_0\",host=\"gpu-node-"
                      "01\",port=\"1\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("fabricperf_run_status{tool=\"fp_bw\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("fabricperf_run_finished_timestamp_seconds{tool=\"fp_bw\"} 1773479582.977\n"), std::string::npos);
  // No timestamps after the value: the textfile collector and the Pushgateway reject them.
  for (const auto& line : lines_of(text)) {
    if (line.starts_with("#")) continue;
    const auto brace = line.rfind('}');
    const std::string rest = brace == std::string::npos ? line.substr(line.find(' ')) : line.substr(brace + 1);
    EXPECT_EQ(std::count(rest.begin(), rest.end(), ' '), 1) << line;
  }
}

TEST(Prometheus, CollectiveBandwidthInBytesPerSecond) {
  const auto doc = make_doc({{{"coll", "allreduce"},
                              {"backend", "nccl"},
                              {"ranks", 16},
                              {"size_bytes", 1024},
                              {"dtype", "float"},
                              {"op", "sum"},
                              {"in_place", false},
                              {"time_us", 20.5},
                              {"algbw_GBps", 0.05},
                              {"busbw_GBps", 0.09375},
                              {"wrong", 0}}},
                            nlohmann::json::array(), "fp_coll");
  const auto text = to_prometheus(doc);
  // busbw_GBps is GB/s (10^9 bytes/s): 0.09375 GB/s is 93750000 bytes/s (not x 8, not Gbit/s).
  EXPECT_NE(text.find("fabricperf_coll_busbw_bytes_per_second{tool=\"fp_coll\",coll=\"allreduce\",backend=\"nccl\","
                      "ranks=\"16\",op=\"sum\",dtype=\"float\",in_place=\"false\",size=\"1024\"} 93750000\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("fabricperf_coll_algbw_bytes_per_second{"), std::string::npos);
  EXPECT_NE(text.find("fabricperf_coll_time_seconds{tool=\"fp_coll\",coll=\"allreduce\",backend=\"nccl\",ranks=\"16\","
                      "op=\"sum\",dtype=\"float\",in_place=\"false\",size=\"1024\"} 2.05e-05\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("fabricperf_coll_wrong_elements{"), std::string::npos);
}

TEST(Prometheus, LatencyHistogramIsCumulative) {
  const auto doc = make_doc(
      {{{"device", "mlx5_0"},
        {"size_bytes", 2},
        {"t_avg_us", 2.0},
        {"p99_us", 2.5},
        {"histogram", {{{"le", 2.0}, {"count", 6}}, {{"le", 1.5}, {"count", 3}}, {{"le", 4.0}, {"count", 1}}}}}},
      nlohmann::json::array(), "fp_lat");
  const auto text = to_prometheus(doc);
  // Bucket edges, sum and percentiles in seconds (the document's microseconds / 10^6).
  EXPECT_NE(
      text.find("# TYPE fabricperf_latency_seconds histogram\n"
                "fabricperf_latency_seconds_bucket{tool=\"fp_lat\",device=\"mlx5_0\",size=\"2\",le=\"1.5e-06\"} 3\n"
                "fabricperf_latency_seconds_bucket{tool=\"fp_lat\",device=\"mlx5_0\",size=\"2\",le=\"2e-06\"} 9\n"
                "fabricperf_latency_seconds_bucket{tool=\"fp_lat\",device=\"mlx5_0\",size=\"2\",le=\"4e-06\"} 10\n"
                "fabricperf_latency_seconds_bucket{tool=\"fp_lat\",device=\"mlx5_0\",size=\"2\",le=\"+Inf\"} 10\n"
                "fabricperf_latency_seconds_sum{tool=\"fp_lat\",device=\"mlx5_0\",size=\"2\"} 2e-05\n"
                "fabricperf_latency_seconds_count{tool=\"fp_lat\",device=\"mlx5_0\",size=\"2\"} 10\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("fabricperf_latency_p99_seconds{tool=\"fp_lat\",device=\"mlx5_0\",size=\"2\"} 2.5e-06\n"),
            std::string::npos);
}

TEST(Prometheus, RepeatedRowsGetARepeatLabelInsteadOfDuplicateSeries) {
  auto row = [](double bw) { return nlohmann::json{{"device", "mlx5_0"}, {"size_bytes", 4096}, {"bw_avg_gbps", bw}}; };
  const auto text = to_prometheus(make_doc({row(1), row(2), row(3)}));
  EXPECT_NE(text.find("fabricperf_bw_avg_bytes_per_second{tool=\"fp_bw\",device=\"mlx5_0\",size=\"4096\",repeat=\"0\"} "
                      "1.25e+08\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("fabricperf_bw_avg_bytes_per_second{tool=\"fp_bw\",device=\"mlx5_0\",size=\"4096\",repeat=\"2\"} "
                      "3.75e+08\n"),
            std::string::npos)
      << text;
}

TEST(Prometheus, HostileLabelValuesAreEscaped) {
  const auto text = to_prometheus(testing::load_fixture("escaping.json"));
  EXPECT_NE(text.find("host=\"rack\\\"7\\\\node<script>alert(1)</script>&'x\\nsecond line\""), std::string::npos)
      << text;
  EXPECT_NE(text.find("host=\"nöde-ü\""), std::string::npos);
  EXPECT_NE(text.find("fabricperf_check_status{tool=\"fp_bw\",check=\"link_active\",host=\"rack\\\"7"),
            std::string::npos);
  EXPECT_NE(text.find("fabricperf_run_errors{tool=\"fp_bw\"} 1\n"), std::string::npos);
}

TEST(Prometheus, CheckStatusValuesAndMeasuredNumbers) {
  auto check = [](const char* status, nlohmann::json measured) {
    return nlohmann::json{{"name", std::string("c_") + status},
                          {"status", status},
                          {"expected", 10},
                          {"measured", std::move(measured)},
                          {"detail", ""}};
  };
  const auto text =
      to_prometheus(make_doc({}, {check("pass", 12), check("warn", "x"), check("fail", 3), check("skip", nullptr)}));
  EXPECT_NE(text.find("fabricperf_check_status{tool=\"fp_bw\",check=\"c_pass\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("fabricperf_check_status{tool=\"fp_bw\",check=\"c_warn\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("fabricperf_check_status{tool=\"fp_bw\",check=\"c_fail\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("fabricperf_check_status{tool=\"fp_bw\",check=\"c_skip\"} -1\n"), std::string::npos);
  EXPECT_NE(text.find("fabricperf_check_measured{tool=\"fp_bw\",check=\"c_pass\"} 12\n"), std::string::npos);
  EXPECT_EQ(text.find("fabricperf_check_measured{tool=\"fp_bw\",check=\"c_warn\"}"), std::string::npos);
  EXPECT_NE(text.find("fabricperf_check_expected{tool=\"fp_bw\",check=\"c_fail\"} 10\n"), std::string::npos);
}

TEST(Prometheus, EmptyFamiliesAreLeftOut) {
  const auto text = to_prometheus(make_doc({}));
  EXPECT_EQ(text.find("fabricperf_bw_avg_bytes_per_second"), std::string::npos);
  EXPECT_EQ(text.find("fabricperf_check_status"), std::string::npos);
  EXPECT_NE(text.find("fabricperf_run_info{tool=\"fp_bw\",version=\"0.1.0\",schema=\"fabricperf/1\"} 1\n"),
            std::string::npos);
}

}  // namespace
}  // namespace fabricperf::results
