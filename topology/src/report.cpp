#include "fabricperf/topology/report.hpp"

#include <algorithm>
#include <cctype>
#include <iomanip>
#include <ostream>

#include "fabricperf/error.hpp"
#include "fabricperf/topology/path.hpp"
#include "printable.hpp"

namespace fabricperf::topology {
namespace {

using nlohmann::json;

const Nic& nic_at(const Topology& topo, int n) {
  return topo.nics[static_cast<std::size_t>(n)];
}

json nic_ids(const Topology& topo, const std::vector<int>& indices) {
  json ids = json::array();
  for (const int n : indices) ids.push_back(nic_at(topo, n).id);
  return ids;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

std::string numa_text(int numa) {
  return numa < 0 ? "?" : std::to_string(numa);
}

// "a b c +5" with at most `shown` names.
std::string short_list(const Topology& topo, const std::vector<int>& indices, std::size_t shown = 4) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < indices.size() && i < shown; ++i) names.push_back(nic_at(topo, indices[i]).id);
  std::string text = join(names, " ");
  if (indices.size() > shown) text += " +" + std::to_string(indices.size() - shown);
  return text.empty() ? "-" : text;
}

// The NCCL_IB_HCA entry for a NIC: "mlx5_0:1" (its first port when known), or "" without a name.
std::string hca_entry(const Nic& nic) {
  if (nic.rdma_device.empty()) return "";
  return nic.ports.empty() ? nic.rdma_device : nic.rdma_device + ":" + std::to_string(nic.ports.front().port);
}

// What --emit-env prints must be safe to eval in a shell whatever the input file says: device
// names are letters, digits and _ . : - ; we add only "=" and ",". Anything else is refused.
bool env_safe(std::string_view value) {
  return std::all_of(value.begin(), value.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_.:-=,").find(c) != std::string_view::npos;
  });
}

void check_env_values(const Topology& topo, const std::vector<RankEnvironment>& envs) {
  for (const auto& env : envs) {
    for (const auto& [key, value] : env.variables) {
      if (env_safe(value)) continue;
      throw UsageError((topo.input.empty() ? std::string("this machine") : topo.input) +
                       ": refusing --emit-env: " + key + " would be \"" + detail::printable(value) +
                       "\" and device names may hold only letters, digits and _ . : -");
    }
  }
}

std::string upper(std::string_view status) {
  std::string out(status);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

json result_json(const Topology& topo, const Pairing& pairing, const std::vector<Check>& checks) {
  json gpus = json::array();
  for (const Gpu& gpu : topo.gpus) {
    const GpuAssignment& a = pairing.gpus[static_cast<std::size_t>(gpu.index)];
    json g{{"index", gpu.index},
           {"pci", gpu.pci.str()},
           {"numa", gpu.numa},
           {"model", gpu.model},
           {"nearest_nics", nic_ids(topo, a.nearest_nics)}};
    if (a.nearest_path) g["nearest_path"] = std::string(to_string(*a.nearest_path));
    g["nic"] = a.dedicated() ? json(nic_at(topo, a.dedicated_nics.front()).id) : json(nullptr);
    g["nics"] = nic_ids(topo, a.dedicated_nics);
    g["uses"] = a.nic ? json(nic_at(topo, *a.nic).id) : json(nullptr);
    if (a.nic_path) g["nic_path"] = std::string(to_string(*a.nic_path));
    g["shared_with"] = a.shared_with;
    gpus.push_back(std::move(g));
  }
  json nics = json::array();
  for (const Nic& nic : topo.nics) {
    json n{{"id", nic.id}, {"numa", nic.numa}};
    if (nic.pci) n["pci"] = nic.pci->str();
    n["rdma_device"] = nic.rdma_device.empty() ? json(nullptr) : json(nic.rdma_device);
    n["netdev"] = nic.netdevs.empty() ? json(nullptr) : json(nic.netdevs.front());
    n["netdevs"] = nic.netdevs;
    n["port"] = nic.ports.empty() ? json(nullptr) : json(nic.ports.front().port);
    json ports = json::array();
    for (const NicPort& p : nic.ports) {
      json port{{"port", p.port}};
      if (!p.state.empty()) port["state"] = p.state;
      if (!p.link_layer.empty()) port["link_layer"] = p.link_layer;
      if (!p.rate.empty()) port["rate"] = p.rate;
      if (p.rate_gbps > 0) port["rate_gbps"] = p.rate_gbps;
      ports.push_back(std::move(port));
    }
    n["ports"] = std::move(ports);
    n["card"] = nic.card;
    n["kind"] = nic.kind;
    n["software"] = nic.software;
    if (!nic.model.empty()) n["model"] = nic.model;
    nics.push_back(std::move(n));
  }
  json matrix = json::array();
  for (const auto& row : pairing.matrix) {
    json r = json::array();
    for (const PathClass p : row) r.push_back(std::string(to_string(p)));
    matrix.push_back(std::move(r));
  }
  json check_list = json::array();
  for (const Check& c : checks)
    check_list.push_back(json{{"name", c.name}, {"status", std::string(to_string(c.status))}});
  json result{{"host", topo.host},         {"source", to_string(topo.source)}, {"gpus", std::move(gpus)},
              {"nics", std::move(nics)},   {"matrix", std::move(matrix)},      {"numa_nodes", topo.numa_node_count},
              {"warnings", topo.warnings}, {"checks", std::move(check_list)}};
  if (!topo.input.empty()) result["input"] = topo.input;
  return result;
}

void print_matrix(std::ostream& os, const Topology& topo, const Pairing& pairing) {
  if (topo.gpus.empty() || topo.nics.empty()) {
    os << "GPU x NIC matrix: " << (topo.gpus.empty() ? "no GPU" : "no RDMA NIC") << "\n";
    return;
  }
  const int width = 7;
  os << std::left << std::setw(8) << "";
  for (std::size_t n = 0; n < topo.nics.size(); ++n) os << std::setw(width) << ("NIC" + std::to_string(n));
  os << "NUMA Affinity\n";
  for (const Gpu& gpu : topo.gpus) {
    os << std::setw(8) << ("GPU" + std::to_string(gpu.index));
    for (std::size_t n = 0; n < topo.nics.size(); ++n) {
      os << std::setw(width) << std::string(to_string(pairing.matrix[static_cast<std::size_t>(gpu.index)][n]));
    }
    os << numa_text(gpu.numa) << "\n";
  }
  os << "\nLegend:\n\n";
  for (const PathClass p : {PathClass::sys, PathClass::node, PathClass::phb, PathClass::pxb, PathClass::pix}) {
    os << "  " << std::setw(4) << std::string(to_string(p)) << " = " << describe(p) << "\n";
  }
  os << "\nNIC Legend:\n\n";
  for (const Nic& nic : topo.nics) os << "  NIC" << nic.index << ": " << nic.id << "\n";
}

void print_report(std::ostream& os, const Topology& topo, const Pairing& pairing, const std::vector<Check>& checks) {
  os << std::left << "fp_topo: " << topo.host << " (" << to_string(topo.source)
     << (topo.input.empty() ? "" : " " + topo.input) << ")\n";
  for (const auto& w : topo.warnings) os << "WARNING: " << w << "\n";
  os << "\n";
  if (topo.gpus.empty()) {
    os << "GPUs: none found\n";
  } else {
    os << "GPUs: " << topo.gpus.size() << "\n" << std::left;
    os << std::setw(6) << "GPU" << std::setw(14) << "PCI" << std::setw(6) << "NUMA" << std::setw(28) << "Model"
       << std::setw(34) << "Nearest NIC(s)" << std::setw(6) << "Path"
       << "NIC(s) to use\n";
    for (const Gpu& gpu : topo.gpus) {
      const GpuAssignment& a = pairing.gpus[static_cast<std::size_t>(gpu.index)];
      std::string model = gpu.model.empty() ? "-" : gpu.model;
      if (model.size() > 27) model = model.substr(0, 26) + "~";
      std::string use = a.dedicated() ? short_list(topo, a.dedicated_nics, 8) : (a.nic ? nic_at(topo, *a.nic).id : "-");
      if (!a.dedicated() && a.nic) {
        std::vector<std::string> others;
        for (const int o : a.shared_with) others.push_back("GPU" + std::to_string(o));
        use += " (shared with " + join(others, ",") + ")";
      } else if (a.dedicated() && !a.shared_with.empty()) {
        std::vector<std::string> others;
        for (const int o : a.shared_with) others.push_back("GPU" + std::to_string(o));
        use += " (also used by " + join(others, ",") + ")";
      }
      os << std::setw(6) << ("GPU" + std::to_string(gpu.index)) << std::setw(14) << gpu.pci.str() << std::setw(6)
         << numa_text(gpu.numa) << std::setw(28) << model << std::setw(34) << short_list(topo, a.nearest_nics, 2)
         << std::setw(6) << (a.nearest_path ? std::string(to_string(*a.nearest_path)) : "-") << use << "\n";
    }
  }
  os << "\n";
  if (topo.nics.empty()) {
    os << "RDMA NICs: none found\n";
  } else {
    os << "RDMA NICs: " << topo.nics.size() << "\n" << std::left;
    os << std::setw(7) << "NIC" << std::setw(16) << "Id" << std::setw(14) << "PCI" << std::setw(6) << "NUMA"
       << std::setw(6) << "Kind" << std::setw(18) << "Netdev" << std::setw(6) << "Port" << std::setw(10) << "State"
       << "Rate\n";
    for (const Nic& nic : topo.nics) {
      const NicPort* port = nic.ports.empty() ? nullptr : &nic.ports.front();
      os << std::setw(7) << ("NIC" + std::to_string(nic.index)) << std::setw(16) << nic.id << std::setw(14)
         << (nic.pci ? nic.pci->str() : "-") << std::setw(6) << numa_text(nic.numa) << std::setw(6) << nic.kind
         << std::setw(18) << (nic.netdevs.empty() ? "-" : nic.netdevs.front()) << std::setw(6)
         << (port ? std::to_string(port->port) : "-") << std::setw(10)
         << (port && !port->state.empty() ? port->state : "-") << (port && !port->rate.empty() ? port->rate : "-")
         << (nic.software ? "  (software RDMA: no GPUDirect)" : "") << "\n";
    }
  }
  os << "\n";
  print_matrix(os, topo, pairing);
  os << "\nChecks:\n" << std::left;
  for (const Check& c : checks) {
    os << "  " << std::setw(6) << upper(to_string(c.status)) << std::setw(20) << c.name << " " << c.detail << "\n";
  }
}

std::vector<RankEnvironment> rank_environments(const Topology& topo, const Pairing& pairing) {
  std::vector<RankEnvironment> envs;
  if (topo.gpus.empty()) {
    for (const Nic& nic : topo.nics) {
      RankEnvironment env;
      env.local_rank = nic.index;
      const std::string hca = hca_entry(nic);
      if (!hca.empty()) env.variables.emplace_back("NCCL_IB_HCA", "=" + hca);
      env.variables.emplace_back("FABRICPERF_DEVICE", nic.rdma_device.empty() ? nic.id : nic.rdma_device);
      env.note = "no GPU: one rank per RDMA NIC";
      envs.push_back(std::move(env));
    }
    check_env_values(topo, envs);
    return envs;
  }
  for (const Gpu& gpu : topo.gpus) {
    const GpuAssignment& a = pairing.gpus[static_cast<std::size_t>(gpu.index)];
    RankEnvironment env;
    env.local_rank = gpu.index;
    env.variables.emplace_back("CUDA_DEVICE_ORDER", "PCI_BUS_ID");
    env.variables.emplace_back("CUDA_VISIBLE_DEVICES", std::to_string(gpu.index));
    std::vector<std::string> notes;
    if (a.nic) {
      const std::vector<int> nics = a.dedicated() ? a.dedicated_nics : std::vector<int>{*a.nic};
      std::vector<std::string> hcas;
      for (const int n : nics) {
        if (const std::string entry = hca_entry(nic_at(topo, n)); !entry.empty()) hcas.push_back(entry);
      }
      if (!hcas.empty())
        env.variables.emplace_back("NCCL_IB_HCA", "=" + join(hcas, ","));
      else
        notes.push_back("the input names no RDMA device for " + nic_at(topo, *a.nic).id + ": NCCL_IB_HCA not set");
      const Nic& nic = nic_at(topo, *a.nic);
      env.variables.emplace_back("FABRICPERF_DEVICE", nic.rdma_device.empty() ? nic.id : nic.rdma_device);
      env.path = std::string(to_string(*a.nic_path));
      if (!a.dedicated() || !a.shared_with.empty()) {
        std::vector<std::string> others;
        for (const int o : a.shared_with) others.push_back("GPU" + std::to_string(o));
        notes.push_back("NIC shared with " + join(others, ","));
      }
      if (*a.nic_path != PathClass::pix) notes.push_back("NIC is " + env.path + " from the GPU");
    } else {
      notes.push_back("no RDMA NIC for this GPU");
    }
    env.note = join(notes, "; ");
    envs.push_back(std::move(env));
  }
  check_env_values(topo, envs);
  return envs;
}

void print_environment(std::ostream& os, const RankEnvironment& env) {
  for (const auto& [key, value] : env.variables) os << key << "=" << value << "\n";
}

void print_environment_table(std::ostream& os, const std::vector<RankEnvironment>& envs) {
  auto value_of = [](const RankEnvironment& env, const std::string& key) {
    for (const auto& [k, v] : env.variables) {
      if (k == key) return v;
    }
    return std::string("-");
  };
  std::size_t hca_width = 12;
  for (const auto& env : envs) hca_width = std::max(hca_width, value_of(env, "NCCL_IB_HCA").size() + 2);
  os << std::left << std::setw(12) << "local_rank" << std::setw(22) << "CUDA_VISIBLE_DEVICES" << std::setw(20)
     << "FABRICPERF_DEVICE" << std::setw(static_cast<int>(hca_width)) << "NCCL_IB_HCA" << std::setw(6) << "path"
     << "note\n";
  for (const auto& env : envs) {
    os << std::setw(12) << env.local_rank << std::setw(22) << value_of(env, "CUDA_VISIBLE_DEVICES") << std::setw(20)
       << value_of(env, "FABRICPERF_DEVICE") << std::setw(static_cast<int>(hca_width)) << value_of(env, "NCCL_IB_HCA")
       << std::setw(6) << (env.path.empty() ? "-" : env.path) << env.note << "\n";
  }
  if (envs.empty()) os << "(no GPU and no RDMA NIC: nothing to pin)\n";
}

}  // namespace fabricperf::topology
