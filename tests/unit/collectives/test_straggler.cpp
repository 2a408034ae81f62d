#include <gtest/gtest.h>

#include "fabricperf/collectives/straggler.hpp"

using namespace fabricperf::collectives;

TEST(Straggler, NamesTheSlowestRankBeyondTolerance) {
  const std::vector<double> t{100, 101, 99, 130};
  const std::vector<std::string> hosts{"n0", "n0", "n1", "n1"};
  const auto s = find_straggler(t, hosts, 10.0);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->rank, 3);
  EXPECT_EQ(s->host, "n1");
  EXPECT_DOUBLE_EQ(s->time_us, 130);
  EXPECT_DOUBLE_EQ(s->others_median_us, 100);
  EXPECT_NEAR(s->behind_pct, 30.0, 1e-9);
  const auto j = to_json(*s);
  EXPECT_EQ(j["rank"], 3);
  EXPECT_EQ(j["host"], "n1");
}

TEST(Straggler, WithinToleranceIsNotAStraggler) {
  const std::vector<double> t{100, 109, 100, 101};
  EXPECT_FALSE(find_straggler(t, {}, 10.0).has_value());
  EXPECT_TRUE(find_straggler(t, {}, 5.0).has_value());
  // Exactly at the tolerance is not beyond it.
  EXPECT_FALSE(find_straggler(std::vector<double>{100, 110}, {}, 10.0).has_value());
}

TEST(Straggler, EdgeCases) {
  EXPECT_FALSE(find_straggler(std::vector<double>{}, {}, 10).has_value());
  EXPECT_FALSE(find_straggler(std::vector<double>{5}, {}, 10).has_value());
  EXPECT_FALSE(find_straggler(std::vector<double>{0, 0, 0}, {}, 10).has_value());
  // Two ranks: compared with the other one; a missing host name stays empty.
  const auto s = find_straggler(std::vector<double>{10, 20}, {"a"}, 10);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->rank, 1);
  EXPECT_EQ(s->host, "");
  // The median ignores one fast outlier among the others.
  const auto m = find_straggler(std::vector<double>{1, 100, 100, 100, 150}, {}, 10);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->rank, 4);
  EXPECT_DOUBLE_EQ(m->others_median_us, 100);
}

TEST(CombineRankTimes, NcclTestsAverageModes) {
  const std::vector<double> t{4, 2, 6};
  EXPECT_DOUBLE_EQ(combine_rank_times(t, 0), 4);
  EXPECT_DOUBLE_EQ(combine_rank_times(t, 1), 4);
  EXPECT_DOUBLE_EQ(combine_rank_times(t, 2), 2);
  EXPECT_DOUBLE_EQ(combine_rank_times(t, 3), 6);
  EXPECT_DOUBLE_EQ(combine_rank_times(std::vector<double>{}, 1), 0);
}
