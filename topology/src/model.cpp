#include "fabricperf/topology/model.hpp"

#include <algorithm>

#include "fabricperf/error.hpp"

namespace fabricperf::topology {

const char* to_string(NodeKind kind) noexcept {
  switch (kind) {
    case NodeKind::machine:
      return "machine";
    case NodeKind::numa:
      return "numa";
    case NodeKind::host_bridge:
      return "host_bridge";
    case NodeKind::pci_switch:
      return "switch";
    case NodeKind::port:
      return "port";
    case NodeKind::device:
      return "device";
  }
  return "?";
}

const char* to_string(SourceKind kind) noexcept {
  switch (kind) {
    case SourceKind::live:
      return "live";
    case SourceKind::hwloc_xml:
      return "hwloc-xml";
    case SourceKind::nccl_topo:
      return "nccl-topo";
  }
  return "?";
}

Topology::Topology() {
  Node machine;
  machine.kind = NodeKind::machine;
  machine.label = "Machine";
  nodes.push_back(std::move(machine));
}

int Topology::add_node(Node node, int parent) {
  const int index = static_cast<int>(nodes.size());
  node.parent = parent;
  node.children.clear();
  nodes.push_back(std::move(node));
  if (parent >= 0) nodes[static_cast<std::size_t>(parent)].children.push_back(index);
  return index;
}

int Topology::common_ancestor(int a, int b) const {
  // Depths are small (a dozen levels): walk up from the deeper node.
  auto depth = [this](int n) {
    int d = 0;
    for (; nodes[static_cast<std::size_t>(n)].parent >= 0; n = nodes[static_cast<std::size_t>(n)].parent) ++d;
    return d;
  };
  int da = depth(a);
  int db = depth(b);
  while (da > db) {
    a = nodes[static_cast<std::size_t>(a)].parent;
    --da;
  }
  while (db > da) {
    b = nodes[static_cast<std::size_t>(b)].parent;
    --db;
  }
  while (a != b) {
    a = nodes[static_cast<std::size_t>(a)].parent;
    b = nodes[static_cast<std::size_t>(b)].parent;
  }
  return a;
}

int Topology::numa_of(int node) const {
  for (int n = node; n >= 0; n = nodes[static_cast<std::size_t>(n)].parent) {
    const Node& current = nodes[static_cast<std::size_t>(n)];
    if (current.kind == NodeKind::numa || current.kind == NodeKind::machine) {
      return current.numa_ids.size() == 1 ? current.numa_ids.front() : -1;
    }
  }
  return -1;
}

std::string nic_kind(const std::string& rdma_device, std::uint16_t vendor, std::uint16_t device) {
  auto starts = [&](const char* prefix) { return rdma_device.rfind(prefix, 0) == 0; };
  if (starts("mlx5") || starts("mlx4")) return "mlx5";
  if (starts("rdmap") || starts("efa")) return "efa";
  if (starts("rxe")) return "rxe";
  if (starts("siw")) return "siw";
  if (vendor == kVendorAmazon && (device & 0xfff0) == 0xefa0) return "efa";
  if (vendor == kVendorMellanox) return "mlx5";
  if (starts("ib") || starts("mlx")) return "ib";
  return "other";
}

void Topology::finalize() {
  // Pairing and the path matrix grow with GPUs × NICs: a file listing 20,000 of each (4.5 MB)
  // would run for minutes. Real hosts have at most a few dozen.
  const std::string where = input.empty() ? std::string("this machine") : input;
  if (gpus.size() > kMaxGpus)
    throw UsageError(where + ": " + std::to_string(gpus.size()) + " GPUs, above fp_topo's limit of " +
                     std::to_string(kMaxGpus));
  if (nics.size() > kMaxNics)
    throw UsageError(where + ": " + std::to_string(nics.size()) + " RDMA NICs, above fp_topo's limit of " +
                     std::to_string(kMaxNics));
  std::stable_sort(gpus.begin(), gpus.end(), [](const Gpu& a, const Gpu& b) { return a.pci < b.pci; });
  std::stable_sort(nics.begin(), nics.end(), [](const Nic& a, const Nic& b) {
    if (a.pci.has_value() != b.pci.has_value()) return a.pci.has_value();
    if (a.pci && *a.pci != *b.pci) return *a.pci < *b.pci;
    return a.id < b.id;
  });
  for (std::size_t i = 0; i < gpus.size(); ++i) {
    Gpu& gpu = gpus[i];
    gpu.index = static_cast<int>(i);
    if (gpu.numa < 0 && gpu.node >= 0) gpu.numa = numa_of(gpu.node);
  }
  for (std::size_t i = 0; i < nics.size(); ++i) {
    Nic& nic = nics[i];
    nic.index = static_cast<int>(i);
    if (nic.numa < 0 && nic.node >= 0) nic.numa = numa_of(nic.node);
    if (nic.id.empty()) nic.id = !nic.rdma_device.empty() ? nic.rdma_device : (nic.pci ? nic.pci->str() : "nic");
    if (nic.kind.empty()) {
      std::uint16_t vendor = 0;
      std::uint16_t device = 0;
      if (nic.node >= 0) {
        vendor = nodes[static_cast<std::size_t>(nic.node)].vendor_id;
        device = nodes[static_cast<std::size_t>(nic.node)].device_id;
      }
      nic.kind = nic_kind(nic.rdma_device, vendor, device);
      if (nic.kind == "other" && nic.node >= 0 && nodes[static_cast<std::size_t>(nic.node)].class_id == 0x0207) {
        nic.kind = "ib";  // InfiniBand controller class
      }
    }
    if (nic.kind == "rxe" || nic.kind == "siw") nic.software = true;
    if (nic.card.empty()) nic.card = nic.pci && !nic.software ? nic.pci->slot() : nic.id;
  }
}

const Nic* Topology::find_nic(const std::string& id) const {
  for (const Nic& nic : nics) {
    if (nic.id == id) return &nic;
  }
  return nullptr;
}

}  // namespace fabricperf::topology
