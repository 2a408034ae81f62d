#include "fabricperf/topology/path.hpp"

#include <algorithm>

namespace fabricperf::topology {
namespace {

const Node& at(const Topology& topo, int index) { return topo.nodes[static_cast<std::size_t>(index)]; }

bool is_pci_hop(NodeKind kind) { return kind == NodeKind::pci_switch || kind == NodeKind::port; }

// Two devices under different host bridges, as nvidia-smi topo -m classes them: NODE when they
// are on the same NUMA node, SYS when on different ones, even within one package (AMD EPYC
// NPS2/NPS4 packages hold several NUMA nodes).
PathClass across_host_bridges(const Topology& topo, int a, int b, int top) {
  const int numa_a = topo.numa_of(a);
  const int numa_b = topo.numa_of(b);
  if (numa_a >= 0 && numa_b >= 0) return numa_a == numa_b ? PathClass::node : PathClass::sys;
  // A NUMA node unknown: a locality of one NUMA node (or of none known) is one node; one that
  // spans several, or a multi-NUMA machine, cannot vouch for the same NUMA node.
  const std::size_t spanned = at(topo, top).kind == NodeKind::machine
                                  ? static_cast<std::size_t>(std::max(topo.numa_node_count, 0))
                                  : at(topo, top).numa_ids.size();
  return spanned <= 1 ? PathClass::node : PathClass::sys;
}

}  // namespace

std::string_view to_string(PathClass path) noexcept {
  switch (path) {
    case PathClass::pix: return "PIX";
    case PathClass::pxb: return "PXB";
    case PathClass::phb: return "PHB";
    case PathClass::node: return "NODE";
    case PathClass::sys: return "SYS";
  }
  return "?";
}

std::string_view describe(PathClass path) noexcept {
  switch (path) {
    case PathClass::sys:
      return "Connection traversing PCIe as well as the SMP interconnect between NUMA nodes (e.g., QPI/UPI)";
    case PathClass::node:
      return "Connection traversing PCIe as well as the interconnect between PCIe Host Bridges within a NUMA node";
    case PathClass::phb: return "Connection traversing PCIe as well as a PCIe Host Bridge (typically the CPU)";
    case PathClass::pxb: return "Connection traversing multiple PCIe bridges (without traversing the PCIe Host Bridge)";
    case PathClass::pix: return "Connection traversing at most a single PCIe bridge";
  }
  return "";
}

int switches_between(const Topology& topo, int a, int b) {
  const int top = topo.common_ancestor(a, b);
  int count = at(topo, top).kind == NodeKind::pci_switch ? 1 : 0;
  for (int side : {a, b}) {
    for (int n = side; n != top; n = at(topo, n).parent) {
      if (at(topo, n).kind == NodeKind::pci_switch) ++count;
    }
  }
  return count;
}

std::vector<int> bridges_between(const Topology& topo, int a, int b) {
  const int top = topo.common_ancestor(a, b);
  std::vector<int> up;
  for (int n = a; n != top; n = at(topo, n).parent) {
    if (is_pci_hop(at(topo, n).kind)) up.push_back(n);
  }
  if (is_pci_hop(at(topo, top).kind)) up.push_back(top);
  std::vector<int> down;
  for (int n = b; n != top; n = at(topo, n).parent) {
    if (is_pci_hop(at(topo, n).kind)) down.push_back(n);
  }
  up.insert(up.end(), down.rbegin(), down.rend());
  return up;
}

PathClass classify_nodes(const Topology& topo, int a, int b) {
  if (a < 0 || b < 0) return PathClass::sys;
  const int top = topo.common_ancestor(a, b);
  switch (at(topo, top).kind) {
    case NodeKind::device:      // functions of one device
    case NodeKind::port:        // below one link
    case NodeKind::pci_switch:  // below a switch
      return switches_between(topo, a, b) <= 1 ? PathClass::pix : PathClass::pxb;
    case NodeKind::host_bridge: return PathClass::phb;
    case NodeKind::numa:
    case NodeKind::machine:
      return across_host_bridges(topo, a, b, top);
  }
  return PathClass::sys;
}

PathClass classify(const Topology& topo, const Gpu& gpu, const Nic& nic) {
  return classify_nodes(topo, gpu.node, nic.node);
}

PathMatrix compute_matrix(const Topology& topo) {
  PathMatrix matrix(topo.gpus.size(), std::vector<PathClass>(topo.nics.size(), PathClass::sys));
  for (std::size_t g = 0; g < topo.gpus.size(); ++g) {
    for (std::size_t n = 0; n < topo.nics.size(); ++n) matrix[g][n] = classify(topo, topo.gpus[g], topo.nics[n]);
  }
  return matrix;
}

}  // namespace fabricperf::topology
