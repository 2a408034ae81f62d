#include "fabricperf/collectives/launch.hpp"

#include <cstdlib>

#include "fabricperf/collectives/types.hpp"
#include "fabricperf/error.hpp"

namespace fabricperf::collectives {

int local_rank_from_hosts(const std::vector<std::string>& hosts, int rank) {
  int local = 0;
  for (int r = 0; r < rank && static_cast<std::size_t>(r) < hosts.size(); ++r)
    if (hosts[static_cast<std::size_t>(r)] == hosts[static_cast<std::size_t>(rank)]) ++local;
  return local;
}

std::vector<int> devices_for_process(int local_rank, int per_process, int device_count) {
  // A launcher that binds GPUs (srun --gpus-per-task, CUDA_VISIBLE_DEVICES per rank) leaves each
  // process exactly its own devices: use them all, whatever the local rank.
  const int first = device_count == per_process ? 0 : local_rank * per_process;
  if (first + per_process > device_count)
    throw Error("local rank " + std::to_string(local_rank) + " needs GPUs " + std::to_string(first) + ".." +
                std::to_string(first + per_process - 1) + " but this node has " + std::to_string(device_count) +
                " (check the number of processes per node and -g)");
  std::vector<int> devices;
  for (int i = 0; i < per_process; ++i) devices.push_back(first + i);
  return devices;
}

std::optional<std::string> GpuNicMap::nic_for(int device, const std::string& pci_bus_id) const {
  if (!pci_bus_id.empty()) {
    // PCI ids compare case-insensitively and with or without the domain.
    const auto norm = [](std::string s) {
      for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
      if (s.size() == 7) s = "0000:" + s;
      return s;
    };
    for (const auto& [pci, nic] : by_pci)
      if (norm(pci) == norm(pci_bus_id)) return nic;
  }
  const auto it = by_device.find(device);
  if (it != by_device.end()) return it->second;
  return std::nullopt;
}

GpuNicMap parse_gpu_nic_map(const std::string& text) {
  GpuNicMap map;
  for (const auto& item : split_list(text)) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
      throw UsageError("invalid --gpu-nic-map entry '" + item + "' (use GPU=NIC, e.g. 0=mlx5_0)");
    const std::string gpu = item.substr(0, eq);
    const std::string nic = item.substr(eq + 1);
    if (gpu.find(':') != std::string::npos) {
      map.by_pci[gpu] = nic;
    } else {
      char* end = nullptr;
      const long v = std::strtol(gpu.c_str(), &end, 10);
      if (end == nullptr || *end != '\0' || v < 0 || v > 1024)
        throw UsageError("invalid GPU '" + gpu + "' in --gpu-nic-map (a CUDA device index or PCI bus id)");
      map.by_device[static_cast<int>(v)] = nic;
    }
  }
  return map;
}

NicPinning decide_nic_pinning(const char* user_value, bool disabled,
                              const std::vector<std::pair<int, std::string>>& gpus, const GpuNicMap& map) {
  NicPinning p;
  if (user_value != nullptr && *user_value != '\0') {
    p.reason = "NCCL_IB_HCA set by the user";
    p.value = user_value;
    return p;
  }
  if (disabled) {
    p.reason = "--no-nic-pinning";
    return p;
  }
  std::vector<std::string> nics;
  for (const auto& [device, pci] : gpus) {
    const auto nic = map.nic_for(device, pci);
    if (!nic) continue;
    bool seen = false;
    for (const auto& n : nics) seen = seen || n == *nic;
    if (!seen) nics.push_back(*nic);
  }
  if (nics.empty()) {
    p.reason = map.empty() ? "no GPU-NIC mapping (topology not available; see --gpu-nic-map)"
                           : "no NIC mapped for this process's GPUs";
    return p;
  }
  p.set = true;
  p.value = "=";
  for (std::size_t i = 0; i < nics.size(); ++i) p.value += (i ? "," : "") + nics[i];
  p.reason = "GPU-NIC mapping";
  return p;
}

}  // namespace fabricperf::collectives
