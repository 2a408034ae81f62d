#include <gtest/gtest.h>

#include <map>

#include "fabricperf/collectives/bootstrap_probe.hpp"
#include "fabricperf/collectives/failure.hpp"
#include "fabricperf/collectives/launch.hpp"
#include "fabricperf/collectives/options.hpp"
#include "fabricperf/error.hpp"

using namespace fabricperf::collectives;

TEST(LocalRank, FromHostNames) {
  const std::vector<std::string> hosts{"a", "b", "a", "a", "b"};
  EXPECT_EQ(local_rank_from_hosts(hosts, 0), 0);
  EXPECT_EQ(local_rank_from_hosts(hosts, 1), 0);
  EXPECT_EQ(local_rank_from_hosts(hosts, 3), 2);
  EXPECT_EQ(local_rank_from_hosts(hosts, 4), 1);
}

TEST(Devices, AssignedAsNcclTests) {
  EXPECT_EQ(devices_for_process(0, 1, 8), std::vector<int>{0});
  EXPECT_EQ(devices_for_process(3, 2, 8), (std::vector<int>{6, 7}));
  EXPECT_THROW((void)devices_for_process(4, 2, 8), fabricperf::Error);
  // GPUs bound by the launcher: each process sees only its own.
  EXPECT_EQ(devices_for_process(5, 1, 1), std::vector<int>{0});
  EXPECT_EQ(devices_for_process(3, 2, 2), (std::vector<int>{0, 1}));
  EXPECT_THROW((void)devices_for_process(1, 1, 0), fabricperf::Error);
}

TEST(NicPinning, UserValueWinsThenMappingByPciOrIndex) {
  const GpuNicMap map = parse_gpu_nic_map("0=mlx5_0,1=mlx5_1:1,0000:9A:00.0=mlx5_5");
  const std::vector<std::pair<int, std::string>> gpu0{{0, "0000:17:00.0"}};
  auto p = decide_nic_pinning("mlx5_9", false, gpu0, map);
  EXPECT_FALSE(p.set);
  EXPECT_EQ(p.reason, "NCCL_IB_HCA set by the user");
  p = decide_nic_pinning(nullptr, true, gpu0, map);
  EXPECT_FALSE(p.set);
  p = decide_nic_pinning(nullptr, false, gpu0, map);
  EXPECT_TRUE(p.set);
  EXPECT_EQ(p.value, "=mlx5_0");
  // PCI id match is case-insensitive and takes precedence over the index.
  p = decide_nic_pinning("", false, {{1, "0000:9a:00.0"}}, map);
  EXPECT_EQ(p.value, "=mlx5_5");
  // Several GPUs in one process (-g 2): both NICs, exact-match list.
  p = decide_nic_pinning(nullptr, false, {{0, ""}, {1, ""}}, map);
  EXPECT_EQ(p.value, "=mlx5_0,mlx5_1:1");
  p = decide_nic_pinning(nullptr, false, {{7, ""}}, map);
  EXPECT_FALSE(p.set);
  p = decide_nic_pinning(nullptr, false, {{0, ""}}, GpuNicMap{});
  EXPECT_FALSE(p.set);
  EXPECT_NE(p.reason.find("no GPU-NIC mapping"), std::string::npos);
  EXPECT_THROW((void)parse_gpu_nic_map("0:mlx5_0"), fabricperf::UsageError);
  EXPECT_THROW((void)parse_gpu_nic_map("x=mlx5_0"), fabricperf::UsageError);
  EXPECT_TRUE(parse_gpu_nic_map("").empty());
}

TEST(Fault, Parse) {
  EXPECT_EQ(parse_fault("").kind, FaultInjection::Kind::none);
  const auto h = parse_fault("hang:1:40");
  EXPECT_EQ(h.kind, FaultInjection::Kind::hang);
  EXPECT_EQ(h.rank, 1);
  EXPECT_EQ(h.after, 40);
  const auto e = parse_fault("exit:2");
  EXPECT_EQ(e.kind, FaultInjection::Kind::exit);
  EXPECT_EQ(e.after, 0);
  const auto s = parse_fault("slow:3:500");
  EXPECT_EQ(s.kind, FaultInjection::Kind::slow);
  EXPECT_DOUBLE_EQ(s.slow_us, 500);
  for (const char* bad : {"hang", "boom:1", "slow:1", "hang:x", "hang:1:2:3"})
    EXPECT_THROW((void)parse_fault(bad), fabricperf::UsageError) << bad;
}

namespace {
class FakeBootstrap final : public fabricperf::Bootstrap {
 public:
  explicit FakeBootstrap(int size) : hosts_(static_cast<std::size_t>(size)) {
    for (int r = 0; r < size; ++r) hosts_[static_cast<std::size_t>(r)] = "node" + std::to_string(r / 2);
  }
  int rank() const noexcept override { return 0; }
  int size() const noexcept override { return static_cast<int>(hosts_.size()); }
  const std::vector<std::string>& hostnames() const noexcept override { return hosts_; }
  std::vector<std::string> all_gather(std::string_view) override { return {}; }
  void barrier() override {}
  std::string_view kind() const noexcept override { return "fake"; }

 private:
  std::vector<std::string> hosts_;
};
}  // namespace

TEST(Failure, MessageNamesUnresponsiveRanksAndCoordinator) {
  FakeBootstrap b(4);
  ProbeReport r;
  r.unresponsive = {1};
  const std::string m = failure_message("MPI all_reduce did not complete within 4 s", "all_reduce 1024 bytes", r, b);
  EXPECT_NE(m.find("rank 1 on node0 did not answer the liveness probe (dead or hung)"), std::string::npos) << m;
  EXPECT_NE(m.find("(during all_reduce 1024 bytes)"), std::string::npos) << m;
  EXPECT_EQ(coordinator_rank(r, 4), 0);
  r.unresponsive = {0, 2};
  EXPECT_EQ(coordinator_rank(r, 4), 1);
  EXPECT_NE(failure_message("x", "", r, b).find("rank 0 on node0 and rank 2 on node1"), std::string::npos);
  ProbeReport alive;
  alive.progress = {7, 7, 5, 7};
  EXPECT_NE(failure_message("x", "", alive, b).find("rank 2 on node1 is behind (operation 5"), std::string::npos);
  alive.progress = {7, 7, 7, 7};
  EXPECT_NE(failure_message("x", "", alive, b).find("every rank answered"), std::string::npos);
}

TEST(Failure, ProbeGraceAndRankParsing) {
  EXPECT_EQ(probe_grace(std::chrono::milliseconds(10000)).count(), 2000);
  EXPECT_EQ(probe_grace(std::chrono::milliseconds(500)).count(), 200);
  EXPECT_EQ(probe_grace(std::chrono::milliseconds(600000)).count(), 5000);
  EXPECT_EQ(rank_named_in("rank 12 on node3"), 12);
  EXPECT_EQ(rank_named_in("server host:18515"), -1);
}
