// Path classification and pairing on models built by hand (no reader involved).
#include <gtest/gtest.h>

#include "fabricperf/topology/pairing.hpp"
#include "fabricperf/topology/path.hpp"

namespace fabricperf::topology {
namespace {

// Builds a model: machine -> numa -> host bridge -> switch -> devices.
struct ModelBuilder {
  Topology t;
  int add(NodeKind kind, int parent, const std::string& pci = "") {
    Node n;
    n.kind = kind;
    if (!pci.empty()) n.pci = PciAddress::parse(pci);
    if (kind == NodeKind::numa) n.numa_ids = {static_cast<int>(t.numa_node_count++)};
    return t.add_node(n, parent);
  }
  int numa() { return add(NodeKind::numa, 0); }
  int host_bridge(int parent) { return add(NodeKind::host_bridge, parent); }
  int pci_switch(int parent, const std::string& pci) { return add(NodeKind::pci_switch, parent, pci); }
  void gpu(int parent, const std::string& pci) {
    Gpu g;
    g.node = add(NodeKind::device, parent, pci);
    g.pci = *PciAddress::parse(pci);
    t.gpus.push_back(g);
  }
  void nic(int parent, const std::string& pci, const std::string& name, bool software = false) {
    Nic n;
    n.node = add(NodeKind::device, parent, pci);
    n.pci = PciAddress::parse(pci);
    n.rdma_device = name;
    n.software = software;
    if (software) n.kind = "rxe";
    t.nics.push_back(n);
  }
  Topology done() {
    t.finalize();
    return t;
  }
};

TEST(Pairing, NoGpuNoNicIsEmpty) {
  ModelBuilder b;
  const Topology t = b.done();
  const Pairing p = pair_gpus_with_nics(t);
  EXPECT_TRUE(p.gpus.empty());
  EXPECT_TRUE(p.cards.empty());
  EXPECT_TRUE(p.one_to_one());  // vacuously
}

TEST(Pairing, GpusWithoutAnyNic) {
  ModelBuilder b;
  const int sw = b.pci_switch(b.host_bridge(b.numa()), "0000:01:00.0");
  b.gpu(sw, "0000:02:00.0");
  const Topology t = b.done();
  const Pairing p = pair_gpus_with_nics(t);
  EXPECT_FALSE(p.gpus[0].nearest_path);
  EXPECT_FALSE(p.gpus[0].nic);
  EXPECT_FALSE(p.one_to_one());
}

TEST(Pairing, DistantGpuStillGetsAFreeCardOfItsOwn) {
  // GPU0 has two NICs under its switch; GPU1 sits on another switch with none: its nearest
  // NICs are GPU0's (PHB). The matching leaves one to each, and GPU1's is reported as PHB.
  ModelBuilder b;
  const int hb = b.host_bridge(b.numa());
  const int sw1 = b.pci_switch(hb, "0000:01:00.0");
  const int sw2 = b.pci_switch(hb, "0000:10:00.0");
  b.gpu(sw1, "0000:02:00.0");
  b.nic(sw1, "0000:03:00.0", "mlx5_0");
  b.nic(sw1, "0000:04:00.0", "mlx5_1");
  b.gpu(sw2, "0000:11:00.0");
  const Topology t0 = b.done();
  const Pairing p0 = pair_gpus_with_nics(t0);
  EXPECT_EQ(*p0.gpus[0].nearest_path, PathClass::pix);
  EXPECT_EQ(*p0.gpus[1].nearest_path, PathClass::phb);
  EXPECT_TRUE(p0.gpus[0].dedicated());
  EXPECT_TRUE(p0.gpus[1].dedicated());
  EXPECT_EQ(*p0.gpus[1].nic_path, PathClass::phb);
  EXPECT_EQ(p0.gpus[0].dedicated_cards.size() + p0.gpus[1].dedicated_cards.size(), 2u);
  EXPECT_FALSE(p0.one_to_one());  // GPU1 is PHB
}

TEST(Pairing, LeftoverNearestCardsGoToTheGpuHoldingFewest) {
  ModelBuilder b;
  const int sw = b.pci_switch(b.host_bridge(b.numa()), "0000:01:00.0");
  b.gpu(sw, "0000:02:00.0");
  b.gpu(sw, "0000:03:00.0");
  b.nic(sw, "0000:04:00.0", "mlx5_0");
  b.nic(sw, "0000:05:00.0", "mlx5_1");
  b.nic(sw, "0000:06:00.0", "mlx5_2");
  const Topology t = b.done();
  const Pairing p = pair_gpus_with_nics(t);
  EXPECT_EQ(p.gpus[0].dedicated_nics, (std::vector<int>{0, 2}));
  EXPECT_EQ(p.gpus[1].dedicated_nics, (std::vector<int>{1}));
  EXPECT_TRUE(p.one_to_one());
}

TEST(Pairing, SoftwareRdmaNeverCarriesGpuDirect) {
  ModelBuilder b;
  const int sw = b.pci_switch(b.host_bridge(b.numa()), "0000:01:00.0");
  b.gpu(sw, "0000:02:00.0");
  b.nic(sw, "0000:03:00.0", "rxe0", /*software=*/true);
  const Topology t = b.done();
  const Pairing p = pair_gpus_with_nics(t);
  EXPECT_TRUE(p.cards.empty());
  EXPECT_EQ(p.card_of_nic, std::vector<int>{-1});
  EXPECT_FALSE(p.gpus[0].nic);
  EXPECT_EQ(p.matrix[0][0], PathClass::pix);  // the matrix still shows where it sits
}

TEST(Pairing, SharingIsSpreadOverTheLeastUsedNearestCard) {
  // Three GPUs, two NICs, all under one switch: the third GPU shares, with one owner only.
  ModelBuilder b;
  const int sw = b.pci_switch(b.host_bridge(b.numa()), "0000:01:00.0");
  b.gpu(sw, "0000:02:00.0");
  b.gpu(sw, "0000:03:00.0");
  b.gpu(sw, "0000:04:00.0");
  b.nic(sw, "0000:05:00.0", "mlx5_0");
  b.nic(sw, "0000:06:00.0", "mlx5_1");
  const Topology t = b.done();
  const Pairing p = pair_gpus_with_nics(t);
  EXPECT_TRUE(p.gpus[0].dedicated());
  EXPECT_TRUE(p.gpus[1].dedicated());
  EXPECT_FALSE(p.gpus[2].dedicated());
  EXPECT_EQ(p.gpus[2].shared_with.size(), 1u);
  EXPECT_FALSE(p.one_to_one());
}

TEST(PathClass, NumaLocalitiesAndSingleNumaMachines) {
  ModelBuilder b;
  const int n0 = b.numa();
  const int n1 = b.numa();
  b.gpu(b.host_bridge(n0), "0000:01:00.0");
  b.nic(b.host_bridge(n0), "0000:20:00.0", "mlx5_0");
  b.nic(b.host_bridge(n1), "0000:80:00.0", "mlx5_1");
  Topology t = b.done();
  EXPECT_EQ(classify(t, t.gpus[0], t.nics[0]), PathClass::node);
  EXPECT_EQ(classify(t, t.gpus[0], t.nics[1]), PathClass::sys);
  // Host bridges hung on the machine itself: different bridges of a one-NUMA machine are NODE.
  ModelBuilder single;
  single.gpu(single.host_bridge(0), "0000:01:00.0");
  single.nic(single.host_bridge(0), "0000:20:00.0", "mlx5_0");
  single.t.numa_node_count = 1;
  const Topology s = single.done();
  EXPECT_EQ(classify(s, s.gpus[0], s.nics[0]), PathClass::node);
  // A NIC without a place in the tree is as far as it gets.
  Nic loose;
  loose.node = -1;
  EXPECT_EQ(classify(s, s.gpus[0], loose), PathClass::sys);
  EXPECT_EQ(to_string(PathClass::pxb), "PXB");
  EXPECT_NE(describe(PathClass::node).find("Host Bridges"), std::string_view::npos);
}

}  // namespace
}  // namespace fabricperf::topology
