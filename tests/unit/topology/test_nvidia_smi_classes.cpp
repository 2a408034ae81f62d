// Path classes exactly as `nvidia-smi topo -m` defines them (issue 18 item 5): NODE only within
// one NUMA node, SYS between NUMA nodes even inside one package (AMD EPYC NPS2/NPS4), and
// NCCL's socket transport (a <net> with no PCI device and gdr="0" or guid 0) is no RDMA NIC.
#include <gtest/gtest.h>

#include <string>

#include "fabricperf/topology/checks.hpp"
#include "fabricperf/topology/hwloc_reader.hpp"
#include "fabricperf/topology/nccl_reader.hpp"
#include "fabricperf/topology/pairing.hpp"
#include "fabricperf/topology/path.hpp"
#include "fixtures.hpp"

namespace fabricperf::topology {
namespace {

using testing::handmade;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(NvidiaSmiClasses, OtherNumaNodeOfTheSamePackageIsSys) {
  const Topology t = load_hwloc_xml(handmade("epyc-nps2-sys.hwloc.xml"));
  ASSERT_EQ(t.gpus.size(), 1u);
  ASSERT_EQ(t.nics.size(), 1u);
  EXPECT_EQ(t.numa_node_count, 4);
  EXPECT_EQ(t.gpus[0].numa, 0);
  EXPECT_EQ(t.nics[0].numa, 1);
  EXPECT_EQ(classify(t, t.gpus[0], t.nics[0]), PathClass::sys);
  const Pairing p = pair_gpus_with_nics(t);
  ASSERT_TRUE(p.gpus[0].nearest_path.has_value());
  EXPECT_EQ(*p.gpus[0].nearest_path, PathClass::sys);
  const Check c = check_gpu_nic_one_to_one(t, p);
  EXPECT_EQ(c.status, CheckStatus::fail);
  EXPECT_TRUE(contains(c.detail, "nearest NIC is SYS (on another NUMA node): GPU0->mlx5_0")) << c.detail;
}

TEST(NvidiaSmiClasses, SameNumaNodeAcrossHostBridgesIsNode) {
  const Topology t = load_hwloc_xml(handmade("epyc-nps2-node.hwloc.xml"));
  ASSERT_EQ(t.gpus.size(), 1u);
  ASSERT_EQ(t.nics.size(), 2u);
  ASSERT_EQ(t.nics[0].id, "mlx5_0");
  ASSERT_EQ(t.nics[1].id, "mlx5_1");
  EXPECT_EQ(classify(t, t.gpus[0], t.nics[0]), PathClass::node);  // NUMA 0, other host bridge
  EXPECT_EQ(classify(t, t.gpus[0], t.nics[1]), PathClass::sys);   // NUMA 1 of the same package
  const Pairing p = pair_gpus_with_nics(t);
  ASSERT_TRUE(p.gpus[0].nic.has_value());
  EXPECT_EQ(*p.gpus[0].nic, 0);
  EXPECT_EQ(p.gpus[0].nic_path, PathClass::node);
  const Check c = check_gpu_nic_one_to_one(t, p);
  EXPECT_TRUE(contains(c.detail, "nearest NIC is NODE")) << c.detail;
  EXPECT_EQ(check_gpu_nic_numa(t, p).status, CheckStatus::pass);
}

TEST(NvidiaSmiClasses, SocketTransportEth0IsNoRdmaNic) {
  const Topology t = load_nccl_topo(handmade("socket-eth0-no-rdma.nccl.xml"));
  ASSERT_EQ(t.gpus.size(), 1u);
  EXPECT_TRUE(t.nics.empty()) << t.nics.front().id;
  ASSERT_FALSE(t.warnings.empty());
  EXPECT_TRUE(contains(t.warnings.front(), "eth0")) << t.warnings.front();
  const Pairing p = pair_gpus_with_nics(t);
  ASSERT_EQ(p.gpus.size(), 1u);
  EXPECT_FALSE(p.gpus[0].nearest_path.has_value());
  EXPECT_FALSE(p.gpus[0].nic.has_value());
  EXPECT_FALSE(p.gpus[0].nic_path.has_value());
  ASSERT_EQ(p.matrix.size(), 1u);
  EXPECT_TRUE(p.matrix[0].empty());
  const Check c = check_gpu_nic_one_to_one(t, p);
  EXPECT_EQ(c.status, CheckStatus::fail);
  EXPECT_TRUE(contains(c.detail, "no RDMA NIC")) << c.detail;
  EXPECT_EQ(check_gpu_nic_numa(t, p).status, CheckStatus::skip);
}

std::string one_net(const std::string& net_attributes, bool under_pci) {
  const std::string net = "<nic><net name=\"n0\" " + net_attributes + "/></nic>";
  const std::string gpu =
      "<pci busid=\"0000:18:00.0\" class=\"0x030200\" vendor=\"0x10de\" device=\"0x2330\"><gpu dev=\"0\"/></pci>";
  const std::string nic_pci =
      under_pci ? "<pci busid=\"0000:19:00.0\" class=\"0x020000\" vendor=\"0x15b3\" device=\"0x1021\">" + net + "</pci>"
                : net;
  return "<system version=\"1\"><cpu numaid=\"0\">" + gpu + nic_pci + "</cpu></system>";
}

TEST(NvidiaSmiClasses, OnlyPcilessNetsWithoutGdrOrGuidAreSocketTransport) {
  EXPECT_TRUE(parse_nccl_topo(one_net("gdr=\"0\"", false), "a.xml").nics.empty());
  EXPECT_TRUE(parse_nccl_topo(one_net("guid=\"0\"", false), "b.xml").nics.empty());
  EXPECT_TRUE(parse_nccl_topo(one_net("guid=\"0x0\" gdr=\"1\"", false), "c.xml").nics.empty());
  // An RDMA device NCCL could not place in PCI, and a PCI NIC without GPUDirect, stay NICs.
  EXPECT_EQ(parse_nccl_topo(one_net("guid=\"0x1\" gdr=\"1\"", false), "d.xml").nics.size(), 1u);
  EXPECT_EQ(parse_nccl_topo(one_net("", false), "e.xml").nics.size(), 1u);
  EXPECT_EQ(parse_nccl_topo(one_net("guid=\"0x0\" gdr=\"0\"", true), "f.xml").nics.size(), 1u);
}

}  // namespace
}  // namespace fabricperf::topology
