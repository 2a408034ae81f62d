// Dry-run plans: rounds, pairs, links and estimates per stage, up to 2,048 nodes x 8 rails.
#include <gtest/gtest.h>

#include <chrono>

#include "fabricperf/runners/suite_plan.hpp"

namespace fr = fabricperf::runners;

TEST(SuitePlan, EvenClusterAllPairs) {
  auto plan = fr::load_preset("go-live");
  plan.verbs.mode = "all_pairs";  // --exhaustive
  fr::ClusterShape shape{8, 4, 0, 1, 400};
  const auto s = fr::plan_suite(plan, shape);
  const auto* bw = s.find("verbs_bw");
  ASSERT_NE(bw, nullptr);
  EXPECT_EQ(bw->rounds.size(), 7u);
  EXPECT_EQ(bw->pairs, 28u);
  EXPECT_EQ(bw->pairs_per_round, 4u);
  EXPECT_EQ(bw->links, 112u);
  EXPECT_GT(bw->estimated_s, 0);
  const auto* gdr = s.find("gdr");
  ASSERT_NE(gdr, nullptr);
  EXPECT_EQ(gdr->skip_reason, "no GPUs");
  const auto* stress = s.find("stress");
  ASSERT_NE(stress, nullptr);
  EXPECT_EQ(stress->rounds.size(), 5u) << "bisection + 4 permutations";
  EXPECT_EQ(stress->round_names[0], "bisection");
  EXPECT_EQ(stress->pairs, 4u + 4 * 8u);
  const auto* coll = s.find("collectives");
  ASSERT_NE(coll, nullptr);
  EXPECT_EQ(coll->steps, 4u * 8u) << "4 ops x sizes 8M..1G";
}

TEST(SuitePlan, OddClusterAndRoundCap) {
  auto plan = fr::load_preset("go-live");
  plan.verbs.mode = "all_pairs";
  const auto odd = fr::plan_suite(plan, {7, 2, 8, 8, 200});
  EXPECT_EQ(odd.find("verbs_lat")->rounds.size(), 7u);
  EXPECT_EQ(odd.find("verbs_lat")->pairs, 21u);
  EXPECT_EQ(odd.find("gdr")->rounds.size(), 2u);
  EXPECT_EQ(odd.find("gdr")->links, 6u * 8u);
  plan.verbs.max_rounds = 3;
  const auto capped = fr::plan_suite(plan, {64, 8, 8, 8, 400});
  EXPECT_EQ(capped.find("verbs_bw")->rounds.size(), 3u);
  EXPECT_EQ(capped.find("verbs_bw")->pairs, 96u);
}

TEST(SuitePlan, OneNodeSkipsPairStages) {
  const auto s = fr::plan_suite(fr::load_preset("quick"), {1, 1, 0, 1, 100});
  EXPECT_NE(s.find("verbs_bw")->skip_reason.find("at least 2 nodes"), std::string::npos);
  EXPECT_NE(s.find("collectives")->skip_reason.find("at least 2 ranks"), std::string::npos);
  EXPECT_TRUE(s.find("preflight")->skip_reason.empty());
}

TEST(SuitePlan, TwoThousandFortyEightNodesEightRailsUnderASecond) {
  auto plan = fr::load_preset("go-live");
  plan.verbs.mode = "all_pairs";
  const auto start = std::chrono::steady_clock::now();
  const auto s = fr::plan_suite(plan, {2048, 8, 8, 8, 400});
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto* bw = s.find("verbs_bw");
  EXPECT_EQ(bw->rounds.size(), 2047u);
  EXPECT_EQ(bw->pairs, 2048u * 2047u / 2u);
  EXPECT_EQ(bw->links, 2048u * 2047u / 2u * 8u);
  EXPECT_GT(s.estimated_s, 1800.0) << "all pairs of 2,048 nodes take most of an hour";
  EXPECT_LT(took, 1.0) << "planning took " << took << " s";  // bench/runners prints the exact time
}

TEST(SuitePlan, ResultRowsAndDurations) {
  const fr::ClusterShape shape{4, 2, 0, 1, 100};
  const auto s = fr::plan_suite(fr::load_preset("quick"), shape);
  const auto row = fr::to_result(*s.find("verbs_bw"), shape);
  EXPECT_EQ(row["stage"], "verbs_bw");
  EXPECT_EQ(row["rounds"], 3);
  EXPECT_EQ(row["pairs"], 6);
  EXPECT_TRUE(row.contains("estimated_s"));
  EXPECT_EQ(fr::format_duration(12.34), "12.3 s");
  EXPECT_EQ(fr::format_duration(245), "4m 05s");
  EXPECT_EQ(fr::format_duration(3723), "1h 02m 03s");
  EXPECT_DOUBLE_EQ(fr::busbw_factor("all_reduce", 4), 1.5);
  EXPECT_DOUBLE_EQ(fr::busbw_factor("all_gather", 4), 0.75);
}
