#pragma once
// Who is where in the job: nodes (distinct host names, in rank order), the ranks on each, and
// which rank drives which rail. One rank per GPU: local rank i drives rail i (and rail i + P,
// ... when there are more rails than ranks per node); --per-node: one rank drives every rail.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fabricperf::runners {

struct ClusterLayout {
  std::vector<std::string> nodes;               // distinct host names, in order of first rank
  std::vector<int> node_of_rank;                // rank -> node index
  std::vector<int> local_rank;                  // rank -> position among its node's ranks
  std::vector<std::vector<int>> ranks_of_node;  // node -> its ranks, ascending
  int ranks_per_node = 0;                       // 0 when nodes have different rank counts

  [[nodiscard]] static ClusterLayout from_hostnames(const std::vector<std::string>& hostnames);
  [[nodiscard]] int node_count() const noexcept { return static_cast<int>(nodes.size()); }
  [[nodiscard]] bool uniform() const noexcept { return ranks_per_node > 0; }
  // The rank on `node` with local index `local` (uniform layouts), -1 when there is none.
  [[nodiscard]] int rank_on(int node, int local) const noexcept;
  // The rails (0..rails-1) local rank `local` drives.
  [[nodiscard]] std::vector<int> rails_of(int local, int rails) const;
  [[nodiscard]] nlohmann::json to_json() const;
};

// One rail of a node: the RDMA device/port it uses and what it should reach.
struct RailPort {
  std::string device;
  int port = 1;
  double rate_gbps = 0;  // the port's line rate (0: unknown)
  bool soft = false;     // Soft-RoCE (rxe) or siw: software, no real line rate
  std::string link_layer;
  std::string state;  // the port's state when the host was read ("ACTIVE", "DOWN", ...)
  [[nodiscard]] bool active() const noexcept { return state.find("ACTIVE") != std::string::npos; }
};

// Whether `port` is what a --devices entry names: "mlx5_0" (any port) or "mlx5_0:1".
[[nodiscard]] bool matches_device_spec(const RailPort& port, const std::string& spec);

// Every port of every RDMA device of a host from its fingerprint, whatever its state, by device
// name then port (the reach stage keeps a DOWN port in its rail so it can name it).
[[nodiscard]] std::vector<RailPort> all_rail_ports(const nlohmann::json& host);

// The rails of one host from its fingerprint (core host_info JSON): every ACTIVE port of every
// RDMA device, by device name then port; or exactly `devices` ("mlx5_0" or "mlx5_0:1") in that
// order when given (a missing or inactive one throws UsageError naming it and the host).
[[nodiscard]] std::vector<RailPort> rail_ports(const nlohmann::json& host, const std::vector<std::string>& devices);

// Soft-RoCE / siw by name (rxe*, siw*) or by the sysfs "parent" attribute rxe devices have.
[[nodiscard]] bool is_soft_rdma_device(const std::string& name, const std::string& sys_root = "/sys");

}  // namespace fabricperf::runners
