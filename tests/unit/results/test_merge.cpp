#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/results/merge.hpp"
#include "fabricperf/results/validate.hpp"
#include "fixtures.hpp"

namespace fabricperf::results {
namespace {

using testing::make_doc;

TEST(Merge, SameToolKeepsItAndConcatenates) {
  auto a = make_doc({{{"device", "d0"}, {"bw_avg_gbps", 1.0}}});
  auto b = make_doc({{{"device", "d1"}, {"bw_avg_gbps", 2.0}}});
  b["started_at"] = "2026-03-14T08:59:00Z";
  b["finished_at"] = "2026-03-14T10:00:00+02:00";  // 08:00Z: earlier than a's finish
  const auto out = merge_documents({{"a.json", a}, {"b.json", b}}, {"fp_report", "merge"});
  EXPECT_TRUE(validate_document(out).empty());
  EXPECT_EQ(out["tool"], "fp_bw");
  EXPECT_EQ(out["results"].size(), 2U);
  EXPECT_FALSE(out["results"][0].contains("tool"));
  EXPECT_EQ(out["started_at"], "2026-03-14T08:59:00Z");
  EXPECT_EQ(out["finished_at"], "2026-03-14T09:00:30.500Z");
  EXPECT_EQ(out["params"]["merged_from"].size(), 2U);
  EXPECT_EQ(out["params"]["merged_from"][1]["file"], "b.json");
}

TEST(Merge, SeveralToolsTagRowsAndErrors) {
  auto bw = make_doc({{{"device", "d0"}, {"bw_avg_gbps", 1.0}}});
  auto lat = make_doc({{{"device", "d0"}, {"p50_us", 2.0}}, {{"stage", "verbs_lat"}, {"p50_us", 2.0}}},
                      nlohmann::json::array(), "fp_lat");
  lat["errors"] = {"peer went away"};
  lat["status"] = "aborted";
  lat["partial"] = true;
  const auto out = merge_documents({{"bw.json", bw}, {"lat.json", lat}}, {"fp_report", "merge"});
  EXPECT_TRUE(validate_document(out).empty());
  EXPECT_EQ(out["tool"], "fp_report");
  EXPECT_EQ(out["results"][0]["tool"], "fp_bw");
  EXPECT_EQ(out["results"][1]["tool"], "fp_lat");
  EXPECT_FALSE(out["results"][2].contains("tool"));  // has a stage already
  EXPECT_EQ(out["errors"][0], "fp_lat: peer went away");
  EXPECT_EQ(out["status"], "aborted");
  EXPECT_EQ(out["partial"], true);
  EXPECT_EQ(merge_documents({{"bw.json", bw}, {"lat.json", lat}}, {"x"}, "fp_suite")["tool"], "fp_suite");
}

TEST(Merge, HostsDeduplicatedLaterWins) {
  auto a = make_doc({});
  a["hosts"] = {{{"hostname", "n1"}, {"kernel", "6.1"}}, {{"hostname", "n2"}, {"kernel", "6.1"}}};
  auto b = make_doc({});
  b["hosts"] = {{{"hostname", "n1"}, {"kernel", "6.6"}}};
  const auto out = merge_documents({{"a", a}, {"b", b}}, {"x"});
  ASSERT_EQ(out["hosts"].size(), 2U);
  EXPECT_EQ(out["hosts"][0]["kernel"], "6.6");
}

TEST(Merge, RecordedStagesMergeIntoAValidDocument) {
  std::vector<MergeInput> inputs;
  for (const char* name : {"topo.json", "bw_sweep.json", "lat.json", "coll.json"})
    inputs.push_back({name, testing::load_fixture(name)});
  const auto out = merge_documents(inputs, {"fp_report", "merge"});
  EXPECT_TRUE(validate_document(out).empty());
  EXPECT_EQ(out["results"].size(), 2U + 69U + 23U + 44U);
  EXPECT_EQ(out["started_at"], "2026-03-14T09:05:00.100Z");
  EXPECT_EQ(out["finished_at"], "2026-03-14T09:21:12.250Z");
  EXPECT_EQ(out["status"], "ok");
}

TEST(Merge, NothingToMerge) {
  EXPECT_THROW((void)merge_documents({}, {"x"}), UsageError);
}

}  // namespace
}  // namespace fabricperf::results
