// Cluster layout from host names, rail choice from fingerprints.
#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/runners/layout.hpp"

namespace fr = fabricperf::runners;
using nlohmann::json;

TEST(Layout, RanksPerGpu) {
  const auto l = fr::ClusterLayout::from_hostnames({"a", "a", "b", "b", "c", "c"});
  EXPECT_EQ(l.nodes, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(l.ranks_per_node, 2);
  EXPECT_EQ(l.node_of_rank, (std::vector<int>{0, 0, 1, 1, 2, 2}));
  EXPECT_EQ(l.local_rank, (std::vector<int>{0, 1, 0, 1, 0, 1}));
  EXPECT_EQ(l.rank_on(2, 1), 5);
  EXPECT_EQ(l.rank_on(3, 0), -1);
  EXPECT_EQ(l.rails_of(0, 4), (std::vector<int>{0, 2}));
  EXPECT_EQ(l.rails_of(1, 4), (std::vector<int>{1, 3}));
}

TEST(Layout, InterleavedAndUneven) {
  const auto l = fr::ClusterLayout::from_hostnames({"a", "b", "a", "b", "b"});
  EXPECT_EQ(l.node_count(), 2);
  EXPECT_FALSE(l.uniform());
  EXPECT_EQ(l.ranks_of_node[0], (std::vector<int>{0, 2}));
  const auto one = fr::ClusterLayout::from_hostnames({"x", "y"});
  EXPECT_EQ(one.ranks_per_node, 1);
  EXPECT_EQ(one.rails_of(0, 3), (std::vector<int>{0, 1, 2}));
}

TEST(Rails, ActivePortsInNameOrderOrAsConfigured) {
  auto port = [](int n, const char* state, double rate) {
    return json{{"port", n}, {"state", state}, {"link_layer", "InfiniBand"}, {"rate_gbps", rate}};
  };
  const json host = {
      {"hostname", "n1"},
      {"rdma_devices", json::array({{{"name", "mlx5_1"}, {"ports", json::array({port(1, "4: ACTIVE", 400)})}},
                                    {{"name", "mlx5_0"}, {"ports", json::array({port(1, "4: ACTIVE", 400)})}},
                                    {{"name", "mlx5_2"}, {"ports", json::array({port(1, "1: DOWN", 0)})}},
                                    {{"name", "rxe0"}, {"ports", json::array({port(1, "4: ACTIVE", 10)})}}})}};
  const auto all = fr::rail_ports(host, {});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].device, "mlx5_0");
  EXPECT_EQ(all[2].device, "rxe0");
  EXPECT_TRUE(all[2].soft);
  EXPECT_FALSE(all[0].soft);
  const auto chosen = fr::rail_ports(host, {"mlx5_1:1", "mlx5_0"});
  ASSERT_EQ(chosen.size(), 2u);
  EXPECT_EQ(chosen[0].device, "mlx5_1");
  try {
    (void)fr::rail_ports(host, {"mlx5_2"});
    FAIL();
  } catch (const fabricperf::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("mlx5_2 on n1 is not ACTIVE"), std::string::npos) << e.what();
  }
  try {
    (void)fr::rail_ports(host, {"mlx5_9"});
    FAIL();
  } catch (const fabricperf::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("not found on n1 (active ports: mlx5_0:1, mlx5_1:1, rxe0:1)"),
              std::string::npos)
        << e.what();
  }
}

TEST(Rails, SoftDeviceByName) {
  EXPECT_TRUE(fr::is_soft_rdma_device("rxe0", "/nonexistent"));
  EXPECT_TRUE(fr::is_soft_rdma_device("siw_eth0", "/nonexistent"));
  EXPECT_FALSE(fr::is_soft_rdma_device("mlx5_0", "/nonexistent"));
}
