// sysfs/procfs parsing (link speed, config space ACS/ATS, RDMA devices, peer memory) and the
// live checks, on fake trees.
#include <gtest/gtest.h>

#include "fabricperf/topology/checks.hpp"
#include "fabricperf/topology/hwloc_reader.hpp"
#include "fabricperf/topology/pairing.hpp"
#include "fabricperf/topology/sysfs.hpp"
#include "fixtures.hpp"

namespace fabricperf::topology {
namespace {

using testing::CapSpec;
using testing::config_space;
using testing::FakeSystem;
using testing::handmade;

constexpr std::uint16_t kAcsRedirect = 0x0004 | 0x0008;  // request + completion redirect
constexpr std::uint16_t kAtsEnable = 0x8000;

TEST(Sysfs, LinkSpeedText) {
  EXPECT_DOUBLE_EQ(parse_link_speed_gts("16.0 GT/s PCIe"), 16.0);
  EXPECT_DOUBLE_EQ(parse_link_speed_gts("8 GT/s"), 8.0);
  EXPECT_DOUBLE_EQ(parse_link_speed_gts("2.5 GT/s PCIe"), 2.5);
  EXPECT_DOUBLE_EQ(parse_link_speed_gts("Unknown"), 0.0);
  EXPECT_DOUBLE_EQ(parse_link_speed_gts("Unknown speed"), 0.0);
  EXPECT_DOUBLE_EQ(parse_link_speed_gts("16"), 0.0);
  EXPECT_DOUBLE_EQ(parse_link_speed_gts(""), 0.0);
}

TEST(Sysfs, ReadsLinkAndNumaNode) {
  FakeSystem fs;
  fs.pci_link("0000:03:00.0", "2.5 GT/s PCIe", "32.0 GT/s PCIe", 16, 16);
  fs.write("sys/bus/pci/devices/0000:03:00.0/numa_node", "1\n");
  const auto link = read_pcie_link(fs.roots().sys, *PciAddress::parse("0000:03:00.0"));
  ASSERT_TRUE(link);
  EXPECT_DOUBLE_EQ(link->current_gts, 2.5);
  EXPECT_DOUBLE_EQ(link->max_gts, 32.0);
  EXPECT_EQ(link->current_width, 16);
  EXPECT_EQ(read_pci_numa_node(fs.roots().sys, *PciAddress::parse("0000:03:00.0")), 1);
  EXPECT_EQ(read_pci_numa_node(fs.roots().sys, *PciAddress::parse("0000:99:00.0")), -1);
  EXPECT_FALSE(read_pcie_link(fs.roots().sys, *PciAddress::parse("0000:99:00.0")));
}

TEST(Sysfs, ExtendedCapabilitiesAcsAndAts) {
  const auto config = config_space({{0x0001, 0, 0}, {kExtCapAcs, 0x007f, kAcsRedirect}, {kExtCapAts, 0x0020, kAtsEnable}});
  const auto caps = extended_capabilities(config);
  ASSERT_EQ(caps.size(), 3u);
  EXPECT_EQ(caps[1].id, kExtCapAcs);
  EXPECT_EQ(caps[1].offset, 0x140);
  const auto acs = parse_acs(config);
  ASSERT_TRUE(acs);
  EXPECT_TRUE(acs->request_redirect());
  EXPECT_TRUE(acs->completion_redirect());
  EXPECT_TRUE(acs->redirects_peer_traffic());
  EXPECT_FALSE(acs->direct_translated());
  EXPECT_EQ(acs->capability, 0x007f);
  const auto ats = parse_ats(config);
  ASSERT_TRUE(ats);
  EXPECT_TRUE(ats->enabled());
  // ACS with only source validation: peer traffic not redirected.
  EXPECT_FALSE(parse_acs(config_space({{kExtCapAcs, 0x007f, 0x0001}}))->redirects_peer_traffic());
  EXPECT_FALSE(parse_ats(config_space({{kExtCapAts, 0x0020, 0}}))->enabled());
}

TEST(Sysfs, UnprivilegedOrBrokenConfigSpace) {
  // Non-root readers see 64 bytes: no extended space at all.
  std::vector<std::uint8_t> short_config(64, 0);
  EXPECT_FALSE(has_extended_config(short_config));
  EXPECT_TRUE(extended_capabilities(short_config).empty());
  EXPECT_FALSE(parse_acs(short_config));
  // A capability pointing at itself ends the walk instead of looping.
  auto looping = config_space({{kExtCapAcs, 0, 0}});
  looping[0x102] = 0x01;  // next = 0x100 (bits 20..31 of the header)
  looping[0x103] = 0x10;
  EXPECT_EQ(extended_capabilities(looping).size(), 1u);
  // Missing capability, and a truncated space that ends inside the header.
  EXPECT_FALSE(parse_ats(config_space({{kExtCapAcs, 0, 0}})));
  EXPECT_TRUE(extended_capabilities(std::vector<std::uint8_t>(258, 0)).empty());
}

void add_mlx5(const FakeSystem& fs, const std::string& name, const std::string& pci, const std::string& netdev,
              const std::string& state) {
  fs.mkdir("sys/devices/pci0000:00/" + pci + "/net/" + netdev);
  fs.symlink(fs.path("sys/devices/pci0000:00/" + pci).string(), "sys/class/infiniband/" + name + "/device");
  fs.write("sys/class/infiniband/" + name + "/node_type", "1: CA\n");
  fs.write("sys/class/infiniband/" + name + "/ports/1/state", state + "\n");
  fs.write("sys/class/infiniband/" + name + "/ports/1/link_layer", "InfiniBand\n");
  fs.write("sys/class/infiniband/" + name + "/ports/1/rate", "400 Gb/sec (4X NDR)\n");
}

void add_rxe(const FakeSystem& fs) {
  fs.mkdir("sys/devices/pci0000:00/0000:00:06.0/virtio0/net/eth0");
  fs.symlink(fs.path("sys/devices/pci0000:00/0000:00:06.0/virtio0").string(), "sys/class/net/eth0/device");
  fs.write("sys/class/infiniband/rxe0/node_type", "1: CA\n");
  fs.write("sys/class/infiniband/rxe0/ports/1/state", "4: ACTIVE\n");
  fs.write("sys/class/infiniband/rxe0/ports/1/link_layer", "Ethernet\n");
  fs.write("sys/class/infiniband/rxe0/ports/1/rate", "10 Gb/sec (1X QDR)\n");
  fs.write("sys/class/infiniband/rxe0/ports/1/gid_attrs/ndevs/0", "eth0\n");
  fs.write("sys/class/infiniband/rxe0/ports/1/gid_attrs/ndevs/1", "eth0\n");
}

TEST(Sysfs, RdmaDevicesHardwareAndSoftRoce) {
  FakeSystem fs;
  add_mlx5(fs, "mlx5_0", "0000:04:00.0", "ibp4s0", "4: ACTIVE");
  add_rxe(fs);
  const auto devices = read_rdma_devices(fs.roots().sys);
  ASSERT_EQ(devices.size(), 2u);
  EXPECT_EQ(devices[0].name, "mlx5_0");
  EXPECT_EQ(devices[0].pci->str(), "0000:04:00.0");
  EXPECT_EQ(devices[0].netdevs, std::vector<std::string>{"ibp4s0"});
  ASSERT_EQ(devices[0].ports.size(), 1u);
  EXPECT_EQ(devices[0].ports[0].state, "ACTIVE");
  EXPECT_DOUBLE_EQ(devices[0].ports[0].rate_gbps, 400.0);
  EXPECT_EQ(devices[1].name, "rxe0");
  EXPECT_FALSE(devices[1].pci);
  EXPECT_EQ(devices[1].netdevs, std::vector<std::string>{"eth0"});
  ASSERT_TRUE(devices[1].netdev_pci);
  EXPECT_EQ(devices[1].netdev_pci->str(), "0000:00:06.0");
}

TEST(Sysfs, AugmentAddsSoftRoceAndPortsToAHwlocTopology) {
  FakeSystem fs;
  add_mlx5(fs, "mlx5_0", "0000:04:00.0", "ibp4s0", "1: DOWN");
  add_rxe(fs);
  Topology t = load_hwloc_xml(handmade("vm-hidden-switches-phb.hwloc.xml"));
  augment_from_sysfs(t, fs.roots());
  ASSERT_EQ(t.nics.size(), 2u);
  const Nic* rxe = t.find_nic("rxe0");
  ASSERT_NE(rxe, nullptr);
  EXPECT_TRUE(rxe->software);
  EXPECT_EQ(rxe->kind, "rxe");
  EXPECT_EQ(rxe->netdevs, std::vector<std::string>{"eth0"});
  EXPECT_EQ(rxe->pci->str(), "0000:00:06.0");
  const Nic* mlx = t.find_nic("mlx5_0");
  ASSERT_NE(mlx, nullptr);
  EXPECT_EQ(mlx->ports.at(0).state, "DOWN");
  EXPECT_EQ(mlx->ports.at(0).link_layer, "InfiniBand");
  EXPECT_EQ(pair_gpus_with_nics(t).cards.size(), 1u);  // rxe0 is not a GPUDirect candidate
}

TEST(Sysfs, PeerMemoryStatus) {
  FakeSystem fs;
  fs.write("proc/sys/kernel/osrelease", "6.1.0-13-amd64\n");
  fs.write("sys/module/nvidia/version", "550.54.15\n");
  fs.write("proc/driver/nvidia/version",
           "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.54.15  Release Build\n");
  fs.write("boot/config-6.1.0-13-amd64", "CONFIG_DMA_SHARED_BUFFER=y\n");
  PeerMemoryStatus s = read_peer_memory_status(fs.roots(), fs.boot());
  EXPECT_FALSE(s.nvidia_peermem);
  EXPECT_TRUE(s.open_kernel_module);
  EXPECT_EQ(s.kernel_dmabuf, std::optional<bool>(true));
  s.rdma_core = "44.0";
  EXPECT_TRUE(s.dmabuf_possible()) << s.dmabuf_missing();
  s.kernel = "5.4.0-150-generic";
  EXPECT_NE(s.dmabuf_missing().find("< 5.12"), std::string::npos);
  s.kernel = "6.1.0";
  s.open_kernel_module = false;
  EXPECT_NE(s.dmabuf_missing().find("open kernel modules"), std::string::npos);
  s.nvidia_driver.clear();
  EXPECT_NE(s.dmabuf_missing().find("not loaded"), std::string::npos);
  EXPECT_EQ(parse_major_minor("535.104.05"), std::make_pair(535, 104));
  EXPECT_EQ(parse_major_minor("6.8.0-1015-aws"), std::make_pair(6, 8));
  EXPECT_EQ(parse_major_minor("garbage"), std::make_pair(0, 0));
}

// ---- the live checks on the PIX fixture (GPU 03:00.0 -- port 02:00.0 -- switch 01:00.0 --
//      port 02:01.0 -- NIC 04:00.0), with sysfs faked ------------------------------------------

class LiveChecks : public ::testing::Test {
 protected:
  LiveChecks() : topo(load_hwloc_xml(handmade("pix.hwloc.xml"))), pairing(pair_gpus_with_nics(topo)) {
    options.live = true;
    options.roots = fs.roots();
    options.boot_dir = fs.boot();
  }
  void acs(const std::string& pci, std::uint16_t control) const {
    fs.config(pci, config_space({{0x0001, 0, 0}, {kExtCapAcs, 0x007f, control}}));
  }
  void nic_config(std::uint16_t ats_control, bool with_ats = true) const {
    fs.config("0000:04:00.0", with_ats ? config_space({{0x0001, 0, 0}, {kExtCapAts, 0x0020, ats_control}})
                                       : config_space({{0x0001, 0, 0}}));
  }
  FakeSystem fs;
  Topology topo;
  Pairing pairing;
  CheckOptions options;
};

TEST_F(LiveChecks, PcieLinkFullIdleGpuAndDegradedNic) {
  EXPECT_EQ(check_pcie_link(topo, options).status, CheckStatus::skip);  // nothing in sysfs
  fs.pci_link("0000:03:00.0", "32.0 GT/s PCIe", "32.0 GT/s PCIe", 16, 16);
  fs.pci_link("0000:04:00.0", "32.0 GT/s PCIe", "32.0 GT/s PCIe", 16, 16);
  EXPECT_EQ(check_pcie_link(topo, options).status, CheckStatus::pass);
  fs.pci_link("0000:03:00.0", "2.5 GT/s PCIe", "32.0 GT/s PCIe", 16, 16);  // idle GPU
  Check c = check_pcie_link(topo, options);
  EXPECT_EQ(c.status, CheckStatus::warn);
  EXPECT_NE(c.detail.find("idle"), std::string::npos);
  fs.pci_link("0000:04:00.0", "16.0 GT/s PCIe", "32.0 GT/s PCIe", 16, 16);  // NIC trained down
  c = check_pcie_link(topo, options);
  EXPECT_EQ(c.status, CheckStatus::fail);
  EXPECT_NE(c.detail.find("mlx5_0 (0000:04:00.0) at 16 GT/s of 32 GT/s"), std::string::npos) << c.detail;
  fs.pci_link("0000:04:00.0", "32.0 GT/s PCIe", "32.0 GT/s PCIe", 8, 16);  // half the lanes
  c = check_pcie_link(topo, options);
  EXPECT_EQ(c.status, CheckStatus::fail);
  EXPECT_NE(c.detail.find("x8 of x16"), std::string::npos) << c.detail;
  EXPECT_EQ(c.measured.size(), 2u);
}

TEST_F(LiveChecks, AcsRedirectOnASwitchPortFails) {
  // No config readable: skip (needs root).
  Check c = check_acs_redirect(topo, pairing, options);
  EXPECT_EQ(c.status, CheckStatus::skip);
  EXPECT_NE(c.detail.find("root"), std::string::npos);
  // Unprivileged view: 64 bytes only.
  for (const char* pci : {"0000:02:00.0", "0000:01:00.0", "0000:02:01.0"}) fs.config(pci, std::vector<std::uint8_t>(64, 0));
  EXPECT_EQ(check_acs_redirect(topo, pairing, options).status, CheckStatus::skip);
  // Root view, ACS present but not redirecting.
  for (const char* pci : {"0000:02:00.0", "0000:01:00.0", "0000:02:01.0"}) acs(pci, 0x0001);
  c = check_acs_redirect(topo, pairing, options);
  EXPECT_EQ(c.status, CheckStatus::pass) << c.detail;
  EXPECT_EQ(c.measured.size(), 3u);
  // The GPU's downstream port redirects peer requests and completions.
  acs("0000:02:00.0", 0x0001 | kAcsRedirect);
  c = check_acs_redirect(topo, pairing, options);
  EXPECT_EQ(c.status, CheckStatus::fail);
  EXPECT_NE(c.detail.find("0000:02:00.0 ReqRedir+ CmpltRedir+"), std::string::npos) << c.detail;
  // One port unreadable, the rest fine: warn.
  acs("0000:02:00.0", 0);
  fs.config("0000:02:01.0", std::vector<std::uint8_t>(64, 0));
  EXPECT_EQ(check_acs_redirect(topo, pairing, options).status, CheckStatus::warn);
}

TEST_F(LiveChecks, NicAts) {
  EXPECT_EQ(check_nic_ats(topo, pairing, options).status, CheckStatus::skip);
  nic_config(kAtsEnable);
  EXPECT_EQ(check_nic_ats(topo, pairing, options).status, CheckStatus::pass);
  nic_config(0);
  Check c = check_nic_ats(topo, pairing, options);
  EXPECT_EQ(c.status, CheckStatus::warn);
  EXPECT_NE(c.detail.find("ATS capable but disabled"), std::string::npos);
  nic_config(0, /*with_ats=*/false);
  EXPECT_NE(check_nic_ats(topo, pairing, options).detail.find("no ATS capability"), std::string::npos);
  // ATS off while a port on the way redirects peer traffic: that is the VM failure.
  nic_config(0);
  acs("0000:02:01.0", kAcsRedirect);
  c = check_nic_ats(topo, pairing, options);
  EXPECT_EQ(c.status, CheckStatus::fail);
  EXPECT_NE(c.detail.find("ACS-redirecting"), std::string::npos) << c.detail;
}

TEST_F(LiveChecks, PeerMemory) {
  fs.write("proc/sys/kernel/osrelease", "5.4.0-150-generic\n");
  Check c = check_peer_memory(topo, options);
  EXPECT_EQ(c.status, CheckStatus::fail);
  EXPECT_NE(c.detail.find("NVIDIA driver not loaded"), std::string::npos) << c.detail;
  fs.mkdir("sys/module/nvidia_peermem");
  c = check_peer_memory(topo, options);
  EXPECT_EQ(c.status, CheckStatus::pass);
  EXPECT_EQ(c.detail, "nvidia_peermem loaded");
}

TEST_F(LiveChecks, PeerMemoryThroughDmaBuf) {
  fs.write("proc/sys/kernel/osrelease", "6.8.0-1015-aws\n");
  fs.write("sys/module/nvidia/version", "550.54.15\n");
  fs.write("proc/driver/nvidia/version", "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.54.15\n");
  const Check c = check_peer_memory(topo, options);
  EXPECT_EQ(c.status, CheckStatus::pass) << c.detail;
  EXPECT_NE(c.detail.find("dma-buf"), std::string::npos);
}

TEST_F(LiveChecks, IbPort) {
  // From the export: mlx5_0 port 1 ACTIVE.
  Check c = check_ib_port(topo, pairing, options);
  EXPECT_EQ(c.status, CheckStatus::pass) << c.detail;
  topo.nics[0].ports[0].state = "DOWN";
  c = check_ib_port(topo, pairing, options);
  EXPECT_EQ(c.status, CheckStatus::fail);
  EXPECT_NE(c.detail.find("mlx5_0 port 1 is DOWN"), std::string::npos);
  topo.nics[0].ports.clear();
  EXPECT_EQ(check_ib_port(topo, pairing, options).status, CheckStatus::skip);
}

TEST_F(LiveChecks, IbPortDownOnAnUnusedNicWarns) {
  Topology t = load_hwloc_xml(handmade("two-gpus-share-one-nic.hwloc.xml"));
  // mlx5_1 (port down) is on the same card both GPUs use: it counts as used.
  Pairing p = pair_gpus_with_nics(t);
  EXPECT_EQ(check_ib_port(t, p, options).status, CheckStatus::fail);
  // Make the second function a card of its own nobody uses.
  t.nics[1].card = "elsewhere";
  t.nics[1].node = -1;
  p = pair_gpus_with_nics(t);
  const Check c = check_ib_port(t, p, options);
  EXPECT_EQ(c.status, CheckStatus::warn) << c.detail;
  EXPECT_NE(c.detail.find("not used by any GPU"), std::string::npos);
}

TEST_F(LiveChecks, FileInputsSkipLiveChecks) {
  CheckOptions file;
  for (const Check& c : run_checks(topo, pairing, file)) {
    if (c.name == "gpu_nic_one_to_one" || c.name == "gpu_nic_numa") {
      EXPECT_EQ(c.status, CheckStatus::pass) << c.name;
    } else {
      EXPECT_EQ(c.status, CheckStatus::skip) << c.name;
      EXPECT_NE(c.detail.find("live-only"), std::string::npos);
    }
    EXPECT_EQ(c.labels["host"], "pix-box");
  }
}

TEST(NoGpu, CleanSkipsAndTheSoftRoceNicFound) {
  FakeSystem fs;
  add_rxe(fs);
  Topology t;  // a VM with nothing hwloc would call a GPU or NIC
  t.numa_node_count = 1;
  augment_from_sysfs(t, fs.roots());
  ASSERT_EQ(t.nics.size(), 1u);
  EXPECT_EQ(t.nics[0].id, "rxe0");
  EXPECT_EQ(t.nics[0].node, -1);  // its netdev's PCI device is not in this model
  const Pairing p = pair_gpus_with_nics(t);
  CheckOptions options;
  options.live = true;
  options.roots = fs.roots();
  for (const Check& c : run_checks(t, p, options)) {
    if (c.name == "ib_port") {
      EXPECT_EQ(c.status, CheckStatus::pass) << c.detail;
    } else {
      EXPECT_EQ(c.status, CheckStatus::skip) << c.name << ": " << c.detail;
    }
  }
}

}  // namespace
}  // namespace fabricperf::topology
