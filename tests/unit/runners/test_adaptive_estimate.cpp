// The adaptive go-live's estimate: 2,048 nodes x 8 rails x 8 GPUs in under 10 minutes, the reach
// mesh over all pairs included; --exhaustive (all pairs) stays the old linear plan.
#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/runners/plan.hpp"
#include "fabricperf/runners/suite_plan.hpp"

namespace fr = fabricperf::runners;

namespace {

fr::ClusterShape hgx(int nodes) {
  fr::ClusterShape s;
  s.nodes = nodes;
  s.rails = 8;
  s.gpus_per_node = 8;
  s.ranks_per_node = 8;
  s.line_rate_gbps = 400;
  return s;
}

}  // namespace

TEST(AdaptiveEstimate, GoLiveAt2048NodesUnderTenMinutes) {
  const auto plan = fr::load_preset("go-live");
  ASSERT_EQ(plan.verbs.mode, "adaptive");
  const auto shape = hgx(2048);
  const auto schedule = fr::plan_suite(plan, shape);
  const auto* reach = schedule.find("reach");  // go-live's first stage: every pair, every rail
  ASSERT_NE(reach, nullptr);
  EXPECT_EQ(reach->rounds.size(), 2047u);
  EXPECT_NEAR(reach->estimated_s, fr::reach_mesh_estimate_s(shape, fr::CostModel{}), 1e-9);
  EXPECT_LT(schedule.estimated_s, 600.0) << "plan " << schedule.estimated_s << " s";
  const auto* bw = schedule.find("verbs_bw");
  ASSERT_NE(bw, nullptr);
  EXPECT_EQ(bw->rounds.size(), 4u);
  EXPECT_EQ(bw->pairs, 4u * 2048u);
  EXPECT_EQ(bw->retest_rounds_max, 13u);
  // The retest budget is in the estimate: 4 full rounds, 6 measuring retests at the largest size
  // (3 good peers, loopback, 2 pair retests) and 7 cross-rail reach probes.
  const fr::CostModel cost;
  EXPECT_NEAR(bw->estimated_s,
              4 * fr::bw_round_s(plan, shape, cost) + 6 * fr::bw_retest_round_s(plan, shape, cost) +
                  7 * fr::reach_round_s(shape, cost),
              1e-9);
  EXPECT_EQ(schedule.find("verbs_lat")->rounds.size(), 4u);
}

TEST(AdaptiveEstimate, ExhaustiveIsEveryPair) {
  auto plan = fr::load_preset("go-live");
  plan.verbs.mode = "all_pairs";
  const auto schedule = fr::plan_suite(plan, hgx(2048));
  EXPECT_EQ(schedule.find("verbs_bw")->rounds.size(), 2047u);
  EXPECT_EQ(schedule.find("verbs_bw")->retest_rounds_max, 0u);
  EXPECT_GT(schedule.estimated_s, 3000.0);  // ~50 minutes: what issue 19 started from
}

TEST(AdaptiveEstimate, GrowsSlowlyWithNodes) {
  const auto plan = fr::load_preset("go-live");
  double last = 0;
  for (int nodes : {2, 64, 256, 2048}) {
    const auto shape = hgx(nodes);
    const double total = fr::plan_suite(plan, shape).estimated_s;
    EXPECT_GT(total, last) << nodes;
    last = total;
  }
}

TEST(AdaptiveEstimate, SmallClustersNeverPlanMoreThanAllPairs) {
  const auto plan = fr::load_preset("go-live");
  const auto two = fr::plan_suite(plan, hgx(2));
  EXPECT_EQ(two.find("verbs_bw")->rounds.size(), 1u);  // both directions of the one pair
  EXPECT_EQ(two.find("verbs_bw")->retest_rounds_max, 0u);
  EXPECT_EQ(fr::plan_suite(plan, hgx(3)).find("verbs_bw")->rounds.size(), 2u);
}

TEST(AdaptivePlan, KeysAreChecked) {
  const auto base = fr::load_preset("quick");
  EXPECT_EQ(base.verbs.mode, "all_pairs");
  auto plan = base;
  fr::apply_setting(plan, "verbs.mode=adaptive");
  fr::apply_setting(plan, "verbs.adaptive.rounds=6");
  fr::apply_setting(plan, "fabric.nodes_per_leaf=16");
  fr::apply_setting(plan, "fabric.oversubscription=2");
  EXPECT_EQ(plan.verbs.adaptive.rounds, 6u);
  EXPECT_EQ(plan.fabric.nodes_per_leaf, 16);
  EXPECT_DOUBLE_EQ(plan.fabric.oversubscription, 2.0);
  try {
    fr::apply_setting(plan, "verbs.mode=some");
    FAIL() << "accepted verbs.mode=some";
  } catch (const fabricperf::UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "--set verbs.mode: verbs.mode: expected one of all_pairs, adaptive, got \"some\"");
  }
  EXPECT_THROW(fr::apply_setting(plan, "fabric.oversubscription=0.5"), fabricperf::UsageError);
  EXPECT_THROW(fr::apply_setting(plan, "verbs.adaptive.good_peers=0"), fabricperf::UsageError);
}
