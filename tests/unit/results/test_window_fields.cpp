// The windowed-bandwidth fields of fabricperf/2 bandwidth rows (bw_window_ms, bw_windows,
// bw_min_gbps, bw_min_at_s, bw_cv): typed by the schema (null allowed), checked by the row
// arithmetic, exported to Prometheus, compared by fp_report, and older rows without them read.
#include <gtest/gtest.h>

#include "fabricperf/results/compare.hpp"
#include "fabricperf/results/prometheus.hpp"
#include "fabricperf/results/row_arithmetic.hpp"
#include "fabricperf/results/validate.hpp"
#include "fixtures.hpp"

namespace fabricperf::results {
namespace {

std::string all_problems(const nlohmann::json& doc) {
  std::string all;
  for (const auto& p : validate_document(doc)) all += to_string(p) + "\n";
  return all;
}

// v2/bw.json (a recorded fp_bw run without window fields) and the index of a one-device row.
nlohmann::json recorded() {
  return testing::load_fixture("v2/bw.json");
}
std::size_t one_device_row(const nlohmann::json& doc) {
  for (std::size_t i = 0; i < doc["results"].size(); ++i)
    if (!doc["results"][i].contains("aggregate") && doc["results"][i].value("duration_s", 0.0) > 0) return i;
  ADD_FAILURE() << "no measured one-device row";
  return 0;
}

// The row as a run with windows of a quarter of its duration writes it (the recorded rows are
// short): four full windows, the slowest the second.
void add_windows(nlohmann::json& row, double min_gbps, double cv) {
  const double window_s = row["duration_s"].get<double>() / 4;
  row["bw_window_ms"] = window_s * 1000;
  row["bw_windows"] = 4;
  row["bw_min_gbps"] = min_gbps;
  row["bw_min_at_s"] = window_s;
  row["bw_cv"] = cv;
}

}  // namespace

TEST(WindowFields, RowsWithWindowsAreValidAndTheirArithmeticHolds) {
  auto doc = recorded();
  const std::size_t i = one_device_row(doc);
  auto& row = doc["results"][i];
  add_windows(row, row["bw_avg_gbps"].get<double>() * 0.9, 0.04);
  EXPECT_EQ(all_problems(doc), "");
  // Too short a run: null minimum and variation are valid too.
  row["bw_windows"] = 1;
  row["bw_min_gbps"] = nullptr;
  row["bw_cv"] = nullptr;
  row.erase("bw_min_at_s");
  EXPECT_EQ(all_problems(doc), "");
  // Older documents (no window fields at all) stay valid.
  EXPECT_EQ(all_problems(recorded()), "");
}

TEST(WindowFields, ArithmeticNamesWindowsThatDoNotFitOrAMinimumOfOneWindow) {
  auto doc = recorded();
  const std::size_t i = one_device_row(doc);
  const std::string at = "results/" + std::to_string(i);
  auto& row = doc["results"][i];
  add_windows(row, 0.1, 0.2);
  row["bw_windows"] = row["bw_windows"].get<std::uint64_t>() + 3;
  row["bw_min_at_s"] = row["duration_s"].get<double>();
  std::string all = all_problems(doc);
  EXPECT_NE(all.find(at + "/bw_windows: "), std::string::npos) << all;
  EXPECT_NE(all.find("do not fit duration_s"), std::string::npos) << all;
  EXPECT_NE(all.find(at + "/bw_min_at_s: "), std::string::npos) << all;
  row["bw_windows"] = 1;
  row["bw_min_at_s"] = 0;
  all = all_problems(doc);
  EXPECT_NE(all.find(at + "/bw_min_gbps: set, but a minimum and a variation need 2 full windows, not 1"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find(at + "/bw_cv: "), std::string::npos) << all;
}

TEST(WindowFields, SchemaRefusesNegativeValues) {
  auto doc = recorded();
  auto& row = doc["results"][one_device_row(doc)];
  add_windows(row, 1, 0.1);
  row["bw_cv"] = -0.1;
  row["bw_min_gbps"] = "slow";
  const std::string all = all_problems(doc);
  EXPECT_NE(all.find("bw_cv"), std::string::npos) << all;
  EXPECT_NE(all.find("bw_min_gbps"), std::string::npos) << all;
}

TEST(WindowFields, PrometheusExportsThemInBaseUnitsAndLeavesNullOut) {
  auto doc = recorded();
  const std::size_t i = one_device_row(doc);
  add_windows(doc["results"][i], 8, 0.25);
  std::string text = to_prometheus(doc);
  EXPECT_NE(text.find("# TYPE fabricperf_bw_min_bytes_per_second gauge\n"), std::string::npos);
  EXPECT_NE(text.find("} 1e+09\n"), std::string::npos) << "8 Gbit/s = 1e9 bytes/s";
  EXPECT_NE(text.find("fabricperf_bw_cv_ratio{"), std::string::npos);
  EXPECT_NE(text.find("} 0.25\n"), std::string::npos);
  EXPECT_NE(text.find("fabricperf_bw_window_seconds{"), std::string::npos);
  doc["results"][i]["bw_min_gbps"] = nullptr;
  doc["results"][i]["bw_cv"] = nullptr;
  text = to_prometheus(doc);
  EXPECT_EQ(text.find("fabricperf_bw_min_bytes_per_second"), std::string::npos) << "null is not a sample";
  EXPECT_EQ(text.find("fabricperf_bw_cv_ratio"), std::string::npos);
}

TEST(WindowFields, CompareReadsOlderDocumentsAndJudgesTheMinimum) {
  const auto base = recorded();  // no window fields
  auto next = recorded();
  const std::size_t i = one_device_row(next);
  add_windows(next["results"][i], 1.234, 0.1234);
  CompareOptions o;
  const auto defaults = compare_documents(base, next, o);
  EXPECT_FALSE(defaults.regressed(o));  // the new fields are not compared by default
  o.metrics = {"bw_min_gbps", "bw_cv"};
  EXPECT_FALSE(compare_documents(base, next, o).regressed(o));  // nothing to compare them with
  auto worse = next;
  worse["results"][i]["bw_min_gbps"] = 0.617;
  worse["results"][i]["bw_cv"] = 0.3702;
  const auto report = compare_documents(next, worse, o);
  EXPECT_TRUE(report.regressed(o));
  std::size_t regressions = 0;
  for (const auto& m : report.metrics) regressions += m.judgement.verdict == Verdict::regression;
  EXPECT_EQ(regressions, 2U);  // the minimum fell and the variation rose
}

TEST(WindowFields, RecordedRunWithWindowsIsValidAndExported) {
  // v2/bw_windows.json: fp_bw -s 1M -D 2 --window-ms 100 on the Soft-RoCE testbed (rdma_verbs_bw_test).
  const auto doc = testing::load_fixture("v2/bw_windows.json");
  EXPECT_EQ(all_problems(doc), "");
  const auto& row = doc["results"][0];
  EXPECT_EQ(row["bw_window_ms"], 100.0);
  EXPECT_GE(row["bw_windows"].get<int>(), 2);
  EXPECT_LE(row["bw_min_gbps"].get<double>(), row["bw_avg_gbps"].get<double>());
  EXPECT_LE(row["bw_avg_gbps"].get<double>(), row["bw_peak_gbps"].get<double>());
  const std::string text = to_prometheus(doc);
  for (const char* family : {"fabricperf_bw_min_bytes_per_second{", "fabricperf_bw_cv_ratio{",
                             "fabricperf_bw_window_seconds{"})
    EXPECT_NE(text.find(family), std::string::npos) << family;
}

}  // namespace fabricperf::results
