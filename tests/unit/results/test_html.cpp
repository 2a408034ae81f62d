#include <gtest/gtest.h>

#include "fabricperf/results/html_report.hpp"
#include "fixtures.hpp"

namespace fabricperf::results {
namespace {

using testing::make_doc;

bool has(const std::string& html, const std::string& needle) {
  return html.find(needle) != std::string::npos;
}

std::size_t count(const std::string& html, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = html.find(needle); pos != std::string::npos; pos = html.find(needle, pos + 1)) ++n;
  return n;
}

TEST(HtmlEscape, AllSpecialCharacters) {
  EXPECT_EQ(html_escape("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(html_escape("nöde"), "nöde");
}

TEST(Html, SelfContainedAndVerdictFirst) {
  const auto html = html_report(testing::load_fixture("bw_sweep.json"), {});
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0U);
  // No network references (the SVG namespace URI is a name, not a fetch).
  EXPECT_EQ(count(html, "http:") + count(html, "https:"), count(html, "http://www.w3.org/2000/svg"));
  EXPECT_FALSE(has(html, "<link"));
  EXPECT_FALSE(has(html, "src="));
  EXPECT_TRUE(has(html, "default-src 'none'"));
  // The verdict comes before every section.
  const auto verdict = html.find("class=\"verdict-word\">PASS<");
  ASSERT_NE(verdict, std::string::npos);
  EXPECT_LT(verdict, html.find("<section"));
}

TEST(Html, SectionsOnlyForWhatTheDocumentHas) {
  const auto bw = html_report(testing::load_fixture("bw_sweep.json"), {});
  EXPECT_TRUE(has(bw, "<section id=\"bandwidth\">"));
  EXPECT_TRUE(has(bw, "<section id=\"checks\">"));
  EXPECT_TRUE(has(bw, "<section id=\"hosts\">"));
  EXPECT_TRUE(has(bw, "<section id=\"results\">"));
  for (const char* absent : {"latency", "pairs", "topology", "collectives", "errors", "regressions"})
    EXPECT_FALSE(has(bw, std::string("<section id=\"") + absent + "\">")) << absent;

  const auto lat = html_report(testing::load_fixture("lat.json"), {});
  EXPECT_TRUE(has(lat, "<section id=\"latency\">"));
  EXPECT_FALSE(has(lat, "<section id=\"bandwidth\">"));

  const auto coll = html_report(testing::load_fixture("coll.json"), {});
  EXPECT_TRUE(has(coll, "<section id=\"collectives\">"));
  EXPECT_FALSE(has(coll, "<section id=\"bandwidth\">"));

  const auto topo = html_report(testing::load_fixture("topo.json"), {});
  EXPECT_TRUE(has(topo, "<section id=\"topology\">"));
  EXPECT_EQ(count(topo, "class=\"path path-PIX assigned\""), 15U);  // GPU 5 of gpu-node-02 uses its neighbour's NIC
  EXPECT_EQ(count(topo, "class=\"path path-NODE assigned\""), 1U);
  EXPECT_TRUE(has(topo, "class=\"verdict-word\">PASS WITH WARNINGS<"));

  const auto suite = html_report(testing::load_fixture("suite.json"), {});
  for (const char* present : {"checks", "bandwidth", "latency", "pairs", "collectives", "hosts"})
    EXPECT_TRUE(has(suite, std::string("<section id=\"") + present + "\">")) << present;
  EXPECT_TRUE(has(suite, "class=\"verdict-word\">FAIL<"));
}

TEST(Html, PlotSpecsMatchTheContainers) {
  const auto doc = testing::load_fixture("suite.json");
  const auto specs = plot_specs(doc, nullptr);
  const auto html = html_report(doc, {});
  std::size_t heatmaps = 0;
  for (const auto& s : specs) {
    EXPECT_TRUE(has(html, "data-plot-id=\"" + s["id"].get<std::string>() + "\"")) << s["id"];
    if (s["kind"] == "heatmap") {
      ++heatmaps;
      EXPECT_EQ(s["rows"].size(), 4U);  // 4 nodes
      // gpu-node-03 -> gpu-node-04 shows the weak rail (~191 Gbit/s), the diagonal is empty.
      EXPECT_LT(s["values"][2][3].get<double>(), 200.0);
      EXPECT_GT(s["values"][0][1].get<double>(), 380.0);
      EXPECT_TRUE(s["values"][1][1].is_null());
    }
  }
  EXPECT_EQ(heatmaps, 1U);  // verbs_bw only: the gdr and stress stages have one pair each
  // ... and are drawn as bars: GPUs 0..3 of the gdr stage, the stress row.
  std::vector<std::string> bars;
  for (const auto& s : specs)
    if (s["kind"] == "bar")
      bars.push_back(s["title"].get<std::string>() + " " + std::to_string(s["categories"].size()));
  ASSERT_EQ(bars.size(), 2U);
  EXPECT_EQ(bars[0], "Bandwidth [gdr] write \u00b7 gpu-node-01 \u2192 gpu-node-02 at 8MB 4");
  EXPECT_EQ(bars[1], "Bandwidth [stress] write at 1MB 1");
  EXPECT_EQ(count(html, "class=\"fp-plot\""), specs.size());
}

TEST(Html, LatencyLadderForOneSize) {
  const auto doc = make_doc({{{"device", "mlx5_0"},
                              {"size_bytes", 2},
                              {"t_min_us", 1.8},
                              {"p50_us", 1.9},
                              {"p90_us", 2.0},
                              {"p99_us", 2.3},
                              {"p99_9_us", 3.1},
                              {"p99_99_us", 5.2}}},
                            nlohmann::json::array(), "fp_lat");
  const auto specs = plot_specs(doc, nullptr);
  ASSERT_EQ(specs.size(), 1U);
  EXPECT_EQ(specs[0]["x_kind"], "category");
  EXPECT_EQ(specs[0]["categories"].size(), 6U);
  EXPECT_EQ(specs[0]["series"][0]["points"].size(), 6U);
}

TEST(Html, HostileNamesAreEscapedEverywhere) {
  const auto html = html_report(testing::load_fixture("escaping.json"), {});
  EXPECT_FALSE(has(html, "<script>alert(1)")) << "raw markup from the document";
  EXPECT_TRUE(has(html, "rack&quot;7\\node&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#39;x"));
  EXPECT_TRUE(has(html, "port is &lt;down&gt; &amp; &quot;unplugged&quot;"));
  EXPECT_TRUE(has(html, "peer &lt;gpu-node-02&gt; said"));
  // Exactly the two script elements of the page; data inside them cannot close them.
  EXPECT_EQ(count(html, "<script"), 2U);
  EXPECT_EQ(count(html, "</script>"), 2U);
  EXPECT_TRUE(has(html, "class=\"verdict-word\">FAIL<"));
  EXPECT_TRUE(has(html, "<section id=\"errors\">"));
}

TEST(Html, BaselineHighlightsRegressions) {
  const auto base = testing::load_fixture("baseline_bw.json");
  HtmlOptions options;
  options.baseline = &base;
  options.baseline_name = "baseline_bw.json";
  const auto html = html_report(testing::load_fixture("regressed_bw.json"), options);
  // mlx5_1 also fails its line-rate check now: FAIL outranks REGRESSION, both are explained.
  EXPECT_TRUE(has(html, "class=\"verdict-word\">FAIL<"));
  EXPECT_TRUE(has(html, "metric(s) regressed against the baseline, 1 check(s) newly failing"));
  EXPECT_TRUE(has(html, "<section id=\"regressions\">"));
  EXPECT_LT(html.find("<section id=\"regressions\">"), html.find("<section id=\"checks\">"));
  EXPECT_TRUE(has(html, "<tr class=\"regression\">"));
  EXPECT_TRUE(has(html,
                  "<td>fw_ver</td><td>28.37.1014</td><td>28.41.1000</td><td>gpu-node-01 (mlx5_0, mlx5_1), gpu-node-02 "
                  "(mlx5_0, mlx5_1)</td>"));
  // Baseline series (dashed) and red points in the plot data.
  const auto specs = plot_specs(testing::load_fixture("regressed_bw.json"), &base);
  bool dashed = false, red = false;
  for (const auto& s : specs)
    for (const auto& series : s["series"]) {
      dashed = dashed || series["dashed"].get<bool>();
      for (const auto& p : series["points"]) red = red || p[2].get<bool>();
    }
  EXPECT_TRUE(dashed);
  EXPECT_TRUE(red);
  // Same run against itself: no regression.
  options.baseline = &base;
  EXPECT_TRUE(has(html_report(base, options), "class=\"verdict-word\">PASS<"));
}

TEST(Html, EmptyDocumentStillRenders) {
  const auto html = html_report(make_doc({}), {});
  EXPECT_TRUE(has(html, "class=\"verdict-word\">PASS<"));
  EXPECT_FALSE(has(html, "<section"));
  EXPECT_TRUE(has(html, "id=\"fp-plots\">[]</script>"));
}

}  // namespace
}  // namespace fabricperf::results
