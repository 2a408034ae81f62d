#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/results/compare.hpp"
#include "fabricperf/results/validate.hpp"
#include "fixtures.hpp"

namespace fabricperf::results {
namespace {

using testing::bw_row;
using testing::make_doc;

Side side(double value, std::size_t n = 1, std::optional<double> rel = std::nullopt,
          NoiseSource source = NoiseSource::none) {
  Side s;
  s.value = value;
  s.n = n;
  s.relative_stdev = rel;
  s.source = rel ? (source == NoiseSource::none ? NoiseSource::repeats : source) : NoiseSource::none;
  return s;
}

// ---- tolerance logic -------------------------------------------------------------------------

TEST(Judge, HigherIsBetterBeyondTolerance) {
  const CompareOptions o;  // 5%
  EXPECT_EQ(judge(side(100), side(94), Better::higher, o).verdict, Verdict::regression);
  EXPECT_EQ(judge(side(100), side(96), Better::higher, o).verdict, Verdict::ok);
  EXPECT_EQ(judge(side(100), side(106), Better::higher, o).verdict, Verdict::improved);
  const Judgement j = judge(side(100), side(94), Better::higher, o);
  EXPECT_DOUBLE_EQ(*j.change_pct, -6.0);
  EXPECT_DOUBLE_EQ(*j.worse_pct, 6.0);
  EXPECT_DOUBLE_EQ(j.tolerance_pct, 5.0);
}

TEST(Judge, LowerIsBetterForLatency) {
  const CompareOptions o;
  EXPECT_EQ(judge(side(2.0), side(2.2), Better::lower, o).verdict, Verdict::regression);
  EXPECT_EQ(judge(side(2.0), side(1.8), Better::lower, o).verdict, Verdict::improved);
  EXPECT_NEAR(*judge(side(2.0), side(2.2), Better::lower, o).worse_pct, 10.0, 1e-9);
}

TEST(Judge, ExactlyAtToleranceIsNotARegression) {
  CompareOptions o;
  o.tolerance_pct = 10;
  EXPECT_EQ(judge(side(200), side(180), Better::higher, o).verdict, Verdict::ok);
}

TEST(Judge, NoiseFromRepeatsWidensTheTolerance) {
  // 4% per-run noise, one run each side: noise of the difference = 4 * sqrt(2) = 5.66%;
  // k = 3 -> tolerance 16.97%: an 8% drop is noise.
  CompareOptions o;
  const Judgement j = judge(side(100, 1, 0.04), side(92, 1), Better::higher, o);
  EXPECT_NEAR(j.noise_pct, 5.657, 1e-3);
  EXPECT_NEAR(j.tolerance_pct, 16.97, 1e-2);
  EXPECT_EQ(j.noise_source, NoiseSource::repeats);
  EXPECT_EQ(j.verdict, Verdict::ok);
  // Averaging 8 runs on each side shrinks it: 4 * sqrt(1/8 + 1/8) = 2% -> tolerance 6%.
  const Judgement many = judge(side(100, 8, 0.04), side(92, 8, 0.01), Better::higher, o);
  EXPECT_NEAR(many.noise_pct, 2.0, 1e-9);
  EXPECT_NEAR(many.tolerance_pct, 6.0, 1e-9);
  EXPECT_EQ(many.verdict, Verdict::regression);
}

TEST(Judge, PercentageFloorWhenNoiseIsSmall) {
  CompareOptions o;
  o.tolerance_pct = 5;
  o.noise_k = 3;
  const Judgement j = judge(side(100, 2, 0.001), side(97, 2, 0.001), Better::higher, o);
  EXPECT_DOUBLE_EQ(j.tolerance_pct, 5.0);
  EXPECT_EQ(j.verdict, Verdict::ok);
}

TEST(Judge, RoundingInTheDocumentIsNotAChange) {
  // 0.19 -> 0.20 Gbit/s is +5.3% but both are rounded to 0.01: +-0.01 of 0.19 is 5.3%.
  Side a = side(0.19), b = side(0.2);
  a.resolution = b.resolution = 0.01;
  const Judgement j = judge(a, b, Better::higher, {});
  EXPECT_NEAR(j.resolution_pct, 5.263, 1e-3);
  EXPECT_EQ(j.verdict, Verdict::ok);
  EXPECT_DOUBLE_EQ(decimal_resolution(0.19), 0.01);
  EXPECT_DOUBLE_EQ(decimal_resolution(5000), 1);
  EXPECT_DOUBLE_EQ(decimal_resolution(5e6), 1);
  EXPECT_DOUBLE_EQ(decimal_resolution(1e-7), 1e-7);
  EXPECT_DOUBLE_EQ(decimal_resolution(97.125), 0.001);
}

TEST(Judge, ZeroBaseline) {
  const CompareOptions o;
  EXPECT_EQ(judge(side(0), side(0), Better::higher, o).verdict, Verdict::ok);
  EXPECT_EQ(judge(side(0), side(5), Better::higher, o).verdict, Verdict::improved);
  EXPECT_EQ(judge(side(0), side(5), Better::lower, o).verdict, Verdict::regression);
  EXPECT_FALSE(judge(side(0), side(5), Better::lower, o).change_pct);
}

// ---- matching and noise sources ---------------------------------------------------------------

TEST(Compare, MatchesRowsByIdentityRegardlessOfOrder) {
  const auto base = make_doc({bw_row("mlx5_0", 65536, 97.0), bw_row("mlx5_1", 65536, 97.0)});
  const auto next = make_doc({bw_row("mlx5_1", 65536, 80.0), bw_row("mlx5_0", 65536, 97.5)});
  const auto report = compare_documents(base, next, {});
  ASSERT_EQ(report.metrics.size(), 4U);  // bw_avg_gbps + msg_rate_mpps per device
  std::size_t regressions = 0;
  for (const auto& m : report.metrics) {
    const bool mlx5_1 = describe(m.identity).find("mlx5_1") != std::string::npos;
    EXPECT_EQ(m.judgement.verdict == Verdict::regression, mlx5_1) << describe(m.identity) << " " << m.metric;
    regressions += m.judgement.verdict == Verdict::regression;
  }
  EXPECT_EQ(regressions, 2U);
  EXPECT_TRUE(report.regressed({}));
}

TEST(Compare, RowsOnlyInOneDocument) {
  const auto base = make_doc({bw_row("mlx5_0", 4096, 50.0), bw_row("mlx5_1", 4096, 50.0)});
  const auto next = make_doc({bw_row("mlx5_0", 4096, 50.0), bw_row("mlx5_2", 4096, 50.0)});
  const auto report = compare_documents(base, next, {});
  ASSERT_EQ(report.only_in_base.size(), 1U);
  ASSERT_EQ(report.only_in_new.size(), 1U);
  EXPECT_EQ(describe(report.only_in_base[0]), "host=n1 peer_host=n2 device=mlx5_1 port=1 op=write size=4K");
  EXPECT_EQ(describe(report.only_in_new[0]), "host=n1 peer_host=n2 device=mlx5_2 port=1 op=write size=4K");
  EXPECT_FALSE(report.regressed({}));
  CompareOptions strict;
  strict.fail_on_missing = true;
  EXPECT_TRUE(report.regressed(strict));
}

TEST(Compare, RepeatedRowsAreAveragedAndGiveTheNoise) {
  // BASE: 3 repeats around 100 (stdev 5 -> 5%); NEW: one run at 93. Noise of the difference:
  // 5% * sqrt(1/3 + 1) = 5.77%; k=3 -> 17.3%: a 7% drop is within noise.
  auto r = [](double bw, int repeat) {
    auto row = bw_row("mlx5_0", 1 << 20, bw);
    row["repeat"] = repeat;
    return row;
  };
  const auto base = make_doc({r(95, 0), r(100, 1), r(105, 2)});
  const auto next = make_doc({r(93, 0)});
  CompareOptions o;
  o.metrics = {"bw_avg_gbps"};
  const auto report = compare_documents(base, next, o);
  ASSERT_EQ(report.metrics.size(), 1U);
  const auto& m = report.metrics[0];
  EXPECT_EQ(m.base.n, 3U);
  EXPECT_DOUBLE_EQ(m.base.value, 100.0);
  EXPECT_EQ(m.judgement.noise_source, NoiseSource::repeats);
  EXPECT_NEAR(m.judgement.noise_pct, 5.0 * std::sqrt(1.0 / 3 + 1.0), 1e-9);
  EXPECT_EQ(m.judgement.verdict, Verdict::ok);
  // Without the noise allowance it would be a regression.
  o.noise_k = 0;
  EXPECT_EQ(compare_documents(base, next, o).metrics[0].judgement.verdict, Verdict::regression);
}

TEST(Compare, LatencyStdevFieldGivesTheNoiseOfTheMean) {
  // t_stdev 0.4 us over 100 iterations: standard error 0.04 us = 1.95% of 2.05 us.
  auto row = [](double avg) {
    return nlohmann::json{{"device", "mlx5_0"}, {"op", "write"},     {"size_bytes", 2},    {"iterations", 100},
                          {"t_avg_us", avg},    {"t_stdev_us", 0.4}, {"p99_us", avg * 1.2}};
  };
  CompareOptions o;
  o.metrics = {"t_avg_us", "p99_us"};
  const auto report = compare_documents(make_doc({row(2.05)}), make_doc({row(2.214)}), o);
  ASSERT_EQ(report.metrics.size(), 2U);
  const auto& avg = report.metrics[0];
  EXPECT_EQ(avg.metric, "t_avg_us");
  EXPECT_EQ(avg.judgement.noise_source, NoiseSource::stdev);
  EXPECT_NEAR(avg.judgement.noise_pct, 0.04 / 2.05 * 100 * std::sqrt(2.0), 1e-6);
  EXPECT_EQ(avg.judgement.verdict, Verdict::ok);  // +8% < 3 * 2.76%
  const auto& p99 = report.metrics[1];            // no noise estimate for tails: 5% applies
  EXPECT_EQ(p99.judgement.noise_source, NoiseSource::none);
  EXPECT_EQ(p99.judgement.verdict, Verdict::regression);
}

TEST(Compare, MetricStdevFieldWithRepeats) {
  // fp_suite style: bw_avg_gbps is the mean of 4 repeats whose stdev is bw_avg_gbps_stdev.
  auto row = [](double bw, double stdev) {
    return nlohmann::json{{"stage", "verbs_bw"},   {"host", "a"},       {"peer_host", "b"},
                          {"size_bytes", 8388608}, {"bw_avg_gbps", bw}, {"bw_avg_gbps_stdev", stdev},
                          {"repeats", 4}};
  };
  CompareOptions o;
  o.metrics = {"bw_avg_gbps"};
  const auto report = compare_documents(make_doc({row(390, 19.5)}), make_doc({row(360, 1)}), o);
  const auto& m = report.metrics.at(0);
  EXPECT_EQ(m.base.n, 4U);
  EXPECT_EQ(m.judgement.noise_source, NoiseSource::stdev);
  EXPECT_NEAR(m.judgement.noise_pct, 5.0 * std::sqrt(0.5), 1e-9);  // 5% per run, 4 runs a side
  EXPECT_EQ(m.judgement.verdict, Verdict::ok);                     // -7.7% < 3 * 3.54%
}

TEST(Compare, WrongResultsAreRegressionsAtAnyCount) {
  auto row = [](int wrong) {
    return nlohmann::json{{"coll", "allreduce"}, {"size_bytes", 1024}, {"busbw_GBps", 10.0}, {"wrong", wrong}};
  };
  CompareOptions o;
  o.metrics = {"wrong"};
  EXPECT_EQ(compare_documents(make_doc({row(0)}), make_doc({row(1)}), o).metrics.at(0).judgement.verdict,
            Verdict::regression);
  EXPECT_EQ(compare_documents(make_doc({row(0)}), make_doc({row(0)}), o).metrics.at(0).judgement.verdict, Verdict::ok);
  EXPECT_TRUE(compare_documents(make_doc({row(-1)}), make_doc({row(3)}), o).metrics.empty());  // -1: not checked
}

TEST(Compare, UnknownMetricIsAUsageError) {
  CompareOptions o;
  o.metrics = {"bandwidth"};
  EXPECT_THROW((void)compare_documents(make_doc({}), make_doc({}), o), UsageError);
}

TEST(Compare, CheckTransitions) {
  const nlohmann::json pass = {{"name", "link_active"}, {"status", "pass"}, {"expected", nullptr},
                               {"measured", nullptr},   {"detail", ""},     {"labels", {{"device", "mlx5_0"}}}};
  auto fail = pass;
  fail["status"] = "fail";
  auto other = pass;
  other["labels"]["device"] = "mlx5_1";
  const auto report = compare_documents(make_doc({}, {pass, other}), make_doc({}, {fail, other}), {});
  ASSERT_EQ(report.checks.size(), 1U);
  EXPECT_EQ(report.checks[0].base_status, "pass");
  EXPECT_EQ(report.checks[0].new_status, "fail");
  EXPECT_TRUE(report.checks[0].regression);
  EXPECT_TRUE(report.regressed({}));
  // Fixed since: not a regression.
  EXPECT_FALSE(compare_documents(make_doc({}, {fail}), make_doc({}, {pass}), {}).regressed({}));
}

TEST(Compare, RunThatFailsNowIsARegression) {
  auto next = make_doc({});
  next["status"] = "aborted";
  next["partial"] = true;
  const auto report = compare_documents(make_doc({}), next, {});
  EXPECT_TRUE(report.run_status_regressed);
  EXPECT_TRUE(report.regressed({}));
  EXPECT_FALSE(report.notes.empty());
}

TEST(Compare, RecordedUpgrade) {
  const auto base = testing::load_fixture("baseline_bw.json");
  const auto next = testing::load_fixture("regressed_bw.json");
  const auto report = compare_documents(base, next, {});
  EXPECT_TRUE(report.regressed({}));
  EXPECT_TRUE(report.only_in_base.empty());
  EXPECT_TRUE(report.only_in_new.empty());
  for (const auto& m : report.metrics) {
    if (m.judgement.verdict != Verdict::regression) continue;
    const std::string row = describe(m.identity);
    // mlx5_1 lost 12% from 64K up, which also drags the aggregate down.
    EXPECT_TRUE(row.find("mlx5_1") != std::string::npos) << row;
    EXPECT_EQ(m.identity.back().first, "size_bytes");
    EXPECT_GE(std::stoull(m.identity.back().second), 65536U) << row;
  }
  EXPECT_EQ(report.environment.size(), 4U);  // firmware of 2 NICs on 2 hosts
  EXPECT_EQ(report.environment[0].what, "mlx5_0 fw_ver");
  EXPECT_EQ(report.environment[0].base, "28.37.1014");
  EXPECT_EQ(report.environment[0].next, "28.41.1000");
  // A rerun with only noise is fine.
  EXPECT_FALSE(compare_documents(base, testing::load_fixture("noisy_rerun_bw.json"), {}).regressed({}));
  EXPECT_FALSE(compare_documents(base, base, {}).regressed({}));
}

TEST(Compare, ReportDocumentIsAValidFabricperfDocument) {
  const auto base = testing::load_fixture("suite_baseline.json");
  const auto next = testing::load_fixture("suite.json");
  const CompareOptions o;
  const auto report = compare_documents(base, next, o);
  const auto doc = compare_report_document(report, base, next, {"base.json", "new.json", {"fp_report", "compare"}}, o);
  const auto problems = validate_document(doc);
  EXPECT_TRUE(problems.empty()) << (problems.empty() ? "" : to_string(problems.front()));
  EXPECT_EQ(doc["tool"], "fp_report");
  EXPECT_EQ(doc["params"]["command"], "compare");
  bool summary = false;
  for (const auto& c : doc["checks"])
    if (c["name"] == "no_regression") {
      summary = true;
      EXPECT_EQ(c["status"], "fail");
    }
  EXPECT_TRUE(summary);
  // Identity values keep their types.
  for (const auto& r : doc["results"])
    if (r.contains("size_bytes")) {
      EXPECT_TRUE(r["size_bytes"].is_number_integer()) << r.dump();
    }
  const std::string table = format_compare_table(report, o, {"base.json", "new.json", {}}, false);
  EXPECT_EQ(table.rfind("REGRESSION: new.json against base.json", 0), 0U) << table;
  EXPECT_NE(table.find("rail=2"), std::string::npos) << table;
}

}  // namespace
}  // namespace fabricperf::results

namespace fabricperf::results {
namespace {

TEST(CompareReport, NotableIsWorstRegressionFirstThenBestImprovement) {
  const auto base =
      make_doc({bw_row("a", 4096, 100), bw_row("b", 4096, 100), bw_row("c", 4096, 100), bw_row("d", 4096, 100)});
  const auto next =
      make_doc({bw_row("a", 4096, 90), bw_row("b", 4096, 70), bw_row("c", 4096, 120), bw_row("d", 4096, 140)});
  CompareOptions o;
  o.metrics = {"bw_avg_gbps"};
  const auto report = compare_documents(base, next, o);
  const auto notable = report.notable();
  ASSERT_EQ(notable.size(), 4U);
  std::string order;
  for (const auto* m : notable) order += m->identity[2].second;  // device
  EXPECT_EQ(order, "badc");
}

TEST(CompareReport, EnvironmentChangesAreGrouped) {
  const std::vector<EnvironmentChange> changes = {{"n1", "mlx5_0 fw_ver", "1", "2"},
                                                  {"n1", "mlx5_1 fw_ver", "1", "2"},
                                                  {"n2", "mlx5_0 fw_ver", "1", "2"},
                                                  {"n2", "kernel", "6.1", "6.6"},
                                                  {"n3", "mlx5_0 port 1 rate", "400 Gb/sec", "200 Gb/sec"},
                                                  {"n3", "mlx5_9", "", "present"}};
  const auto summary = summarize_environment(changes);
  ASSERT_EQ(summary.size(), 4U);
  EXPECT_EQ(summary[0].field, "fw_ver");
  EXPECT_EQ(summary[0].where, "n1 (mlx5_0, mlx5_1), n2 (mlx5_0)");
  EXPECT_EQ(summary[1].field, "kernel");
  EXPECT_EQ(summary[1].where, "n2");
  EXPECT_EQ(summary[2].field, "rate");
  EXPECT_EQ(summary[2].where, "n3 (mlx5_0 port 1)");
  EXPECT_EQ(summary[3].field, "device");
  EXPECT_EQ(summary[3].where, "n3 (mlx5_9)");
}

TEST(CompareReport, TableFactorsOutSharedFields) {
  const auto base = testing::load_fixture("baseline_bw.json");
  const auto next = testing::load_fixture("regressed_bw.json");
  const CompareOptions o;
  const std::string table = format_compare_table(compare_documents(base, next, o), o, {"b", "n", {}}, false);
  EXPECT_NE(table.find("\nEvery row below: host=gpu-node-01 peer_host=gpu-node-02 op=write\n"), std::string::npos)
      << table;
  EXPECT_NE(table.find("\ndevice=mlx5_1 port=1 size=8M "), std::string::npos) << table;
  EXPECT_NE(
      table.find("fw_ver: 28.37.1014 -> 28.41.1000 on gpu-node-01 (mlx5_0, mlx5_1), gpu-node-02 (mlx5_0, mlx5_1)"),
      std::string::npos);
}

}  // namespace
}  // namespace fabricperf::results
