#pragma once
// The host fingerprint that goes into every result document's hosts[]: hostname, kernel,
// rdma-core, each RDMA device (firmware, ports), NVIDIA driver. Read from sysfs/procfs so it
// works without opening any device; the roots are parameters so tests use fake trees.
#include <string>

#include <nlohmann/json.hpp>

namespace fabricperf {

struct SystemRoots {
  std::string sys = "/sys";
  std::string proc = "/proc";
  std::string etc = "/etc";
};

// {"hostname", "kernel", "os", "rdma_core_version", "rdma_devices": [...], "nvidia_driver"?}
// Each rdma device: {"name", "node_type", "fw_ver", "node_guid", "netdevs": [...],
//   "ports": [{"port", "state", "phys_state", "link_layer", "rate", "rate_gbps",
//              "active_speed", "active_width"}]}
[[nodiscard]] nlohmann::json collect_host_info(const SystemRoots& roots = {});

// RDMA devices alone, as in collect_host_info()["rdma_devices"].
[[nodiscard]] nlohmann::json list_rdma_devices(const SystemRoots& roots = {});

// "100 Gb/sec (4X EDR)" -> 100.0; 0 when unparsable.
[[nodiscard]] double parse_ib_rate_gbps(const std::string& rate);

// First line of a small text file with trailing whitespace removed; "" when unreadable.
[[nodiscard]] std::string read_first_line(const std::string& path);

}  // namespace fabricperf
