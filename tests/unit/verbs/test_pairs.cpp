#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/verbs/pairs.hpp"

using namespace fabricperf;
using namespace fabricperf::verbs;

TEST(Pairs, DefaultPairsNeighbours) {
  const auto p = default_pairs(6);
  ASSERT_EQ(p.size(), 3U);
  EXPECT_EQ(p[0], (RankPair{0, 1}));
  EXPECT_EQ(p[2], (RankPair{4, 5}));
  EXPECT_THROW((void)default_pairs(3), UsageError);
  EXPECT_THROW((void)default_pairs(1), UsageError);
}

TEST(Pairs, ParsesFileText) {
  const auto p = parse_pairs("# target initiator\n3 0\n\n  1 2  # second\n", 4);
  ASSERT_EQ(p.size(), 2U);
  EXPECT_EQ(p[0], (RankPair{3, 0}));
  EXPECT_EQ(p[1], (RankPair{1, 2}));
}

TEST(Pairs, RejectsBadFiles) {
  EXPECT_THROW((void)parse_pairs("0 1\n1 2\n", 4), UsageError);  // rank 1 twice
  EXPECT_THROW((void)parse_pairs("0 0\n", 4), UsageError);
  EXPECT_THROW((void)parse_pairs("0 4\n", 4), UsageError);
  EXPECT_THROW((void)parse_pairs("0 -1\n", 4), UsageError);
  EXPECT_THROW((void)parse_pairs("0 1 2\n", 4), UsageError);
  EXPECT_THROW((void)parse_pairs("0 x\n", 4), UsageError);
  EXPECT_THROW((void)parse_pairs("0 1x\n", 4), UsageError);
  EXPECT_THROW((void)parse_pairs("# nothing\n", 4), UsageError);
  try {
    (void)parse_pairs("0 1\n2 1\n", 4, "p.txt");
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("p.txt line 2"), std::string::npos) << e.what();
  }
}

TEST(Pairs, SchedulesAndRoles) {
  EXPECT_EQ(schedule_phases(3, Schedule::concurrent), (std::vector<std::vector<std::size_t>>{{0, 1, 2}}));
  EXPECT_EQ(schedule_phases(3, Schedule::serial), (std::vector<std::vector<std::size_t>>{{0}, {1}, {2}}));
  EXPECT_TRUE(schedule_phases(0, Schedule::serial).empty());
  EXPECT_EQ(parse_schedule("serial"), Schedule::serial);
  EXPECT_THROW((void)parse_schedule("random"), UsageError);

  const std::vector<RankPair> pairs{{0, 1}, {3, 2}};
  auto r = role_of(2, pairs);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->pair, 1U);
  EXPECT_EQ(r->peer, 3);
  EXPECT_EQ(r->role, Role::initiator);
  r = role_of(0, pairs);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->role, Role::target);
  EXPECT_FALSE(role_of(4, pairs));
}
