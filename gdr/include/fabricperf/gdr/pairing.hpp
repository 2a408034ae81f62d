#pragma once
// Which NIC each GPU uses: the dedicated NIC the topology library assigns (fp_topo's pairing),
// unless -d names one. GPUs are addressed by CUDA ordinal and matched to the topology by PCI
// address (CUDA's default device order is not PCI bus order).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fabricperf/result_document.hpp"
#include "fabricperf/topology/model.hpp"
#include "fabricperf/topology/pairing.hpp"
#include "fabricperf/topology/path.hpp"

namespace fabricperf::gdr {

// A GPU as CUDA sees it.
struct GpuIdentity {
  int ordinal = 0;
  std::string name;  // "NVIDIA H100 80GB HBM3"
  std::string pci;   // "0000:17:00.0"
};

struct GpuNicPair {
  GpuIdentity gpu;
  std::string nic;                          // RDMA device name, e.g. mlx5_0
  std::optional<topology::PathClass> path;  // nullopt: not known (GPU or NIC not in the topology)
  bool dedicated = false;                   // the topology gives this GPU the NIC's card to itself
  bool overridden = false;                  // the NIC came from -d
  std::vector<int> shared_with;             // CUDA ordinals of other GPUs using the same card

  // "PIX", ..., or "unknown".
  [[nodiscard]] std::string path_name() const;
  // {"gpu", "gpu_name", "gpu_pci", "device", "path", "dedicated", "nic_from"}.
  [[nodiscard]] nlohmann::json to_json() const;
};

struct PairRequest {
  std::optional<int> gpu;            // --gpu N (default 0)
  bool all_gpus = false;             // --all-gpus
  std::vector<std::string> devices;  // -d: one NIC for all, or one per selected GPU
};

// The pairs to measure, in GPU order. UsageError (exit 2, one line) for a GPU that does not
// exist, a -d list that does not match the GPUs, or a GPU the topology gives no NIC (then the
// message says to use -d).
[[nodiscard]] std::vector<GpuNicPair> select_pairs(const std::vector<GpuIdentity>& gpus, const topology::Topology& topo,
                                                   const topology::Pairing& pairing, const PairRequest& request);

// "gpu_nic_path": pass when the pair is PIX, warn otherwise (and when unknown), labelled with
// gpu and device.
[[nodiscard]] Check pair_path_check(const GpuNicPair& pair);

}  // namespace fabricperf::gdr
