#pragma once
// NCCL topology XML (NCCL_TOPO_FILE / NCCL_TOPO_DUMP_FILE), as cloud vendors ship it:
// <system> <cpu numaid=..> <pci busid class ..> [<pci ..>|<gpu>|<nic><net name port speed/></nic>]...
// NCCL collapses each PCIe switch into one <pci class="0x0604.."> element and keeps no host
// bridges, so every <cpu> becomes one NUMA locality with one root complex: between host bridges
// of one CPU NCCL (and this reader) says PHB, where nvidia-smi on the machine may say NODE.
// A <net> outside any <pci> with gdr="0" or guid 0 is NCCL's socket transport (e.g. eth0), not
// an RDMA NIC: it is left out, with a warning.
#include <string>
#include <string_view>

#include "fabricperf/topology/model.hpp"

namespace fabricperf::topology {

// Throws UsageError naming the file: unreadable, malformed, or not an NCCL topology.
[[nodiscard]] Topology load_nccl_topo(const std::string& path);
[[nodiscard]] Topology parse_nccl_topo(std::string_view xml, const std::string& source);

}  // namespace fabricperf::topology
