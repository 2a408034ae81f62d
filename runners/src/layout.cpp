#include "fabricperf/runners/layout.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include "fabricperf/error.hpp"

namespace fabricperf::runners {

ClusterLayout ClusterLayout::from_hostnames(const std::vector<std::string>& hostnames) {
  ClusterLayout layout;
  std::map<std::string, int> index;
  for (std::size_t r = 0; r < hostnames.size(); ++r) {
    auto [it, inserted] = index.try_emplace(hostnames[r], static_cast<int>(layout.nodes.size()));
    if (inserted) {
      layout.nodes.push_back(hostnames[r]);
      layout.ranks_of_node.emplace_back();
    }
    auto& on_node = layout.ranks_of_node[static_cast<std::size_t>(it->second)];
    layout.node_of_rank.push_back(it->second);
    layout.local_rank.push_back(static_cast<int>(on_node.size()));
    on_node.push_back(static_cast<int>(r));
  }
  if (!layout.ranks_of_node.empty()) {
    const auto first = layout.ranks_of_node.front().size();
    const bool same = std::all_of(layout.ranks_of_node.begin(), layout.ranks_of_node.end(),
                                  [&](const auto& v) { return v.size() == first; });
    layout.ranks_per_node = same ? static_cast<int>(first) : 0;
  }
  return layout;
}

int ClusterLayout::rank_on(int node, int local) const noexcept {
  if (node < 0 || node >= node_count()) return -1;
  const auto& ranks = ranks_of_node[static_cast<std::size_t>(node)];
  if (local < 0 || local >= static_cast<int>(ranks.size())) return -1;
  return ranks[static_cast<std::size_t>(local)];
}

std::vector<int> ClusterLayout::rails_of(int local, int rails) const {
  std::vector<int> out;
  const int per = std::max(ranks_per_node, 1);
  for (int r = local; r < rails; r += per) out.push_back(r);
  return out;
}

nlohmann::json ClusterLayout::to_json() const {
  nlohmann::json ranks = nlohmann::json::array();
  for (const auto& r : ranks_of_node) ranks.push_back(r);
  return {{"nodes", nodes}, {"ranks_of_node", ranks}, {"ranks_per_node", ranks_per_node}};
}

bool is_soft_rdma_device(const std::string& name, const std::string& sys_root) {
  if (name.rfind("rxe", 0) == 0 || name.rfind("siw", 0) == 0) return true;
  std::error_code ec;
  return std::filesystem::exists(sys_root + "/class/infiniband/" + name + "/parent", ec);
}

bool matches_device_spec(const RailPort& port, const std::string& spec) {
  const auto colon = spec.find(':');
  const int wanted = colon == std::string::npos ? 0 : std::atoi(spec.c_str() + colon + 1);
  return port.device == spec.substr(0, colon) && (wanted == 0 || port.port == wanted);
}

std::vector<RailPort> all_rail_ports(const nlohmann::json& host) {
  std::vector<RailPort> ports;
  if (host.contains("rdma_devices") && host["rdma_devices"].is_array()) {
    for (const auto& dev : host["rdma_devices"]) {
      const std::string name = dev.value("name", "");
      if (!dev.contains("ports") || !dev["ports"].is_array()) continue;
      for (const auto& port : dev["ports"]) {
        RailPort rp;
        rp.device = name;
        rp.port = port.value("port", 1);
        rp.rate_gbps =
            port.contains("rate_gbps") && port["rate_gbps"].is_number() ? port["rate_gbps"].get<double>() : 0;
        rp.link_layer = port.value("link_layer", "");
        rp.state = port.value("state", "");
        rp.soft = name.rfind("rxe", 0) == 0 || name.rfind("siw", 0) == 0 || dev.value("soft", false);
        ports.push_back(rp);
      }
    }
  }
  std::sort(ports.begin(), ports.end(), [](const RailPort& l, const RailPort& r) {
    return l.device != r.device ? l.device < r.device : l.port < r.port;
  });
  return ports;
}

std::vector<RailPort> rail_ports(const nlohmann::json& host, const std::vector<std::string>& devices) {
  const std::string hostname = host.value("hostname", "this host");
  std::vector<RailPort> all;
  std::vector<RailPort> inactive;
  for (auto& rp : all_rail_ports(host)) (rp.active() ? all : inactive).push_back(std::move(rp));
  if (devices.empty()) return all;

  std::vector<RailPort> chosen;
  for (const auto& spec : devices) {
    auto match = [&](const RailPort& rp) { return matches_device_spec(rp, spec); };
    auto it = std::find_if(all.begin(), all.end(), match);
    if (it != all.end()) {
      chosen.push_back(*it);
      continue;
    }
    if (std::any_of(inactive.begin(), inactive.end(), match))
      throw UsageError("rail device " + spec + " on " + hostname + " is not ACTIVE");
    std::string names;
    for (const auto& rp : all) names += (names.empty() ? "" : ", ") + rp.device + ":" + std::to_string(rp.port);
    throw UsageError("rail device " + spec + " not found on " + hostname +
                     " (active ports: " + (names.empty() ? "none" : names) + ")");
  }
  return chosen;
}

}  // namespace fabricperf::runners
