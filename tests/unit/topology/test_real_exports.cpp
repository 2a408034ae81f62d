// The real machine exports in tests/data/topology (see SOURCES.md): what they must show.
#include <gtest/gtest.h>

#include <set>

#include "fabricperf/error.hpp"
#include "fabricperf/topology/checks.hpp"
#include "fabricperf/topology/hwloc_reader.hpp"
#include "fabricperf/topology/nccl_reader.hpp"
#include "fabricperf/topology/pairing.hpp"
#include "fixtures.hpp"

namespace fabricperf::topology {
namespace {

using testing::data_path;

const Check& find_check(const std::vector<Check>& checks, const std::string& name) {
  for (const auto& c : checks) {
    if (c.name == name) return c;
  }
  throw std::runtime_error("no check " + name);
}

std::vector<std::string> ids(const Topology& t, const std::vector<int>& nics) {
  std::vector<std::string> out;
  for (const int n : nics) out.push_back(t.nics[static_cast<std::size_t>(n)].id);
  return out;
}

TEST(RealExports, AwsP5EveryGpuHasFourPixEfaNics) {
  const Topology t = load_hwloc_xml(data_path("aws-p5.48xl.hwloc.xml"));
  EXPECT_TRUE(t.warnings.empty());
  ASSERT_EQ(t.gpus.size(), 8u);
  ASSERT_EQ(t.nics.size(), 32u);
  EXPECT_EQ(t.numa_node_count, 2);
  for (const Nic& nic : t.nics) {
    EXPECT_EQ(nic.kind, "efa") << nic.id;
    EXPECT_EQ(nic.id.rfind("rdmap", 0), 0u) << nic.id;  // ENA devices (1d0f:ec20) are not RDMA NICs
  }
  const Pairing p = pair_gpus_with_nics(t);
  std::set<int> all_dedicated;
  for (const auto& a : p.gpus) {
    const Gpu& gpu = t.gpus[static_cast<std::size_t>(a.gpu)];
    ASSERT_TRUE(a.nearest_path);
    EXPECT_EQ(*a.nearest_path, PathClass::pix) << gpu.pci.str();
    EXPECT_EQ(a.nearest_nics.size(), 4u) << gpu.pci.str();
    EXPECT_EQ(a.dedicated_cards.size(), 4u) << gpu.pci.str();
    EXPECT_TRUE(a.shared_with.empty());
    for (const int n : a.dedicated_nics) {
      EXPECT_TRUE(all_dedicated.insert(n).second) << "NIC given twice";
      EXPECT_EQ(t.nics[static_cast<std::size_t>(n)].numa, gpu.numa);
    }
    EXPECT_EQ(gpu.numa, a.gpu < 4 ? 0 : 1);
  }
  EXPECT_EQ(ids(t, p.gpus[0].dedicated_nics), (std::vector<std::string>{"rdmap79s0", "rdmap80s0", "rdmap81s0", "rdmap82s0"}));
  EXPECT_EQ(t.gpus[0].pci.str(), "0000:53:00.0");
  EXPECT_TRUE(p.one_to_one());
  // Other GPUs' NICs: NODE on the same socket, SYS across.
  EXPECT_EQ(p.matrix[0][4], PathClass::node);
  EXPECT_EQ(p.matrix[0][31], PathClass::sys);
  const auto checks = run_checks(t, p);
  EXPECT_EQ(find_check(checks, "gpu_nic_one_to_one").status, CheckStatus::pass);
  EXPECT_EQ(find_check(checks, "gpu_nic_numa").status, CheckStatus::pass);
  for (const char* live : {"pcie_link", "acs_redirect", "nic_ats", "peer_memory", "ib_port"}) {
    EXPECT_EQ(find_check(checks, live).status, CheckStatus::skip) << live;
  }
}

TEST(RealExports, AwsG5IsPhbAndFailsOneToOne) {
  const Topology t = load_hwloc_xml(data_path("aws-g5.48xl.hwloc.xml"));
  ASSERT_EQ(t.gpus.size(), 8u);  // the EC2 display (1d0f:1111, class 0300) is not one
  ASSERT_EQ(t.nics.size(), 1u);
  EXPECT_EQ(t.nics[0].id, "rdmap0s21");
  const Pairing p = pair_gpus_with_nics(t);
  for (const auto& a : p.gpus) {
    EXPECT_EQ(*a.nearest_path, PathClass::phb);
    EXPECT_EQ(t.gpus[static_cast<std::size_t>(a.gpu)].numa, -1);  // host bridge on the Machine: unknown
  }
  EXPECT_TRUE(p.gpus[0].dedicated());
  EXPECT_FALSE(p.gpus[1].dedicated());
  EXPECT_EQ(p.gpus[1].shared_with.size(), 7u);
  EXPECT_FALSE(p.one_to_one());
  const auto checks = run_checks(t, p);
  const Check& one = find_check(checks, "gpu_nic_one_to_one");
  EXPECT_EQ(one.status, CheckStatus::fail);
  EXPECT_NE(one.detail.find("PHB"), std::string::npos);
  EXPECT_NE(one.detail.find("share one NIC, rdmap0s21"), std::string::npos);
  EXPECT_EQ(find_check(checks, "gpu_nic_numa").status, CheckStatus::warn);
}

TEST(RealExports, AzureNdv5PairsEightGpusAtPixOutOfBusOrderNames) {
  const Topology t = load_nccl_topo(data_path("azure-ndv5-topo.nccl.xml"));
  ASSERT_EQ(t.gpus.size(), 8u);
  ASSERT_EQ(t.nics.size(), 8u);
  const Pairing p = pair_gpus_with_nics(t);
  // GPU domain 0008 pairs with NIC domain 0104, 0009 with 0105, ...: names do not follow.
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"0001:00:00.0", "0101:00:00.0"}, {"0002:00:00.0", "0102:00:00.0"}, {"0003:00:00.0", "0103:00:00.0"},
      {"0008:00:00.0", "0104:00:00.0"}, {"0009:00:00.0", "0105:00:00.0"}, {"000a:00:00.0", "0106:00:00.0"},
      {"000b:00:00.0", "0107:00:00.0"}, {"000c:00:00.0", "0108:00:00.0"}};
  for (std::size_t g = 0; g < 8; ++g) {
    const GpuAssignment& a = p.gpus[g];
    EXPECT_EQ(t.gpus[g].pci.str(), expected[g].first);
    ASSERT_TRUE(a.dedicated());
    EXPECT_EQ(*a.nic_path, PathClass::pix);
    EXPECT_EQ(t.nics[static_cast<std::size_t>(*a.nic)].id, expected[g].second);
    EXPECT_EQ(t.gpus[g].numa, g < 4 ? 0 : 1);
    EXPECT_EQ(t.nics[static_cast<std::size_t>(*a.nic)].numa, t.gpus[g].numa);
  }
  // NCCL files keep no host bridges: another NIC of the same CPU is PHB, the other CPU's SYS.
  EXPECT_EQ(p.matrix[0][1], PathClass::phb);
  EXPECT_EQ(p.matrix[0][4], PathClass::sys);
  EXPECT_TRUE(p.one_to_one());
  EXPECT_EQ(find_check(run_checks(t, p), "gpu_nic_one_to_one").status, CheckStatus::pass);
}

TEST(RealExports, KeysightGpuAndNicOnDifferentHostBridgesIsNode) {
  const Topology t = load_hwloc_xml(data_path("keysight-supermicro.hwloc.xml"));
  EXPECT_EQ(t.host, "ixia-2025");  // the Machine's HostName
  ASSERT_EQ(t.gpus.size(), 1u);    // the ASPEED BMC display (1a03:2000) is not one
  ASSERT_EQ(t.nics.size(), 2u);
  EXPECT_EQ(t.nics[0].id, "mlx5_0");
  EXPECT_EQ(t.nics[1].id, "mlx5_1");
  EXPECT_EQ(t.nics[0].card, t.nics[1].card);  // two functions, one dual-port card
  EXPECT_EQ(t.nics[0].netdevs, (std::vector<std::string>{"enp171s0f0np0"}));
  ASSERT_EQ(t.nics[0].ports.size(), 1u);
  EXPECT_EQ(t.nics[0].ports[0].state, "ACTIVE");
  EXPECT_EQ(t.gpus[0].numa, 1);
  EXPECT_EQ(t.nics[0].numa, 1);
  const Pairing p = pair_gpus_with_nics(t);
  EXPECT_EQ(p.cards.size(), 1u);
  EXPECT_EQ(*p.gpus[0].nearest_path, PathClass::node);
  EXPECT_EQ(p.gpus[0].dedicated_nics.size(), 2u);
  const auto checks = run_checks(t, p);
  EXPECT_EQ(find_check(checks, "gpu_nic_one_to_one").status, CheckStatus::fail);
  EXPECT_EQ(find_check(checks, "gpu_nic_numa").status, CheckStatus::pass);
}

TEST(RealExports, AwsP4dTwoGpusShareEachEfaThroughTheHostBridge) {
  const Topology t = load_hwloc_xml(data_path("aws-p4d.24xl.hwloc.xml"));
  ASSERT_EQ(t.gpus.size(), 8u);
  ASSERT_EQ(t.nics.size(), 4u);
  const Pairing p = pair_gpus_with_nics(t);
  for (std::size_t g = 0; g < 8; g += 2) {
    EXPECT_EQ(*p.gpus[g].nearest_path, PathClass::phb);
    EXPECT_EQ(p.gpus[g].nic, p.gpus[g + 1].nic);  // pairs share
    EXPECT_TRUE(p.gpus[g].dedicated());
    EXPECT_FALSE(p.gpus[g + 1].dedicated());
    EXPECT_EQ(p.gpus[g + 1].shared_with, std::vector<int>{static_cast<int>(g)});
  }
  EXPECT_EQ(p.matrix[0][1], PathClass::node);  // two host bridges per socket
  EXPECT_EQ(p.matrix[0][2], PathClass::sys);
  EXPECT_EQ(find_check(run_checks(t, p), "gpu_nic_one_to_one").status, CheckStatus::fail);
}

TEST(RealExports, AwsP6B200MatchesTwoGpusToTwoNicsPerSwitch) {
  const Topology t = load_hwloc_xml(data_path("aws-p6-b200.48xl.hwloc.xml"));
  ASSERT_EQ(t.gpus.size(), 8u);
  ASSERT_EQ(t.nics.size(), 10u);
  ASSERT_NE(t.find_nic("ibp115s0f0"), nullptr);  // a udev-renamed ConnectX-7
  const Pairing p = pair_gpus_with_nics(t);
  std::set<int> used;
  for (const auto& a : p.gpus) {
    ASSERT_TRUE(a.dedicated());
    EXPECT_EQ(*a.nic_path, PathClass::pix);
    for (const int n : a.dedicated_nics) EXPECT_TRUE(used.insert(n).second);
  }
  // Bus order where there is a choice: GPU0 takes the first EFA of its switch, GPU1 the second.
  EXPECT_EQ(t.nics[static_cast<std::size_t>(*p.gpus[0].nic)].id, "rdmap79s0");
  EXPECT_EQ(t.nics[static_cast<std::size_t>(*p.gpus[1].nic)].id, "rdmap80s0");
  // Four NICs under GPU4/GPU5's switch: two each.
  EXPECT_EQ(p.gpus[4].dedicated_nics.size(), 2u);
  EXPECT_EQ(p.gpus[5].dedicated_nics.size(), 2u);
  EXPECT_TRUE(p.one_to_one());
}

TEST(RealExports, AzureNdv4TwoGpusTwoNicsPerSwitchFourNumaNodes) {
  const Topology t = load_nccl_topo(data_path("azure-ndv4-topo.nccl.xml"));
  ASSERT_EQ(t.gpus.size(), 8u);
  EXPECT_EQ(t.numa_node_count, 4);
  const Pairing p = pair_gpus_with_nics(t);
  EXPECT_TRUE(p.one_to_one());
  EXPECT_EQ(t.nics[static_cast<std::size_t>(*p.gpus[0].nic)].id, "0101:00:00.0");
  EXPECT_EQ(t.nics[static_cast<std::size_t>(*p.gpus[1].nic)].id, "0102:00:00.0");
  EXPECT_EQ(t.gpus[0].numa, 1);  // GPU 0001 sits on the cpu with numaid 1
  EXPECT_EQ(t.nics[0].kind, "ib");
}

TEST(RealExports, RtpLlmConnectX8NestedSwitchIsPxbAndFourPortCardIsOneNic) {
  const Topology t = load_nccl_topo(data_path("alibaba-rtp-llm-cx8.nccl.xml"));
  ASSERT_EQ(t.gpus.size(), 8u);
  ASSERT_EQ(t.nics.size(), 12u);
  const Pairing p = pair_gpus_with_nics(t);
  EXPECT_EQ(p.cards.size(), 9u);  // mlx5_2..mlx5_5 share 0000:27:00
  for (const auto& a : p.gpus) {
    EXPECT_EQ(*a.nearest_path, PathClass::pxb);
    ASSERT_TRUE(a.dedicated());
    EXPECT_EQ(t.nics[static_cast<std::size_t>(*a.nic)].id, "mlx5_bond_" + std::to_string(a.gpu));
  }
  const Check one = check_gpu_nic_one_to_one(t, p);
  EXPECT_EQ(one.status, CheckStatus::warn);  // dedicated, but PXB rather than PIX
  EXPECT_FALSE(p.one_to_one(PathClass::pix));
  EXPECT_TRUE(p.one_to_one(PathClass::pxb));
}

TEST(RealExports, HwlocThreeExportIsRefusedWithExitTwoError) {
  try {
    (void)load_hwloc_xml(data_path("hwloc-nvidia-dgx2.v3.hwloc.xml"));
    FAIL() << "accepted an hwloc 3 export";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("version 3.0"), std::string::npos) << e.what();
  }
}

TEST(RealExports, WrongReaderForTheFormatSaysWhichToUse) {
  try {
    (void)load_hwloc_xml(data_path("azure-ndv5-topo.nccl.xml"));
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--nccl-topo"), std::string::npos);
  }
  try {
    (void)load_nccl_topo(data_path("aws-g5.48xl.hwloc.xml"));
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--hwloc-xml"), std::string::npos);
  }
}

}  // namespace
}  // namespace fabricperf::topology
