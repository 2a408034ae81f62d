#pragma once
// The one topology model every reader (hwloc live, hwloc XML, NCCL XML) fills and every later
// stage (path classification, pairing, checks, reports) reads: a tree of machine -> NUMA
// locality -> host bridge -> PCIe switches/ports -> devices, plus the GPUs and RDMA NICs found
// in it. Plain data; no hwloc types leak out of it.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "fabricperf/topology/pci.hpp"

namespace fabricperf::topology {

enum class NodeKind {
  machine,      // the root
  numa,         // a locality: one NUMA node, or a set of them (e.g. a package)
  host_bridge,  // a PCI root complex / host bridge
  pci_switch,   // a PCIe switch (upstream port with its internal bus), or a collapsed NCCL switch
  port,         // a root port or a switch downstream port: a link, not a hop of its own
  device,       // a PCI function
};

[[nodiscard]] const char* to_string(NodeKind kind) noexcept;

struct Node {
  NodeKind kind = NodeKind::device;
  int parent = -1;
  std::vector<int> children;
  std::vector<int> numa_ids;      // numa/machine: the NUMA nodes this locality covers
  std::optional<PciAddress> pci;  // switch (upstream port), port, device
  std::uint16_t class_id = 0;     // devices and bridges, when known
  std::uint16_t vendor_id = 0;
  std::uint16_t device_id = 0;
  std::string label;  // e.g. "HostBridge 0000:[44-54]"
};

struct NicPort {
  int port = 1;
  std::string state;       // "ACTIVE", "DOWN", ... ("" unknown)
  std::string link_layer;  // "InfiniBand", "Ethernet" ("" unknown)
  std::string rate;        // "400 Gb/sec (4X NDR)" ("" unknown)
  double rate_gbps = 0;
};

struct Gpu {
  int index = 0;  // position in Topology::gpus (PCI bus order, as nvidia-smi numbers them)
  int node = -1;  // device node in Topology::nodes
  PciAddress pci;
  std::string model;
  int numa = -1;  // -1: unknown
};

struct Nic {
  int index = 0;                  // position in Topology::nics
  int node = -1;                  // device node; -1 when the NIC has no place in the PCI tree
  std::optional<PciAddress> pci;  // the PCI function (for Soft-RoCE: the netdev's PCI device)
  std::string id;                 // OS device name when known (mlx5_0, rdmap79s0), else the PCI address
  std::string rdma_device;        // OpenFabrics device name ("" when the input does not say)
  std::vector<std::string> netdevs;
  std::vector<NicPort> ports;
  std::string card;  // physical card: the PCI slot (functions/ports of one card share it)
  std::string kind;  // "mlx5", "efa", "rxe", "siw", "ib" or "other"
  std::string model;
  bool software = false;  // Soft-RoCE/siw: no GPUDirect possible
  int numa = -1;
};

enum class SourceKind { live, hwloc_xml, nccl_topo };
[[nodiscard]] const char* to_string(SourceKind kind) noexcept;

// Most GPUs and RDMA NICs one topology may hold (real hosts: 8-16 GPUs, up to ~32 NICs); pairing
// and the path matrix grow with their product.
inline constexpr std::size_t kMaxGpus = 256;
inline constexpr std::size_t kMaxNics = 512;

struct Topology {
  SourceKind source = SourceKind::live;
  std::string input;        // file path, or "" for the live machine
  std::string host;         // host name (live), the file's HostName, or the file's stem
  std::vector<Node> nodes;  // nodes[0] is the machine
  std::vector<Gpu> gpus;
  std::vector<Nic> nics;
  std::vector<std::string> warnings;  // things the reader could not vouch for
  int numa_node_count = 0;

  Topology();

  // Adds a node under `parent` (-1 only for the machine); returns its index.
  int add_node(Node node, int parent);
  // Lowest common ancestor of two nodes.
  [[nodiscard]] int common_ancestor(int a, int b) const;
  // The single NUMA node of the locality above `node`, or -1 when unknown or several.
  [[nodiscard]] int numa_of(int node) const;
  // Sorts GPUs and NICs (PCI bus order; NICs without PCI last, by name), numbers them, fills
  // numa (where the reader left -1), card, kind. Readers call it last. Throws UsageError naming
  // the input for more than kMaxGpus GPUs or kMaxNics NICs.
  void finalize();

  [[nodiscard]] const Nic* find_nic(const std::string& id) const;
};

// "mlx5", "efa", "rxe", "siw", "ib" (other ib*/udev-renamed names) or "other", from the RDMA device
// name and, when given, the PCI vendor/device.
[[nodiscard]] std::string nic_kind(const std::string& rdma_device, std::uint16_t vendor, std::uint16_t device);

}  // namespace fabricperf::topology
