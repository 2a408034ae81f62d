// Hand-made lstopo/NCCL fixtures: one per path class and per failure (tests/data/topology/handmade).
#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/topology/checks.hpp"
#include "fabricperf/topology/hwloc_reader.hpp"
#include "fabricperf/topology/nccl_reader.hpp"
#include "fabricperf/topology/pairing.hpp"
#include "fabricperf/topology/path.hpp"
#include "fixtures.hpp"

namespace fabricperf::topology {
namespace {

using testing::handmade;

struct PathCase {
  const char* file;
  PathClass path;
  CheckStatus one_to_one;
};

class HandmadePaths : public ::testing::TestWithParam<PathCase> {};

TEST_P(HandmadePaths, ClassAndHeadlineCheck) {
  const PathCase& c = GetParam();
  const Topology t = load_hwloc_xml(handmade(c.file));
  ASSERT_EQ(t.gpus.size(), 1u) << c.file;
  ASSERT_GE(t.nics.size(), 1u) << c.file;
  EXPECT_EQ(classify(t, t.gpus[0], t.nics[0]), c.path) << c.file;
  const Pairing p = pair_gpus_with_nics(t);
  EXPECT_EQ(*p.gpus[0].nearest_path, c.path);
  EXPECT_EQ(check_gpu_nic_one_to_one(t, p).status, c.one_to_one) << check_gpu_nic_one_to_one(t, p).detail;
}

INSTANTIATE_TEST_SUITE_P(
    Classes, HandmadePaths,
    ::testing::Values(PathCase{"pix.hwloc.xml", PathClass::pix, CheckStatus::pass},
                      PathCase{"pix.v1.hwloc.xml", PathClass::pix, CheckStatus::pass},
                      PathCase{"pxb.hwloc.xml", PathClass::pxb, CheckStatus::warn},
                      PathCase{"vm-hidden-switches-phb.hwloc.xml", PathClass::phb, CheckStatus::fail},
                      PathCase{"no-nic-on-gpu-switch-node.hwloc.xml", PathClass::node, CheckStatus::fail},
                      PathCase{"nic-other-socket-sys.hwloc.xml", PathClass::sys, CheckStatus::fail}));

TEST(Handmade, PixModelHasSwitchPortsAndNoNvswitchGpu) {
  const Topology t = load_hwloc_xml(handmade("pix.hwloc.xml"));
  EXPECT_EQ(t.host, "pix-box");
  EXPECT_EQ(t.gpus[0].pci.str(), "0000:03:00.0");
  EXPECT_EQ(t.gpus[0].model, "GH100 [H100 SXM5 80GB]");
  ASSERT_EQ(t.nics.size(), 1u);
  EXPECT_EQ(t.nics[0].id, "mlx5_0");
  EXPECT_EQ(t.nics[0].netdevs, std::vector<std::string>{"ibp4s0"});
  // Root port 00:01.0 is a link; 01:00.0 is the switch; 02:0x.0 are its downstream ports.
  const auto bridges = bridges_between(t, t.gpus[0].node, t.nics[0].node);
  ASSERT_EQ(bridges.size(), 3u);
  EXPECT_EQ(t.nodes[static_cast<std::size_t>(bridges[0])].pci->str(), "0000:02:00.0");
  EXPECT_EQ(t.nodes[static_cast<std::size_t>(bridges[0])].kind, NodeKind::port);
  EXPECT_EQ(t.nodes[static_cast<std::size_t>(bridges[1])].pci->str(), "0000:01:00.0");
  EXPECT_EQ(t.nodes[static_cast<std::size_t>(bridges[1])].kind, NodeKind::pci_switch);
  EXPECT_EQ(t.nodes[static_cast<std::size_t>(bridges[2])].pci->str(), "0000:02:01.0");
  EXPECT_EQ(switches_between(t, t.gpus[0].node, t.nics[0].node), 1);
}

TEST(Handmade, PxbCountsTwoSwitches) {
  const Topology t = load_hwloc_xml(handmade("pxb.hwloc.xml"));
  EXPECT_EQ(switches_between(t, t.gpus[0].node, t.nics[0].node), 2);
}

TEST(Handmade, OtherSocketFailsNuma) {
  const Topology t = load_hwloc_xml(handmade("nic-other-socket-sys.hwloc.xml"));
  EXPECT_EQ(t.gpus[0].numa, 0);
  EXPECT_EQ(t.nics[0].numa, 1);
  const Check numa = check_gpu_nic_numa(t, pair_gpus_with_nics(t));
  EXPECT_EQ(numa.status, CheckStatus::fail);
  EXPECT_NE(numa.detail.find("NUMA 0 uses mlx5_0 on NUMA 1"), std::string::npos) << numa.detail;
}

TEST(Handmade, TwoGpusForcedToShareOneDualPortCard) {
  const Topology t = load_hwloc_xml(handmade("two-gpus-share-one-nic.hwloc.xml"));
  ASSERT_EQ(t.gpus.size(), 2u);
  ASSERT_EQ(t.nics.size(), 2u);  // mlx5_0 and mlx5_1: one card
  const Pairing p = pair_gpus_with_nics(t);
  ASSERT_EQ(p.cards.size(), 1u);
  EXPECT_TRUE(p.gpus[0].dedicated());
  EXPECT_FALSE(p.gpus[1].dedicated());
  EXPECT_EQ(p.gpus[1].shared_with, std::vector<int>{0});
  EXPECT_EQ(p.gpus[0].shared_with, std::vector<int>{1});
  const Check one = check_gpu_nic_one_to_one(t, p);
  EXPECT_EQ(one.status, CheckStatus::fail);
  EXPECT_NE(one.detail.find("GPU0, GPU1 share one NIC, mlx5_0"), std::string::npos) << one.detail;
  EXPECT_EQ(t.nics[1].ports.at(0).state, "DOWN");
}

TEST(Handmade, DroppedPciDeviceIsRefused) {
  try {
    (void)load_hwloc_xml(handmade("dropped-pci-device.hwloc.xml"));
    FAIL() << "a partly loaded export was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("only 3 of 4 PCI devices"), std::string::npos) << e.what();
  }
}

TEST(Handmade, UnknownOsdevTypeWarnsAndFindsTheNicByVendor) {
  const Topology t = load_hwloc_xml(handmade("unknown-osdev-type.hwloc.xml"));
  ASSERT_EQ(t.warnings.size(), 1u);
  EXPECT_NE(t.warnings[0].find("osdev_type"), std::string::npos);
  ASSERT_EQ(t.nics.size(), 1u);
  EXPECT_EQ(t.nics[0].id, "0000:04:00.0");
  EXPECT_EQ(t.nics[0].rdma_device, "");
}

TEST(Handmade, MalformedAndMissingFilesAreUsageErrors) {
  EXPECT_THROW((void)load_hwloc_xml(handmade("truncated.hwloc.xml")), UsageError);
  EXPECT_THROW((void)load_hwloc_xml(handmade("no-such-file.xml")), UsageError);
  EXPECT_THROW((void)load_nccl_topo(handmade("bad-busid.nccl.xml")), UsageError);
  EXPECT_THROW((void)load_hwloc_xml_text("<topology version=\"2.0\"><object type=\"Nonsense\"/></topology>", "x"),
               UsageError);
  EXPECT_THROW((void)parse_nccl_topo("<system version=\"1\"/>", "empty.xml"), UsageError);
}

TEST(Handmade, NcclGpusShareARemoteNic) {
  const Topology t = load_nccl_topo(handmade("gpus-share-remote-nic.nccl.xml"));
  ASSERT_EQ(t.gpus.size(), 2u);
  ASSERT_EQ(t.nics.size(), 1u);
  EXPECT_EQ(t.nics[0].id, "mlx5_0");
  EXPECT_DOUBLE_EQ(t.nics[0].ports.at(0).rate_gbps, 400.0);
  const Pairing p = pair_gpus_with_nics(t);
  EXPECT_EQ(*p.gpus[0].nearest_path, PathClass::sys);
  EXPECT_EQ(check_gpu_nic_one_to_one(t, p).status, CheckStatus::fail);
  EXPECT_EQ(check_gpu_nic_numa(t, p).status, CheckStatus::fail);
}

}  // namespace
}  // namespace fabricperf::topology

namespace fabricperf::topology {
namespace {

// Cut anywhere, an lstopo export is refused with a UsageError (malformed, or partly loaded).
TEST(Handmade, TruncatedExportsAreRefusedNotHalfRead) {
  const std::string text = read_text_file(testing::handmade("two-gpus-share-one-nic.hwloc.xml"));
  for (std::size_t cut = 200; cut + 20 < text.size(); cut += 397) {
    EXPECT_THROW((void)load_hwloc_xml_text(std::string_view(text).substr(0, cut), "cut.xml"), UsageError) << cut;
  }
}

}  // namespace
}  // namespace fabricperf::topology
