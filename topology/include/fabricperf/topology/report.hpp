#pragma once
// fp_topo's outputs: the result entry of the JSON document, the human tables and the
// `nvidia-smi topo -m` style matrix, and the per-rank environment (--emit-env) that pins each
// local rank to its GPU and NIC(s).
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "fabricperf/result_document.hpp"
#include "fabricperf/topology/model.hpp"
#include "fabricperf/topology/pairing.hpp"

namespace fabricperf::topology {

// One results[] entry: {host, source, input, gpus[], nics[], matrix, warnings, checks}.
// gpus[]: index, pci, numa (-1 unknown), model, nearest_nics [ids], nearest_path, nic (dedicated
// NIC id or null), nics (all dedicated), nic_path, uses (the NIC to use, dedicated or shared),
// shared_with [GPU indices]. nics[]: id, pci (absent when none), numa, rdma_device, netdev,
// netdevs, port, ports, card, kind, software. matrix[g][n]: path class of gpus[g] to nics[n].
[[nodiscard]] nlohmann::json result_json(const Topology& topo, const Pairing& pairing,
                                         const std::vector<Check>& checks);

// GPU and NIC tables, the matrix with its legend, and the checks.
void print_report(std::ostream& os, const Topology& topo, const Pairing& pairing, const std::vector<Check>& checks);
// The matrix alone: rows GPUs, columns NICs, then NUMA affinity; legend and NIC legend.
void print_matrix(std::ostream& os, const Topology& topo, const Pairing& pairing);

struct RankEnvironment {
  int local_rank = 0;
  std::vector<std::pair<std::string, std::string>> variables;  // in print order
  std::string path;                                            // path class to the NIC ("" without GPU or NIC)
  std::string note;  // sharing, distance or missing names ("" when all is well)
};

// One entry per GPU (local rank r <-> GPU r in PCI bus order, with CUDA_DEVICE_ORDER=PCI_BUS_ID
// so CUDA numbers the GPUs the same way): CUDA_VISIBLE_DEVICES, NCCL_IB_HCA (exact-match list
// of the GPU's dedicated NICs with ports, else the shared one), FABRICPERF_DEVICE (the NIC for
// fabricperf's -d). Without GPUs: one entry per RDMA NIC (FABRICPERF_DEVICE, NCCL_IB_HCA).
// Every value is safe to eval in a shell: a device name from the input holding anything but
// letters, digits and _ . : - is refused with a UsageError naming the input and the value.
[[nodiscard]] std::vector<RankEnvironment> rank_environments(const Topology& topo, const Pairing& pairing);
// KEY=VALUE lines, nothing else (for `export $(fp_topo --emit-env --local-rank R)` or env files).
void print_environment(std::ostream& os, const RankEnvironment& env);
// All ranks as a table.
void print_environment_table(std::ostream& os, const std::vector<RankEnvironment>& envs);

}  // namespace fabricperf::topology
