#pragma once
// Where a rank runs: its local rank on the node (from the launcher's environment,
// fabricperf/launcher.hpp, or from the host names when bootstrapped over TCP), the GPUs it drives, and the NIC NCCL
// should use for them (NCCL_IB_HCA), unless the user already chose. Pure functions: tested without GPU or MPI.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fabricperf::collectives {

// Position of `rank` among the ranks on its host (the hosts list is indexed by rank).
[[nodiscard]] int local_rank_from_hosts(const std::vector<std::string>& hosts, int rank);

// CUDA devices of a process: local_rank * per_process + i, as nccl-tests assigns them; when the
// process sees exactly per_process devices (the launcher bound them), those.
// Throws Error naming the counts when the node does not have that many devices.
[[nodiscard]] std::vector<int> devices_for_process(int local_rank, int per_process, int device_count);

// A GPU -> NIC mapping: by PCI bus id ("0000:17:00.0", what the topology library reports) or by
// CUDA device index. NIC values are NCCL_IB_HCA device specs: "mlx5_0" or "mlx5_0:1".
struct GpuNicMap {
  std::map<std::string, std::string> by_pci;
  std::map<int, std::string> by_device;
  [[nodiscard]] bool empty() const noexcept { return by_pci.empty() && by_device.empty(); }
  [[nodiscard]] std::optional<std::string> nic_for(int device, const std::string& pci_bus_id) const;
};
// "--gpu-nic-map" text: "0=mlx5_0,1=mlx5_1:1" or "0000:17:00.0=mlx5_0,..."; throws UsageError.
[[nodiscard]] GpuNicMap parse_gpu_nic_map(const std::string& text);

// The hook for the topology library: given this process's GPUs (CUDA index and PCI bus id),
// return the GPU -> NIC mapping it recommends. Until topology/ provides one, nothing is pinned
// unless --gpu-nic-map says so.
using TopologyNicLookup = std::function<GpuNicMap(const std::vector<std::pair<int, std::string>>& gpus)>;

struct NicPinning {
  bool set = false;    // export NCCL_IB_HCA=value before NCCL starts
  std::string value;   // "=mlx5_0" (exact match) or "=mlx5_0,mlx5_1" for several GPUs
  std::string reason;  // why (for the device report and the JSON)
};

// Decides NCCL_IB_HCA for a process driving `gpus` ({device, pci}): keeps a user-set value,
// honours --no-nic-pinning, else maps each GPU through `map` (GPUs without a NIC are skipped).
[[nodiscard]] NicPinning decide_nic_pinning(const char* user_value, bool disabled,
                                            const std::vector<std::pair<int, std::string>>& gpus, const GpuNicMap& map);

}  // namespace fabricperf::collectives
