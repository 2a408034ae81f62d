#pragma once
// What the live checks read from sysfs/procfs beyond hwloc: PCIe link speed and width, PCI
// configuration space (ACS and ATS extended capabilities), RDMA devices and ports (Soft-RoCE
// included, which has no PCI device of its own), NUMA node, peer-memory support. Every reader
// takes the roots as parameters so tests use fake trees.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fabricperf/host_info.hpp"
#include "fabricperf/topology/model.hpp"

namespace fabricperf::topology {

// ---- PCIe link -------------------------------------------------------------------------------
struct PcieLink {
  double current_gts = 0;  // GT/s; 0 when unknown
  double max_gts = 0;
  int current_width = 0;   // lanes; 0 when unknown
  int max_width = 0;
};
// "16.0 GT/s PCIe" / "8 GT/s" / "2.5 GT/s" -> GT/s; 0 for "Unknown" or unparsable.
[[nodiscard]] double parse_link_speed_gts(const std::string& text);
// /sys/bus/pci/devices/<pci>/{current,max}_link_{speed,width}; nullopt when the device is absent.
[[nodiscard]] std::optional<PcieLink> read_pcie_link(const std::string& sys_root, const PciAddress& pci);
// /sys/bus/pci/devices/<pci>/numa_node; -1 when absent or unknown.
[[nodiscard]] int read_pci_numa_node(const std::string& sys_root, const PciAddress& pci);

// ---- configuration space -----------------------------------------------------------------------
// The bytes of /sys/bus/pci/devices/<pci>/config (unprivileged readers get only the first 64;
// the extended space beyond 256 needs root). nullopt when it cannot be opened.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> read_config_space(const std::string& sys_root,
                                                                        const PciAddress& pci);
[[nodiscard]] constexpr bool has_extended_config(std::span<const std::uint8_t> config) noexcept {
  return config.size() > 256;
}

inline constexpr std::uint16_t kExtCapAcs = 0x000d;
inline constexpr std::uint16_t kExtCapAts = 0x000f;

struct ExtendedCapability {
  std::uint16_t id = 0;
  std::uint8_t version = 0;
  std::uint16_t offset = 0;
};
// Walks the extended capability list from 0x100 (stops at loops and out-of-range pointers).
[[nodiscard]] std::vector<ExtendedCapability> extended_capabilities(std::span<const std::uint8_t> config);

struct AcsState {
  std::uint16_t capability = 0;  // ACS Capability register
  std::uint16_t control = 0;     // ACS Control register
  [[nodiscard]] bool source_validation() const noexcept { return control & 0x0001; }
  [[nodiscard]] bool request_redirect() const noexcept { return control & 0x0004; }
  [[nodiscard]] bool completion_redirect() const noexcept { return control & 0x0008; }
  [[nodiscard]] bool upstream_forwarding() const noexcept { return control & 0x0010; }
  [[nodiscard]] bool egress_control() const noexcept { return control & 0x0020; }
  [[nodiscard]] bool direct_translated() const noexcept { return control & 0x0040; }
  // Peer-to-peer requests or completions are sent up to the root complex.
  [[nodiscard]] bool redirects_peer_traffic() const noexcept { return request_redirect() || completion_redirect(); }
};
[[nodiscard]] std::optional<AcsState> parse_acs(std::span<const std::uint8_t> config);

struct AtsState {
  std::uint16_t capability = 0;  // ATS Capability register
  std::uint16_t control = 0;     // ATS Control register
  [[nodiscard]] bool enabled() const noexcept { return control & 0x8000; }
};
[[nodiscard]] std::optional<AtsState> parse_ats(std::span<const std::uint8_t> config);

// ---- RDMA devices ----------------------------------------------------------------------------
struct RdmaDevice {
  std::string name;
  std::optional<PciAddress> pci;   // the device's own PCI function (absent for rxe/siw)
  std::optional<PciAddress> netdev_pci;  // PCI device under the first netdev (rxe's carrier)
  std::vector<std::string> netdevs;
  std::vector<NicPort> ports;
  std::string node_type;
};
// /sys/class/infiniband/*: ports, netdevs (from the PCI device, else from the ports' GID table).
[[nodiscard]] std::vector<RdmaDevice> read_rdma_devices(const std::string& sys_root);

// ---- peer memory -----------------------------------------------------------------------------
struct PeerMemoryStatus {
  bool nvidia_peermem = false;   // /sys/module/nvidia_peermem
  bool nv_peer_mem = false;      // the legacy Mellanox module
  std::string nvidia_driver;     // /sys/module/nvidia/version ("" when the driver is not loaded)
  bool open_kernel_module = false;  // /proc/driver/nvidia/version says "Open Kernel Module"
  std::string kernel;            // /proc/sys/kernel/osrelease
  std::optional<bool> kernel_dmabuf;  // CONFIG_DMA_SHARED_BUFFER from /boot/config-<kernel> (nullopt: unknown)
  std::string rdma_core;         // rdma-core this build links against

  // GPU memory can be exported as dma-buf and registered with ibv_reg_dmabuf_mr: Linux >= 5.12
  // with dma-buf, NVIDIA open kernel modules >= 515, rdma-core >= 34.
  [[nodiscard]] bool dmabuf_possible() const;
  // Why dma-buf is not possible ("" when it is).
  [[nodiscard]] std::string dmabuf_missing() const;
};
[[nodiscard]] PeerMemoryStatus read_peer_memory_status(const SystemRoots& roots, const std::string& boot_dir = "/boot");

// "5.15.0-91-generic" -> {5, 15}; "535.104.05" -> {535, 104}; {0, 0} when unparsable.
[[nodiscard]] std::pair<int, int> parse_major_minor(const std::string& version);

}  // namespace fabricperf::topology
