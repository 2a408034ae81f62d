// Robust (MAD) outlier detection on synthetic fabrics.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fabricperf/runners/outliers.hpp"
#include "fabricperf/runners/random.hpp"

namespace fr = fabricperf::runners;

namespace {

// n links around `mean` Gb/s with relative gaussian noise `noise`.
std::vector<fr::Sample> noisy_links(std::size_t n, double mean, double noise, std::uint64_t seed) {
  fr::SplitMix64 rng(seed);
  std::vector<fr::Sample> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back({"link " + std::to_string(i), mean * (1.0 + noise * rng.normal())});
  return out;
}

}  // namespace

TEST(Median, OddEvenEmpty) {
  EXPECT_DOUBLE_EQ(fr::median_of({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(fr::median_of({4, 1, 3, 2}), 2.5);
  EXPECT_DOUBLE_EQ(fr::median_of({}), 0);
}

TEST(Outliers, PlantedSlowLinkAmong512IsFound) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    auto links = noisy_links(512, 370.0, 0.01, seed);
    links[137].value = 370.0 * 0.80;  // a bad cable: 80 % of its peers
    const auto report = fr::find_outliers(links, fr::Better::higher);
    ASSERT_TRUE(report.judged);
    ASSERT_EQ(report.outliers.size(), 1u) << "seed " << seed;
    EXPECT_EQ(report.outliers[0].label, "link 137");
    EXPECT_EQ(report.outliers[0].index, 137u);
    EXPECT_LT(report.outliers[0].robust_z, -5);
    EXPECT_NEAR(report.outliers[0].deviation_pct, -20, 2);
  }
}

TEST(Outliers, SeveralPlantedAreAllFoundWorstFirst) {
  auto links = noisy_links(512, 100.0, 0.01, 5);
  links[3].value = 85;
  links[400].value = 50;
  links[99].value = 120;  // faster than the rest: not a problem
  const auto report = fr::find_outliers(links, fr::Better::higher);
  ASSERT_EQ(report.outliers.size(), 2u);
  EXPECT_EQ(report.outliers[0].label, "link 400");
  EXPECT_EQ(report.outliers[1].label, "link 3");
}

TEST(Outliers, NoFalsePositivesOnCleanNoisyData) {
  // 100 clean fabrics of 512 links with 2 % gaussian noise: nothing may be flagged.
  std::size_t flagged = 0;
  for (std::uint64_t seed = 100; seed < 200; ++seed) {
    const auto links = noisy_links(512, 370.0, 0.02, seed);
    flagged += fr::find_outliers(links, fr::Better::higher).outliers.size();
  }
  EXPECT_EQ(flagged, 0u);
}

TEST(Outliers, NoFalsePositivesOnUniformNoise) {
  fr::SplitMix64 rng(9);
  std::vector<fr::Sample> links;
  for (int i = 0; i < 512; ++i)
    links.push_back({std::to_string(i), 95.0 + 4.0 * static_cast<double>(rng.below(1000)) / 1000.0});
  EXPECT_TRUE(fr::find_outliers(links, fr::Better::higher).outliers.empty());
}

TEST(Outliers, LatencyHigherIsWorse) {
  auto lat = noisy_links(64, 2.0, 0.02, 3);
  lat[10].value = 3.5;
  lat[20].value = 1.0;  // faster: fine
  const auto report = fr::find_outliers(lat, fr::Better::lower);
  ASSERT_EQ(report.outliers.size(), 1u);
  EXPECT_EQ(report.outliers[0].label, "link 10");
  EXPECT_GT(report.outliers[0].robust_z, 0);
}

TEST(Outliers, IdenticalPeersUseTheMinimumDeviation) {
  std::vector<fr::Sample> s(10, {"x", 100.0});
  for (int i = 0; i < 10; ++i) s[static_cast<std::size_t>(i)].label = std::to_string(i);
  s[4].value = 99.0;  // 1 %: below min_deviation_pct
  EXPECT_TRUE(fr::find_outliers(s, fr::Better::higher).outliers.empty());
  s[4].value = 90.0;  // 10 %: flagged even though MAD is 0
  const auto report = fr::find_outliers(s, fr::Better::higher);
  ASSERT_EQ(report.outliers.size(), 1u);
  EXPECT_EQ(report.mad, 0);
  EXPECT_EQ(report.outliers[0].label, "4");
}

TEST(Outliers, TooFewSamplesAreNotJudged) {
  std::vector<fr::Sample> s = {{"a", 100}, {"b", 10}, {"c", 100}};
  const auto report = fr::find_outliers(s, fr::Better::higher);
  EXPECT_FALSE(report.judged);
  EXPECT_TRUE(report.outliers.empty());
  EXPECT_EQ(report.samples, 3u);
  fr::OutlierOptions few;
  few.min_samples = 3;
  EXPECT_EQ(fr::find_outliers(s, fr::Better::higher, few).outliers.size(), 1u);
}

TEST(Outliers, GroupMediansRollLinksUpToNics) {
  // node0/rail0 is bad: all its links are slow; each other NIC has one slow link (to node0).
  std::vector<fr::Sample> by_nic;
  for (int peer = 1; peer < 8; ++peer) {
    by_nic.push_back({"node0/rail0", 50});
    by_nic.push_back({"node" + std::to_string(peer) + "/rail0", 50});  // the link to node0
    for (int other = 1; other < 7; ++other) by_nic.push_back({"node" + std::to_string(peer) + "/rail0", 100});
  }
  const auto nics = fr::group_medians(by_nic);
  ASSERT_EQ(nics.size(), 8u);
  EXPECT_EQ(nics[0].label, "node0/rail0");
  EXPECT_DOUBLE_EQ(nics[0].value, 50);
  EXPECT_DOUBLE_EQ(nics[1].value, 100);
  const auto report = fr::find_outliers(nics, fr::Better::higher);
  ASSERT_EQ(report.outliers.size(), 1u);
  EXPECT_EQ(report.outliers[0].label, "node0/rail0");
}

TEST(Outliers, ClusterScaleNicsAndNodes) {
  // 2,048 nodes x 8 rails: one NIC per (node, rail), each the median of its links; one NIC trained
  // at half speed, one node whose every NIC is 15 % slow (a PCIe or NUMA problem).
  fr::SplitMix64 rng(77);
  std::vector<fr::Sample> nics;
  std::vector<fr::Sample> node_links;
  for (int n = 0; n < 2048; ++n)
    for (int r = 0; r < 8; ++r) {
      double v = 390.0 * (1 + 0.005 * rng.normal());
      if (n == 1500 && r == 6) v = 195;
      if (n == 42) v *= 0.85;
      nics.push_back({"node" + std::to_string(n) + "/mlx5_" + std::to_string(r), v});
      node_links.push_back({"node" + std::to_string(n), v});
    }
  const auto by_nic = fr::find_outliers(nics, fr::Better::higher);
  ASSERT_TRUE(by_nic.judged);
  ASSERT_EQ(by_nic.outliers.size(), 9u) << "the half-speed NIC and node42's eight";
  EXPECT_EQ(by_nic.outliers[0].label, "node1500/mlx5_6");
  const auto nodes = fr::group_medians(node_links);
  ASSERT_EQ(nodes.size(), 2048u);
  const auto by_node = fr::find_outliers(nodes, fr::Better::higher);
  ASSERT_EQ(by_node.outliers.size(), 1u);
  EXPECT_EQ(by_node.outliers[0].label, "node42");
}
