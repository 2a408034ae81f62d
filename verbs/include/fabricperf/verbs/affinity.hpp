#pragma once
// CPU pinning: --cpu N, else the CPUs of the device's NUMA node (sysfs numa_node + node cpulist).
#include <optional>
#include <string>
#include <vector>

namespace fabricperf::verbs {

// "0-3,8,10-11" -> {0,1,2,3,8,10,11}; UsageError on malformed text.
[[nodiscard]] std::vector<int> parse_cpulist(const std::string& text);

struct Pinning {
  std::string how;        // "cpu 3", "numa node 0 (cpus 0-15)", "none (device NUMA node unknown)"
  std::vector<int> cpus;  // empty: not pinned
};

// The NUMA node of RDMA device `device`: SYS/class/infiniband/DEVICE/device/numa_node (its PCI
// function). A software device (rxe, siw) has no such link: then the numa_node of the nearest
// ancestor of its netdev's device (SYS/class/net/NETDEV/device, e.g. a virtio NIC's PCI function).
// -1 when unknown (no file, no netdev, or a NUMA-less machine).
[[nodiscard]] int device_numa_node(const std::string& device, const std::string& netdev,
                                   const std::string& sys_root = "/sys");

// Pins the calling thread. cpu set: to that CPU. Else numa_node >= 0: to that node's CPUs
// (read from SYS/devices/system/node/nodeN/cpulist). Else leaves it alone.
Pinning pin_current_thread(std::optional<int> cpu, int numa_node, const std::string& sys_root = "/sys");

}  // namespace fabricperf::verbs
