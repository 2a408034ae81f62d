// fp_report compare across schema versions (a fabricperf/1 baseline against a fabricperf/2 run)
// and a comparison that compared nothing.
#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/results/compare.hpp"
#include "fabricperf/results/merge.hpp"
#include "fabricperf/results/normalize.hpp"
#include "fixtures.hpp"

namespace fabricperf::results {
namespace {

using testing::make_doc;

nlohmann::json golive_v1() {
  std::ifstream in(std::string(FABRICPERF_SOURCE_DIR) + "/tests/data/runners/golive-baseline.json");
  return nlohmann::json::parse(in);
}

TEST(CompareVersions, FabricperfOneBaselineMatchesEveryRowOfTheSameRunInFabricperfTwo) {
  const auto base = golive_v1();                                    // a real fp_suite go-live run, fabricperf/1
  const auto next = testing::load_fixture("v2/suite_golive.json");  // the same run as fabricperf/2 rows
  ASSERT_EQ(base["schema"], "fabricperf/1");
  const auto report = compare_documents(base, next, {});
  std::string missing;
  for (const auto& id : report.only_in_base) missing += describe(id) + "\n";
  EXPECT_TRUE(report.only_in_base.empty()) << missing;
  EXPECT_TRUE(report.only_in_new.empty());
  EXPECT_FALSE(report.compared_nothing());
  EXPECT_GT(report.metrics.size(), 20U);
  for (const auto& m : report.metrics)
    EXPECT_EQ(m.judgement.verdict, Verdict::ok) << describe(m.identity) << " " << m.metric;
  ASSERT_FALSE(report.notes.empty());
  EXPECT_NE(report.notes.front().find("BASE is a fabricperf/1 document"), std::string::npos);
}

TEST(CompareVersions, OldRoundTripFlagsReadAsTheLatencyField) {
  const auto lat = [](nlohmann::json extra) {
    nlohmann::json row = {{"host", "n1"}, {"peer_host", "n2"}, {"device", "mlx5_0"}, {"port", 1},
                          {"op", "read"}, {"size_bytes", 2},   {"t_typical_us", 3.0}};
    row.update(extra);
    return row;
  };
  // fabricperf/1 wrote three encodings; all three name the same measurement.
  const auto base = make_doc({lat({{"round_trip", true}}), lat({{"size_bytes", 4}, {"half_round_trip", false}})},
                             nlohmann::json::array(), "fp_lat");
  auto next = make_doc({lat({{"latency", "round_trip"}, {"qps", 1}, {"bidirectional", false}}),
                        lat({{"size_bytes", 4}, {"latency", "round_trip"}, {"qps", 1}, {"bidirectional", false}})},
                       nlohmann::json::array(), "fp_lat");
  next["schema"] = "fabricperf/2";
  auto report = compare_documents(base, next, {});
  EXPECT_EQ(report.metrics.size(), 2U);
  EXPECT_TRUE(report.only_in_base.empty());
  // A half round trip is another measurement than a round trip.
  next["results"][1]["latency"] = "half_round_trip";
  report = compare_documents(base, next, {});
  EXPECT_EQ(report.metrics.size(), 1U);
  EXPECT_EQ(report.only_in_base.size(), 1U);
}

TEST(CompareVersions, SuiteIterationsOfFabricperfOneAreMessagesNotIterationsPerQp) {
  auto doc = golive_v1();
  normalize_document(doc);
  bool seen = false;
  for (const auto& row : doc["results"]) {
    if (row["stage"] != "verbs_bw" || row.contains("aggregate")) continue;
    seen = true;
    EXPECT_FALSE(row.contains("iterations"));
    EXPECT_EQ(row["messages"], 200);  // what the suite counted: total messages of the sending side
    EXPECT_EQ(row["bidirectional"], false);
  }
  EXPECT_TRUE(seen);
  const auto again = doc;
  normalize_document(doc);  // idempotent
  EXPECT_EQ(doc, again);
  auto v2 = testing::load_fixture("v2/suite_golive.json");
  const auto before = v2;
  normalize_document(v2);  // fabricperf/2 documents are left alone
  EXPECT_EQ(v2, before);
}

TEST(CompareVersions, NothingInCommonComparedNothing) {
  const auto bw = make_doc({testing::bw_row("mlx5_0", 65536, 90.0)});
  const auto coll = testing::load_fixture("coll.json");
  const auto report = compare_documents(bw, coll, {});
  EXPECT_EQ(report.matched_rows, 0U);
  EXPECT_TRUE(report.compared_nothing());
  EXPECT_FALSE(report.regressed({}));  // the reason is not a regression: fp_report exits 2
  // Rows in common but no metric on both sides: nothing compared either.
  const auto lat = make_doc({{{"host", "n1"},
                              {"peer_host", "n2"},
                              {"device", "mlx5_0"},
                              {"port", 1},
                              {"op", "write"},
                              {"size_bytes", 65536},
                              {"t_typical_us", 2.0}}});
  const auto other = compare_documents(bw, lat, {});
  EXPECT_TRUE(other.compared_nothing());
  // The same document compares; two documents without rows (checks only) are not "nothing".
  EXPECT_FALSE(compare_documents(bw, bw, {}).compared_nothing());
  EXPECT_FALSE(
      compare_documents(make_doc(nlohmann::json::array()), make_doc(nlohmann::json::array()), {}).compared_nothing());
}

TEST(CompareVersions, MergeRefusesMixingSchemaVersions) {
  const auto v1 = make_doc({testing::bw_row("mlx5_0", 65536, 90.0)});
  const auto v2 = testing::load_fixture("v2/bw.json");
  EXPECT_THROW((void)merge_documents({{"old.json", v1}, {"new.json", v2}}, {"fp_report"}), UsageError);
  EXPECT_EQ(merge_documents({{"a.json", v2}, {"b.json", v2}}, {"fp_report"})["schema"], "fabricperf/2");
  EXPECT_EQ(merge_documents({{"a.json", v1}}, {"fp_report"})["schema"], "fabricperf/1");
}

}  // namespace
}  // namespace fabricperf::results
