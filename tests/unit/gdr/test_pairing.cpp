// GPU -> NIC selection on a made-up topology (the topology library's model and pairing), with
// CUDA ordinals deliberately not in PCI bus order.
#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/gdr/pairing.hpp"
#include "fabricperf/topology/pci.hpp"

using namespace fabricperf;
using namespace fabricperf::gdr;
namespace topo = fabricperf::topology;

namespace {

topo::PciAddress pci(const char* text) {
  return *topo::PciAddress::parse(text);
}

// NUMA 0 / host bridge:
//   switch 15:00.0 -> GPU 17:00.0 + mlx5_0 18:00.0      (PIX pair)
//   switch 25:00.0 -> GPU 27:00.0 + mlx5_1 28:00.0      (PIX pair)
//   root port 30:00.0 -> GPU 31:00.0                    (no NIC of its own: PHB to both)
topo::Topology make_topology() {
  topo::Topology t;
  topo::Node numa;
  numa.kind = topo::NodeKind::numa;
  numa.numa_ids = {0};
  const int n0 = t.add_node(numa, 0);
  topo::Node hb;
  hb.kind = topo::NodeKind::host_bridge;
  const int bridge = t.add_node(hb, n0);
  auto add = [&](topo::NodeKind kind, const char* address, int parent, std::uint16_t cls = 0,
                 std::uint16_t vendor = 0) {
    topo::Node n;
    n.kind = kind;
    n.pci = pci(address);
    n.class_id = cls;
    n.vendor_id = vendor;
    return t.add_node(n, parent);
  };
  auto add_gpu = [&](const char* address, int parent) {
    const int node = add(topo::NodeKind::device, address, parent, 0x0302, topo::kVendorNvidia);
    topo::Gpu g;
    g.node = node;
    g.pci = pci(address);
    g.model = "H100";
    t.gpus.push_back(g);
  };
  auto add_nic = [&](const char* address, int parent, const char* name) {
    const int node = add(topo::NodeKind::device, address, parent, 0x0207, topo::kVendorMellanox);
    topo::Nic n;
    n.node = node;
    n.pci = pci(address);
    n.id = name;
    n.rdma_device = name;
    t.nics.push_back(n);
  };
  for (const auto& [sw, gpu_port, gpu, nic_port, nic, name] :
       {std::tuple{"0000:15:00.0", "0000:16:00.0", "0000:17:00.0", "0000:16:01.0", "0000:18:00.0", "mlx5_0"},
        std::tuple{"0000:25:00.0", "0000:26:00.0", "0000:27:00.0", "0000:26:01.0", "0000:28:00.0", "mlx5_1"}}) {
    const int s = add(topo::NodeKind::pci_switch, sw, bridge);
    add_gpu(gpu, add(topo::NodeKind::port, gpu_port, s));
    add_nic(nic, add(topo::NodeKind::port, nic_port, s), name);
  }
  add_gpu("0000:31:00.0", add(topo::NodeKind::port, "0000:30:00.0", bridge));
  t.numa_node_count = 1;
  t.finalize();
  return t;
}

// CUDA's order differs from bus order: ordinal 0 is the GPU at 27:00.0.
std::vector<GpuIdentity> cuda_gpus() {
  return {{0, "NVIDIA H100 80GB HBM3", "0000:27:00.0"},
          {1, "NVIDIA H100 80GB HBM3", "0000:17:00.0"},
          {2, "NVIDIA H100 80GB HBM3", "0000:31:00.0"}};
}

struct Fixture {
  topo::Topology t = make_topology();
  topo::Pairing p = topo::pair_gpus_with_nics(t);
};

}  // namespace

TEST(Pairing, DefaultGpuZeroGetsItsOwnNicByPciAddressNotBusOrder) {
  Fixture f;
  const auto pairs = select_pairs(cuda_gpus(), f.t, f.p, PairRequest{});
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(pairs[0].gpu.ordinal, 0);
  EXPECT_EQ(pairs[0].nic, "mlx5_1");
  EXPECT_EQ(pairs[0].path_name(), "PIX");
  EXPECT_TRUE(pairs[0].dedicated);
  EXPECT_FALSE(pairs[0].overridden);
  const Check c = pair_path_check(pairs[0]);
  EXPECT_EQ(c.name, "gpu_nic_path");
  EXPECT_EQ(c.status, CheckStatus::pass);
  EXPECT_EQ(c.labels["gpu"], 0);
  EXPECT_EQ(c.labels["device"], "mlx5_1");
}

TEST(Pairing, AllGpusRunEveryPairAndWarnForTheOneWithoutADedicatedNic) {
  Fixture f;
  PairRequest r;
  r.all_gpus = true;
  const auto pairs = select_pairs(cuda_gpus(), f.t, f.p, r);
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0].nic, "mlx5_1");
  EXPECT_EQ(pairs[1].nic, "mlx5_0");
  EXPECT_EQ(pairs[1].path_name(), "PIX");
  EXPECT_EQ(pairs[2].path_name(), "PHB");
  EXPECT_FALSE(pairs[2].dedicated);
  EXPECT_FALSE(pairs[2].shared_with.empty()) << "GPU 2 shares a card with the GPU that owns it";
  const Check c = pair_path_check(pairs[2]);
  EXPECT_EQ(c.status, CheckStatus::warn);
  EXPECT_EQ(c.measured, "PHB");
  EXPECT_NE(c.detail.find("GPU 2 (0000:31:00.0) -> "), std::string::npos) << c.detail;
  EXPECT_NE(c.detail.find("shared with GPU"), std::string::npos) << c.detail;
  EXPECT_NE(c.detail.find("the CPU"), std::string::npos) << c.detail;
}

TEST(Pairing, DashDOverridesAndTheCheckWarnsWhenTheChosenNicIsFar) {
  Fixture f;
  PairRequest r;
  r.gpu = 1;
  r.devices = {"mlx5_1"};  // GPU 1 sits next to mlx5_0
  const auto pairs = select_pairs(cuda_gpus(), f.t, f.p, r);
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(pairs[0].nic, "mlx5_1");
  EXPECT_TRUE(pairs[0].overridden);
  EXPECT_EQ(pairs[0].path_name(), "PHB");
  EXPECT_FALSE(pairs[0].dedicated);
  EXPECT_EQ(pair_path_check(pairs[0]).status, CheckStatus::warn);
  EXPECT_EQ(pairs[0].to_json()["nic_from"], "-d");
}

TEST(Pairing, DashDWithANicTheTopologyDoesNotKnowHasUnknownPath) {
  Fixture f;
  PairRequest r;
  r.devices = {"rxe0"};
  const auto pairs = select_pairs(cuda_gpus(), f.t, f.p, r);
  EXPECT_EQ(pairs[0].path_name(), "unknown");
  const Check c = pair_path_check(pairs[0]);
  EXPECT_EQ(c.status, CheckStatus::warn);
  EXPECT_NE(c.detail.find("unknown"), std::string::npos);
}

TEST(Pairing, DashDListPerGpu) {
  Fixture f;
  PairRequest r;
  r.all_gpus = true;
  r.devices = {"mlx5_1", "mlx5_0", "mlx5_0"};
  const auto pairs = select_pairs(cuda_gpus(), f.t, f.p, r);
  EXPECT_EQ(pairs[0].nic, "mlx5_1");
  EXPECT_EQ(pairs[0].path_name(), "PIX");
  EXPECT_EQ(pairs[2].nic, "mlx5_0");
  EXPECT_EQ(pairs[1].shared_with, std::vector<int>{2});
  r.devices = {"mlx5_1", "mlx5_0"};
  EXPECT_THROW((void)select_pairs(cuda_gpus(), f.t, f.p, r), UsageError);
}

TEST(Pairing, Errors) {
  Fixture f;
  PairRequest r;
  r.gpu = 3;
  try {
    (void)select_pairs(cuda_gpus(), f.t, f.p, r);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--gpu 3: this host has 3 CUDA devices (0-2)"), std::string::npos) << e.what();
  }
  // A GPU hwloc did not see: the NIC must come from -d.
  std::vector<GpuIdentity> gpus{{0, "X", "0000:99:00.0"}};
  try {
    (void)select_pairs(gpus, f.t, f.p, PairRequest{});
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("GPU 0 (0000:99:00.0) is not in this host's PCI topology"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("-d"), std::string::npos);
  }
  PairRequest d;
  d.devices = {"mlx5_0"};
  EXPECT_EQ(select_pairs(gpus, f.t, f.p, d)[0].nic, "mlx5_0");
  EXPECT_THROW((void)select_pairs({}, f.t, f.p, PairRequest{}), UsageError);
}

TEST(Pairing, NoNicAnywhere) {
  topo::Topology t;
  topo::Gpu g;
  g.pci = pci("0000:17:00.0");
  t.gpus.push_back(g);
  t.finalize();
  const auto p = topo::pair_gpus_with_nics(t);
  try {
    (void)select_pairs({{0, "X", "0000:17:00.0"}}, t, p, PairRequest{});
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("has no RDMA NIC"), std::string::npos) << e.what();
  }
}

TEST(Pairing, JsonShape) {
  Fixture f;
  const auto j = select_pairs(cuda_gpus(), f.t, f.p, PairRequest{})[0].to_json();
  EXPECT_EQ(j["gpu"], 0);
  EXPECT_EQ(j["gpu_name"], "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(j["gpu_pci"], "0000:27:00.0");
  EXPECT_EQ(j["device"], "mlx5_1");
  EXPECT_EQ(j["path"], "PIX");
  EXPECT_EQ(j["dedicated"], true);
  EXPECT_EQ(j["nic_from"], "topology");
}
