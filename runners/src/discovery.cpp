#include "fabricperf/runners/discovery.hpp"

#include <algorithm>

#include "fabricperf/error.hpp"
#include "fabricperf/runners/fingerprint.hpp"
#include "fabricperf/runners/peer_reports.hpp"

#ifdef FABRICPERF_RUNNERS_HAVE_TOPOLOGY
#include "fabricperf/topology/checks.hpp"
#include "fabricperf/topology/hwloc_reader.hpp"
#include "fabricperf/topology/pairing.hpp"
#include "fabricperf/topology/report.hpp"
#endif

namespace fabricperf::runners {

nlohmann::json local_topology() {
#ifdef FABRICPERF_RUNNERS_HAVE_TOPOLOGY
  try {
    const auto topo = topology::load_live();
    const auto pairing = topology::pair_gpus_with_nics(topo);
    topology::CheckOptions options;
    options.live = true;
    const auto checks = topology::run_checks(topo, pairing, options);
    nlohmann::json gpus = nlohmann::json::array();
    for (std::size_t g = 0; g < topo.gpus.size() && g < pairing.gpus.size(); ++g) {
      const auto& a = pairing.gpus[g];
      nlohmann::json entry = {
          {"gpu", topo.gpus[g].index}, {"pci", topo.gpus[g].pci.str()}, {"nic", ""}, {"nic_port", 1}};
      if (a.nic) {
        const auto& nic = topo.nics[static_cast<std::size_t>(*a.nic)];
        entry["nic"] = nic.rdma_device.empty() ? nic.id : nic.rdma_device;
        for (const auto& p : nic.ports)
          if (p.state.find("ACTIVE") != std::string::npos) {
            entry["nic_port"] = p.port;
            break;
          }
      }
      gpus.push_back(entry);
    }
    nlohmann::json check_json = nlohmann::json::array();
    for (const auto& c : checks) check_json.push_back(to_json(c));
    return {{"gpus", gpus}, {"checks", check_json}, {"result", topology::result_json(topo, pairing, checks)}};
  } catch (const std::exception& e) {
    return {{"error", std::string("topology not read: ") + e.what()}};
  }
#else
  return {{"error", "fp_suite was built without the topology library (fptopology)"}};
#endif
}

std::vector<GpuNic> gpus_from_topology(const nlohmann::json& topology) {
  std::vector<GpuNic> out;
  for (const auto& g : topology.value("gpus", nlohmann::json::array())) {
    GpuNic gn;
    gn.gpu = g.value("gpu", 0);
    gn.pci = g.value("pci", "");
    gn.nic = g.value("nic", "");
    gn.nic_port = g.value("nic_port", 1);
    out.push_back(gn);
  }
  return out;
}

namespace {

// Marks software RDMA devices in a fingerprint (for the rails and the report).
void mark_soft_devices(nlohmann::json& fp) {
  if (!fp.contains("rdma_devices")) return;
  for (auto& dev : fp["rdma_devices"])
    if (is_soft_rdma_device(dev.value("name", ""))) dev["soft"] = true;
}

}  // namespace

Discovery discover(Comm& comm, const Plan& plan, bool per_node, double wait_s) {
  Discovery d;
  d.per_node = per_node;
  d.layout = ClusterLayout::from_hostnames(comm.hostnames());
  const auto me = static_cast<std::size_t>(comm.rank());
  const int node = d.layout.node_of_rank[me];
  const bool leader = d.layout.local_rank[me] == 0;

  auto fp = collect_suite_fingerprint();
  mark_soft_devices(fp);
  fp["hostname"] = comm.hostnames()[me];  // the name the launcher knows the node by
  const auto topo = local_topology();
  std::string rail_error;
  std::vector<RailPort> my_rails;
  try {
    my_rails = rail_ports(fp, plan.verbs.devices);
  } catch (const UsageError& e) {
    rail_error = e.what();
  }

  // Only node leaders send their (identical per node) fingerprint and topology to rank 0.
  nlohmann::json report = {{"rails", my_rails.size()}, {"gpus", topo.value("gpus", nlohmann::json::array()).size()}};
  if (!rail_error.empty()) report["rail_error"] = rail_error;
  if (leader) {
    report["fingerprint"] = fp;
    report["topology"] = topo;
  }
  comm.begin_step(1);
  const auto wait = std::chrono::milliseconds(static_cast<long long>(wait_s * 1000));
  const auto all = comm.gather(report.dump(), wait, "start-up: collecting every rank's fingerprint");

  d.rails_of_node.assign(static_cast<std::size_t>(d.layout.node_count()), {});
  d.gpus_of_node.assign(static_cast<std::size_t>(d.layout.node_count()), {});
  d.topology_of_node.assign(static_cast<std::size_t>(d.layout.node_count()), nlohmann::json::object());
  nlohmann::json shape;
  if (comm.root()) {
    d.fingerprints.assign(static_cast<std::size_t>(d.layout.node_count()), nlohmann::json::object());
    int rails = 1 << 30, gpus = 1 << 30;
    double min_rate = 0;
    bool soft = false;
    std::vector<std::string> errors;
    for (std::size_t r = 0; r < all.size(); ++r) {
      const auto j = peer_startup_report(all[r], comm.describe(static_cast<int>(r)));
      const auto n = static_cast<std::size_t>(d.layout.node_of_rank[r]);
      rails = std::min(rails, j.value("rails", 0));
      gpus = std::min(gpus, static_cast<int>(j.value("gpus", 0)));
      if (j.contains("rail_error")) errors.push_back(j["rail_error"].get<std::string>());
      if (!j.contains("fingerprint")) continue;
      d.fingerprints[n] = j["fingerprint"];
      d.topology_of_node[n] = j.value("topology", nlohmann::json::object());
      d.gpus_of_node[n] = gpus_from_topology(d.topology_of_node[n]);
      try {
        d.rails_of_node[n] = rail_ports(d.fingerprints[n], plan.verbs.devices);
      } catch (const UsageError&) {
      }
      for (const auto& p : d.rails_of_node[n]) {
        if (p.rate_gbps > 0) min_rate = min_rate == 0 ? p.rate_gbps : std::min(min_rate, p.rate_gbps);
        soft = soft || p.soft;
      }
    }
    if (plan.verbs.rails > 0) rails = std::min(rails, plan.verbs.rails);
    shape = {{"rails", std::max(rails, 0)},
             {"gpus", std::max(gpus, 0)},
             {"min_rate", min_rate},
             {"soft", soft},
             {"error", errors.empty() ? std::string() : errors.front()}};
  }
  const auto decided = nlohmann::json::parse(comm.broadcast(shape.dump(), wait, "start-up: waiting for the plan"));
  d.rails = decided.value("rails", 0);
  d.gpus_per_node = decided.value("gpus", 0);
  d.min_line_rate_gbps = decided.value("min_rate", 0.0);
  d.any_soft = decided.value("soft", false);
  if (!comm.root()) {
    d.rails_of_node[static_cast<std::size_t>(node)] = my_rails;
    d.gpus_of_node[static_cast<std::size_t>(node)] = gpus_from_topology(topo);
  }
  if (!decided.value("error", "").empty()) throw UsageError(decided["error"].get<std::string>());
  if (!rail_error.empty()) throw UsageError(rail_error);
  return d;
}

}  // namespace fabricperf::runners
