// The expected-value model on synthetic fabrics: line rate, latency ceilings, busbw floors, and
// peer outliers rolled up from links to NICs and nodes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fabricperf/runners/judge.hpp"
#include "fabricperf/runners/random.hpp"
#include "fabricperf/runners/schedule.hpp"

namespace fr = fabricperf::runners;
using fabricperf::Check;
using fabricperf::CheckStatus;
using nlohmann::json;

namespace {

std::string node(int i) {
  return "node" + std::to_string(i);
}
std::string dev(int r) {
  return "mlx5_" + std::to_string(r);
}

// verbs_bw rows for every pair of `nodes` on `rails` rails at 8M: ~380 of 400 Gb/s with 1 %
// noise, then `tweak` may change any row.
json fabric(int nodes, int rails, std::uint64_t seed, const std::function<void(json&)>& tweak = {}) {
  fr::SplitMix64 rng(seed);
  json rows = json::array();
  for (const auto& round : fr::round_robin_rounds(nodes))
    for (const auto& p : round.pairs)
      for (int r = 0; r < rails; ++r) {
        const double bw = 380.0 * (1 + 0.01 * rng.normal());
        json row = {
            {"stage", "verbs_bw"},     {"host", node(p.b)},        {"peer_host", node(p.a)}, {"rail", r},
            {"device", dev(r)},        {"peer_device", dev(r)},    {"size_bytes", 8 << 20},  {"bw_avg_gbps", bw},
            {"line_rate_gbps", 400.0}, {"line_rate_pct", bw / 4.0}};
        if (tweak) tweak(row);
        rows.push_back(row);
      }
  return rows;
}

std::vector<const Check*> named(const std::vector<Check>& checks, const std::string& name) {
  std::vector<const Check*> out;
  for (const auto& c : checks)
    if (c.name == name) out.push_back(&c);
  return out;
}

void set_bw(json& row, double bw) {
  row["bw_avg_gbps"] = bw;
  row["line_rate_pct"] = bw / 4.0;
}

}  // namespace

TEST(JudgeBandwidth, HealthyFabricPassesEverything) {
  const auto rows = fabric(32, 4, 1);  // 496 node pairs x 4 rails = 1984 links
  const auto checks = fr::judge_bandwidth("verbs_bw", rows, {});
  ASSERT_EQ(named(checks, "verbs_bw_line_rate").size(), 1u);
  EXPECT_EQ(named(checks, "verbs_bw_line_rate")[0]->status, CheckStatus::pass);
  ASSERT_EQ(named(checks, "verbs_bw_outliers").size(), 1u);
  EXPECT_EQ(named(checks, "verbs_bw_outliers")[0]->status, CheckStatus::pass)
      << named(checks, "verbs_bw_outliers")[0]->detail;
  for (const auto& c : checks) EXPECT_NE(c.status, CheckStatus::fail) << c.name << ": " << c.detail;
}

TEST(JudgeBandwidth, SlowCableIsNamedAsALink) {
  // One cable: node3 rail 2 <-> node9 rail 2 (either direction of the pair).
  const auto rows = fabric(32, 4, 2, [](json& r) {
    if (r["rail"] == 2 &&
        ((r["host"] == "node3" && r["peer_host"] == "node9") || (r["host"] == "node9" && r["peer_host"] == "node3")))
      set_bw(r, 180);
  });
  const auto checks = fr::judge_bandwidth("verbs_bw", rows, {});
  EXPECT_EQ(named(checks, "verbs_bw_line_rate")[0]->status, CheckStatus::fail);
  EXPECT_NE(named(checks, "verbs_bw_line_rate")[0]->detail.find("1 of 1984 links"), std::string::npos);
  const auto links = named(checks, "verbs_bw_outlier_link");
  ASSERT_EQ(links.size(), 1u);
  EXPECT_NE(links[0]->detail.find("mlx5_2"), std::string::npos) << links[0]->detail;
  EXPECT_NE(links[0]->detail.find("node3"), std::string::npos) << links[0]->detail;
  EXPECT_NE(links[0]->detail.find("node9"), std::string::npos) << links[0]->detail;
  EXPECT_TRUE(named(checks, "verbs_bw_outlier_nic").empty()) << "one slow link does not make a slow NIC";
  EXPECT_TRUE(named(checks, "verbs_bw_outlier_node").empty());
}

TEST(JudgeBandwidth, BadNicIsNamedOnceNotAsItsThirtyOneLinks) {
  const auto rows = fabric(32, 4, 3, [](json& r) {
    if ((r["host"] == "node7" || r["peer_host"] == "node7") && r["rail"] == 1) set_bw(r, 250);
  });
  const auto checks = fr::judge_bandwidth("verbs_bw", rows, {});
  const auto nics = named(checks, "verbs_bw_outlier_nic");
  ASSERT_EQ(nics.size(), 1u);
  EXPECT_EQ(nics[0]->labels["entity"], "node7/mlx5_1");
  EXPECT_TRUE(named(checks, "verbs_bw_outlier_link").empty()) << "its links are explained by the NIC";
}

TEST(JudgeBandwidth, SlowNodeIsNamedAsANode) {
  const auto rows = fabric(16, 8, 4, [](json& r) {
    if (r["host"] == "node5" || r["peer_host"] == "node5") set_bw(r, 200);
  });
  const auto checks = fr::judge_bandwidth("verbs_bw", rows, {});
  const auto nodes = named(checks, "verbs_bw_outlier_node");
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0]->labels["entity"], "node5");
  EXPECT_TRUE(named(checks, "verbs_bw_outlier_nic").empty());
  EXPECT_TRUE(named(checks, "verbs_bw_outlier_link").empty());
}

TEST(JudgeBandwidth, TwoNodesCannotBeComparedWithPeers) {
  const auto rows = fabric(2, 1, 5);
  const auto checks = fr::judge_bandwidth("verbs_bw", rows, {});
  ASSERT_EQ(named(checks, "verbs_bw_outliers").size(), 1u);
  EXPECT_EQ(named(checks, "verbs_bw_outliers")[0]->status, CheckStatus::skip);
}

TEST(JudgeBandwidth, SoftRdmaWarnsUnlessJudged) {
  auto rows = fabric(2, 1, 6, [](json& r) {
    r["device"] = r["peer_device"] = "rxe0";
    r["soft_rdma"] = true;
    r["line_rate_gbps"] = 10.0;
    r["bw_avg_gbps"] = 0.1;
    r["line_rate_pct"] = 1.0;
  });
  fr::JudgeOptions o;
  auto checks = fr::judge_bandwidth("verbs_bw", rows, o);
  EXPECT_EQ(named(checks, "verbs_bw_line_rate")[0]->status, CheckStatus::warn);
  EXPECT_NE(named(checks, "verbs_bw_line_rate")[0]->detail.find("software RDMA (rxe0)"), std::string::npos);
  o.soft_rdma = fr::SoftRdmaPolicy::judge;
  checks = fr::judge_bandwidth("verbs_bw", rows, o);
  EXPECT_EQ(named(checks, "verbs_bw_line_rate")[0]->status, CheckStatus::fail);
  o.line_rate_pct = 0.5;
  checks = fr::judge_bandwidth("verbs_bw", rows, o);
  EXPECT_EQ(named(checks, "verbs_bw_line_rate")[0]->status, CheckStatus::pass);
}

TEST(JudgeBandwidth, UnknownLineRateSkipsAndEmptyIsSkip) {
  auto rows = fabric(2, 1, 7, [](json& r) {
    r.erase("line_rate_gbps");
    r["line_rate_pct"] = nullptr;
  });
  EXPECT_EQ(named(fr::judge_bandwidth("verbs_bw", rows, {}), "verbs_bw_line_rate")[0]->status, CheckStatus::skip);
  EXPECT_EQ(named(fr::judge_bandwidth("verbs_bw", json::array(), {}), "verbs_bw_line_rate")[0]->status,
            CheckStatus::skip);
}

TEST(JudgeBandwidth, JudgedAtTheLargestSizeAndNodeAggregates) {
  auto rows = fabric(2, 2, 8);
  json small = rows;
  for (auto& r : small) {
    r["size_bytes"] = 4096;
    set_bw(r, 50);  // small messages are far from line rate: not judged
  }
  for (auto& r : small) rows.push_back(r);
  rows.push_back({{"stage", "verbs_bw"},
                  {"host", "node1"},
                  {"peer_host", "node0"},
                  {"aggregate", true},
                  {"rails", 2},
                  {"size_bytes", 8 << 20},
                  {"bw_avg_gbps", 500.0},
                  {"line_rate_gbps", 800.0},
                  {"line_rate_pct", 62.5}});
  const auto checks = fr::judge_bandwidth("verbs_bw", rows, {});
  EXPECT_EQ(named(checks, "verbs_bw_line_rate")[0]->status, CheckStatus::pass);
  ASSERT_EQ(named(checks, "verbs_bw_node_aggregate").size(), 1u);
  EXPECT_EQ(named(checks, "verbs_bw_node_aggregate")[0]->status, CheckStatus::fail)
      << "both rails at once reach only 62.5 %";
}

TEST(JudgeLatency, CeilingAndSlowNic) {
  fr::SplitMix64 rng(9);
  json rows = json::array();
  for (const auto& round : fr::round_robin_rounds(24))
    for (const auto& p : round.pairs) {
      double t = 2.0 * (1 + 0.02 * rng.normal());
      if (p.a == 4 || p.b == 4) t = 6.5;
      rows.push_back({{"stage", "verbs_lat"},
                      {"host", node(p.b)},
                      {"peer_host", node(p.a)},
                      {"device", "mlx5_0"},
                      {"peer_device", "mlx5_0"},
                      {"size_bytes", 2},
                      {"t_typical_us", t}});
      rows.push_back({{"stage", "verbs_lat"},
                      {"host", node(p.b)},
                      {"peer_host", node(p.a)},
                      {"device", "mlx5_0"},
                      {"peer_device", "mlx5_0"},
                      {"size_bytes", 4096},
                      {"t_typical_us", t + 1}});
    }
  fr::JudgeOptions o;
  o.lat_max_us = 5;
  const auto checks = fr::judge_latency("verbs_lat", rows, o);
  const auto ceiling = named(checks, "verbs_lat_ceiling");
  ASSERT_EQ(ceiling.size(), 1u);
  EXPECT_EQ(ceiling[0]->status, CheckStatus::fail);
  EXPECT_NE(ceiling[0]->detail.find("23 of 276 links over 5.00 us at 2"), std::string::npos) << ceiling[0]->detail;
  const auto nodes = named(checks, "verbs_lat_outlier_node");
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0]->labels["entity"], "node4");
  EXPECT_TRUE(named(checks, "verbs_lat_outlier_link").empty());
}

TEST(JudgeCollectives, FloorsExplicitOrFromLineRate) {
  json rows = json::array();
  for (auto size : {1 << 20, 1 << 30}) {
    rows.push_back({{"coll", "all_reduce"},
                    {"backend", "nccl"},
                    {"size_bytes", size},
                    {"in_place", false},
                    {"busbw_GBps", size == (1 << 30) ? 350.0 : 20.0}});
    rows.push_back({{"coll", "all_gather"},
                    {"backend", "nccl"},
                    {"size_bytes", size},
                    {"in_place", false},
                    {"busbw_GBps", size == (1 << 30) ? 150.0 : 10.0}});
  }
  fr::Expectations e;
  e.busbw_min_GBps["all_gather"] = 200;
  e.busbw_min_line_rate_pct = 60;
  const auto checks = fr::judge_collectives(rows, e, 8 * 400.0);  // 400 GB/s per node
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].labels["coll"], "all_reduce");
  EXPECT_EQ(checks[0].status, CheckStatus::pass) << checks[0].detail;  // 350 >= 240
  EXPECT_EQ(checks[1].labels["coll"], "all_gather");
  EXPECT_EQ(checks[1].status, CheckStatus::fail) << checks[1].detail;  // 150 < 200
  fr::Expectations none;
  for (auto& r : rows) r["backend"] = "mpi";
  const auto mpi = fr::judge_collectives(rows, none, 800);
  EXPECT_EQ(mpi[0].status, CheckStatus::skip) << "no floor for the host-memory backend by default";
}

TEST(JudgeStress, PatternAgainstSummedLineRate) {
  json rows = json::array();
  rows.push_back({{"stage", "stress"},
                  {"pattern", "bisection"},
                  {"aggregate", true},
                  {"flows", 4},
                  {"size_bytes", 1 << 20},
                  {"bw_avg_gbps", 1000.0},
                  {"line_rate_gbps", 1600.0},
                  {"line_rate_pct", 62.5}});
  rows.push_back({{"stage", "stress"},
                  {"pattern", "permutation 1"},
                  {"aggregate", true},
                  {"flows", 8},
                  {"size_bytes", 1 << 20},
                  {"bw_avg_gbps", 3000.0},
                  {"line_rate_gbps", 3200.0},
                  {"line_rate_pct", 93.75}});
  const auto checks = fr::judge_stress(rows, fr::load_preset("go-live"));
  const auto lr = named(checks, "stress_line_rate");
  ASSERT_EQ(lr.size(), 2u);
  EXPECT_EQ(lr[0]->labels["pattern"], "bisection");
  EXPECT_EQ(lr[0]->status, CheckStatus::fail);
  EXPECT_EQ(lr[1]->status, CheckStatus::pass);
}
