#pragma once
// Path classes between a GPU and a NIC, in `nvidia-smi topo -m` vocabulary, ordered from best
// to worst: PIX < PXB < PHB < NODE < SYS.
#include <string_view>
#include <vector>

#include "fabricperf/topology/model.hpp"

namespace fabricperf::topology {

enum class PathClass {
  pix,   // at most one PCIe switch between them
  pxb,   // several switches, no host bridge
  phb,   // through a PCIe host bridge (the CPU's root complex)
  node,  // between host bridges within one NUMA node
  sys,   // across NUMA nodes (SMP interconnect), or no place in the PCI tree at all
};

[[nodiscard]] std::string_view to_string(PathClass path) noexcept;
// The legend line nvidia-smi prints for it.
[[nodiscard]] std::string_view describe(PathClass path) noexcept;
[[nodiscard]] constexpr bool better(PathClass a, PathClass b) noexcept { return a < b; }

// Path class between two nodes of the model (device nodes, usually).
[[nodiscard]] PathClass classify_nodes(const Topology& topo, int a, int b);
[[nodiscard]] PathClass classify(const Topology& topo, const Gpu& gpu, const Nic& nic);

// PCIe switches on the path between two nodes (the common ancestor included when it is one).
[[nodiscard]] int switches_between(const Topology& topo, int a, int b);
// The switch and port nodes on the path between two nodes (ordered a-side up, then b-side down;
// the common ancestor included when it is a switch or port): where ACS applies.
[[nodiscard]] std::vector<int> bridges_between(const Topology& topo, int a, int b);

// matrix[g][n] = classify(gpus[g], nics[n]).
using PathMatrix = std::vector<std::vector<PathClass>>;
[[nodiscard]] PathMatrix compute_matrix(const Topology& topo);

}  // namespace fabricperf::topology
