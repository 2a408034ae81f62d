// Round scheduler (circle method), bisection and permutation generators.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "fabricperf/runners/schedule.hpp"

namespace fr = fabricperf::runners;

namespace {

void expect_round_robin_complete(int n) {
  SCOPED_TRACE("N = " + std::to_string(n));
  const auto rounds = fr::round_robin_rounds(n);
  ASSERT_EQ(rounds.size(), static_cast<std::size_t>(n % 2 == 0 ? n - 1 : n));
  std::vector<std::vector<int>> met(static_cast<std::size_t>(n), std::vector<int>(static_cast<std::size_t>(n), 0));
  std::vector<int> byes(static_cast<std::size_t>(n), 0);
  for (const auto& round : rounds) {
    std::vector<int> busy(static_cast<std::size_t>(n), 0);
    ASSERT_EQ(round.pairs.size(), static_cast<std::size_t>(n / 2));
    for (const auto& p : round.pairs) {
      ASSERT_GE(p.a, 0);
      ASSERT_LT(p.a, n);
      ASSERT_GE(p.b, 0);
      ASSERT_LT(p.b, n);
      ASSERT_NE(p.a, p.b);
      ASSERT_EQ(busy[static_cast<std::size_t>(p.a)]++, 0) << "node " << p.a << " twice in a round";
      ASSERT_EQ(busy[static_cast<std::size_t>(p.b)]++, 0) << "node " << p.b << " twice in a round";
      ++met[static_cast<std::size_t>(std::min(p.a, p.b))][static_cast<std::size_t>(std::max(p.a, p.b))];
    }
    if (n % 2 == 1) {
      ASSERT_GE(round.bye, 0);
      ASSERT_EQ(busy[static_cast<std::size_t>(round.bye)], 0) << "the bye node also plays";
      ++byes[static_cast<std::size_t>(round.bye)];
    } else {
      ASSERT_EQ(round.bye, -1);
    }
  }
  for (int a = 0; a < n; ++a)
    for (int b = a + 1; b < n; ++b)
      ASSERT_EQ(met[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)], 1) << "pair " << a << "-" << b;
  if (n % 2 == 1) {
    for (int v : byes) ASSERT_EQ(v, 1) << "every node sits out exactly one round";
  }
}

}  // namespace

TEST(RoundRobin, EveryPairExactlyOnceEvenAndOdd) {
  for (int n : {2, 3, 4, 5, 6, 7, 8, 9, 16, 17, 31, 64, 101, 128}) expect_round_robin_complete(n);
}

TEST(RoundRobin, CountsForLargeClusters) {
  EXPECT_EQ(fr::round_robin_round_count(2048), 2047u);
  EXPECT_EQ(fr::round_robin_round_count(2047), 2047u);
  EXPECT_EQ(fr::round_robin_pairs_per_round(2048), 1024u);
  EXPECT_EQ(fr::round_robin_pairs_per_round(2047), 1023u);
  EXPECT_EQ(fr::round_robin_round_count(1), 0u);
  EXPECT_EQ(fr::round_robin_round_count(0), 0u);
}

TEST(RoundRobin, TwoThousandFortyEightNodesEveryPairOnce) {
  // 2,096,128 pairs: check coverage with a bitmap rather than a matrix of ints.
  const int n = 2048;
  std::vector<bool> seen(static_cast<std::size_t>(n) * n, false);
  std::size_t total = 0;
  for (std::size_t r = 0; r < fr::round_robin_round_count(n); ++r) {
    const auto round = fr::round_robin_round(n, r);
    std::vector<bool> busy(static_cast<std::size_t>(n), false);
    for (const auto& p : round.pairs) {
      ASSERT_FALSE(busy[static_cast<std::size_t>(p.a)]);
      ASSERT_FALSE(busy[static_cast<std::size_t>(p.b)]);
      busy[static_cast<std::size_t>(p.a)] = busy[static_cast<std::size_t>(p.b)] = true;
      const auto key = static_cast<std::size_t>(std::min(p.a, p.b)) * n + static_cast<std::size_t>(std::max(p.a, p.b));
      ASSERT_FALSE(seen[key]);
      seen[key] = true;
      ++total;
    }
  }
  EXPECT_EQ(total, static_cast<std::size_t>(n) * (n - 1) / 2);
}

TEST(RoundRobin, BothRolesOverTheSchedule) {
  // Every node listens in some rounds and connects in others.
  const int n = 8;
  std::vector<int> listens(n, 0), connects(n, 0);
  for (const auto& round : fr::round_robin_rounds(n))
    for (const auto& p : round.pairs) {
      ++listens[static_cast<std::size_t>(p.a)];
      ++connects[static_cast<std::size_t>(p.b)];
    }
  for (int i = 0; i < n; ++i) {
    EXPECT_GT(listens[static_cast<std::size_t>(i)], 0) << i;
    EXPECT_GT(connects[static_cast<std::size_t>(i)], 0) << i;
  }
}

TEST(RoundRobin, BadRoundIndexThrows) {
  EXPECT_THROW((void)fr::round_robin_round(4, 3), std::out_of_range);
  EXPECT_THROW((void)fr::round_robin_round(1, 0), std::out_of_range);
}

TEST(RoundRobin, CoveringRounds) {
  EXPECT_EQ(fr::covering_round_count(2), 1u);
  EXPECT_EQ(fr::covering_round_count(8), 1u);
  EXPECT_EQ(fr::covering_round_count(7), 2u);
  for (int n : {3, 5, 7, 9}) {
    std::set<int> covered;
    for (std::size_t r = 0; r < fr::covering_round_count(n); ++r)
      for (const auto& p : fr::round_robin_round(n, r).pairs) covered.insert({p.a, p.b});
    EXPECT_EQ(covered.size(), static_cast<std::size_t>(n)) << n;
  }
}

TEST(Bisection, HalvesAreDisjointAndSeeded) {
  for (int n : {2, 3, 4, 9, 16, 33, 2048}) {
    SCOPED_TRACE(n);
    const auto pairs = fr::bisection_pairs(n, 7);
    ASSERT_EQ(pairs.size(), static_cast<std::size_t>(n / 2));
    std::set<int> receivers, senders;
    for (const auto& p : pairs) {
      ASSERT_TRUE(receivers.insert(p.a).second);
      ASSERT_TRUE(senders.insert(p.b).second);
    }
    for (int r : receivers) ASSERT_FALSE(senders.contains(r)) << "a node on both sides of the cut";
    EXPECT_EQ(pairs, fr::bisection_pairs(n, 7)) << "same seed, same split";
  }
  EXPECT_NE(fr::bisection_pairs(64, 1), fr::bisection_pairs(64, 2));
  EXPECT_TRUE(fr::bisection_pairs(1, 1).empty());
}

TEST(Permutation, IsADerangementAndSeeded) {
  for (int n : {2, 3, 5, 8, 100, 2048}) {
    SCOPED_TRACE(n);
    for (std::uint64_t seed : {0u, 1u, 99u}) {
      const auto p = fr::random_derangement(n, seed);
      ASSERT_EQ(p.size(), static_cast<std::size_t>(n));
      std::vector<int> sorted = p;
      std::sort(sorted.begin(), sorted.end());
      for (int i = 0; i < n; ++i) {
        ASSERT_EQ(sorted[static_cast<std::size_t>(i)], i) << "not a permutation";
        ASSERT_NE(p[static_cast<std::size_t>(i)], i) << "node sends to itself";
      }
      EXPECT_EQ(p, fr::random_derangement(n, seed));
    }
  }
  EXPECT_NE(fr::random_derangement(64, 1), fr::random_derangement(64, 2));
  EXPECT_TRUE(fr::random_derangement(1, 1).empty());
}

TEST(Permutation, UniformOverDerangementsOfThree) {
  // N = 3 has two derangements: (1 2 0) and (2 0 1). Both should come up about equally.
  int first = 0;
  const int trials = 4000;
  for (int s = 0; s < trials; ++s) first += fr::random_derangement(3, static_cast<std::uint64_t>(s))[0] == 1;
  EXPECT_NEAR(static_cast<double>(first) / trials, 0.5, 0.05);
}

TEST(Permutation, FlowsEveryNodeSendsAndReceivesOnce) {
  const auto flows = fr::permutation_flows(fr::random_derangement(10, 3));
  std::vector<int> sends(10, 0), receives(10, 0);
  for (const auto& f : flows) {
    ++receives[static_cast<std::size_t>(f.a)];
    ++sends[static_cast<std::size_t>(f.b)];
  }
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(sends[static_cast<std::size_t>(i)], 1);
    EXPECT_EQ(receives[static_cast<std::size_t>(i)], 1);
  }
}
