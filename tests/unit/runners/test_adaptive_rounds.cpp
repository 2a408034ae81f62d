// Adaptive go-live rounds: every NIC sends and receives in every round, the rounds together
// cover both leaf/spine path classes and fully load every leaf's uplinks; the spine-share model.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "fabricperf/runners/adaptive_rounds.hpp"

namespace fr = fabricperf::runners;

namespace {

fr::FabricShape shape(int nodes, int per_leaf, double oversub = 1) {
  fr::FabricShape f;
  f.nodes = nodes;
  f.rails = 8;
  f.nodes_per_leaf = per_leaf;
  f.oversubscription = oversub;
  return f;
}

void expect_permutations(const fr::FabricShape& f, const fr::NamedRounds& rounds) {
  ASSERT_EQ(rounds.rounds.size(), rounds.names.size());
  for (std::size_t r = 0; r < rounds.rounds.size(); ++r) {
    SCOPED_TRACE(rounds.names[r]);
    std::vector<int> sends(static_cast<std::size_t>(f.nodes)), receives(static_cast<std::size_t>(f.nodes));
    for (const auto& flow : rounds.rounds[r].pairs) {
      ASSERT_NE(flow.a, flow.b);
      ++receives[static_cast<std::size_t>(flow.a)];
      ++sends[static_cast<std::size_t>(flow.b)];
    }
    for (int n = 0; n < f.nodes; ++n) {
      EXPECT_EQ(sends[static_cast<std::size_t>(n)], 1) << "node " << n << " sends";
      EXPECT_EQ(receives[static_cast<std::size_t>(n)], 1) << "node " << n << " receives";
    }
  }
}

}  // namespace

TEST(AdaptiveRounds, EveryNicAndEveryPathClassAtScale) {
  for (auto [nodes, per_leaf] : {std::pair{2048, 32}, std::pair{256, 32}, std::pair{64, 8}, std::pair{96, 16}}) {
    SCOPED_TRACE(std::to_string(nodes) + " nodes, " + std::to_string(per_leaf) + " per leaf");
    const auto f = shape(nodes, per_leaf);
    const auto rounds = fr::adaptive_rounds(f, 4, 7);
    ASSERT_EQ(rounds.rounds.size(), 4u);
    EXPECT_EQ(rounds.names[0], "intra-leaf");
    EXPECT_EQ(rounds.names[1], "leaf shift");
    expect_permutations(f, rounds);
    const auto c = fr::round_coverage(f, rounds.rounds);
    EXPECT_EQ(c.nodes_sending, static_cast<std::size_t>(nodes));
    EXPECT_EQ(c.nodes_receiving, static_cast<std::size_t>(nodes));
    EXPECT_GT(c.intra_leaf_flows, 0u);
    EXPECT_GT(c.cross_leaf_flows, 0u);
    EXPECT_EQ(c.leaves_intra_loaded, static_cast<std::size_t>(f.leaves()));
    EXPECT_EQ(c.leaves_uplinks_loaded, static_cast<std::size_t>(f.leaves()));
    EXPECT_GE(c.distinct_peers_min, 4u);  // each NIC meets 4+ different peers before any retest
  }
}

TEST(AdaptiveRounds, OddAndSmallClusters) {
  for (auto [nodes, per_leaf] :
       {std::pair{2, 32}, std::pair{3, 32}, std::pair{7, 4}, std::pair{33, 32}, std::pair{5, 1}}) {
    SCOPED_TRACE(std::to_string(nodes) + " nodes, " + std::to_string(per_leaf) + " per leaf");
    const auto f = shape(nodes, per_leaf);
    const auto rounds = fr::adaptive_rounds(f, 4, 1);
    ASSERT_EQ(rounds.rounds.size(),
              std::min<std::size_t>(4, static_cast<std::size_t>(nodes - 1)));  // never past all pairs
    expect_permutations(f, rounds);
    const auto c = fr::round_coverage(f, rounds.rounds);
    EXPECT_EQ(c.nodes_sending, static_cast<std::size_t>(nodes));
    if (f.leaves() >= 2) {
      EXPECT_GT(c.cross_leaf_flows, 0u);
    }
  }
  EXPECT_TRUE(fr::adaptive_rounds(shape(1, 32), 4, 1).rounds.empty());
}

TEST(AdaptiveRounds, DeterministicPerSeed) {
  const auto f = shape(256, 32);
  const auto a = fr::adaptive_rounds(f, 4, 3), b = fr::adaptive_rounds(f, 4, 3), c = fr::adaptive_rounds(f, 4, 4);
  for (std::size_t r = 0; r < 4; ++r) EXPECT_EQ(a.rounds[r].pairs, b.rounds[r].pairs);
  EXPECT_NE(a.rounds[3].pairs, c.rounds[3].pairs);
}

TEST(AdaptiveRounds, SpineSharesFollowOversubscription) {
  const auto f = shape(64, 8, 2.0);
  const auto rounds = fr::adaptive_rounds(f, 2, 1);
  for (std::size_t r = 0; r < 2; ++r) {
    std::vector<fr::Flow> flows;
    for (const auto& p : rounds.rounds[r].pairs) flows.push_back({p.a, p.b});
    const auto shares = fr::spine_shares(f, flows);
    for (std::size_t i = 0; i < flows.size(); ++i) {
      // Intra-leaf: the leaf alone, full rate; leaf shift: 8 flows out of each leaf over 4 uplinks.
      EXPECT_DOUBLE_EQ(shares[i], r == 0 ? 1.0 : 0.5) << rounds.names[r];
    }
  }
}
