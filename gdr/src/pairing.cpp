#include "fabricperf/gdr/pairing.hpp"

#include <algorithm>

#include "fabricperf/error.hpp"
#include "fabricperf/topology/pci.hpp"

namespace fabricperf::gdr {

namespace {

const topology::Gpu* find_topology_gpu(const topology::Topology& topo, const std::string& pci) {
  const auto want = topology::PciAddress::parse(pci);
  if (!want) return nullptr;
  for (const auto& g : topo.gpus)
    if (g.pci == *want) return &g;
  return nullptr;
}

std::string nic_name(const topology::Nic& nic) {
  return nic.rdma_device.empty() ? nic.id : nic.rdma_device;
}

const topology::Nic* find_topology_nic(const topology::Topology& topo, const std::string& name) {
  for (const auto& n : topo.nics)
    if (n.rdma_device == name || n.id == name) return &n;
  return nullptr;
}

std::string describe_gpu(const GpuIdentity& g) {
  std::string s = "GPU " + std::to_string(g.ordinal);
  if (!g.pci.empty()) s += " (" + g.pci + ")";
  return s;
}

}  // namespace

std::string GpuNicPair::path_name() const {
  return path ? std::string(topology::to_string(*path)) : "unknown";
}

nlohmann::json GpuNicPair::to_json() const {
  nlohmann::json j{{"gpu", gpu.ordinal},
                   {"gpu_name", gpu.name},
                   {"gpu_pci", gpu.pci},
                   {"device", nic},
                   {"path", path_name()},
                   {"dedicated", dedicated},
                   {"nic_from", overridden ? "-d" : "topology"}};
  if (!shared_with.empty()) j["shared_with_gpus"] = shared_with;
  return j;
}

std::vector<GpuNicPair> select_pairs(const std::vector<GpuIdentity>& gpus, const topology::Topology& topo,
                                     const topology::Pairing& pairing, const PairRequest& request) {
  if (gpus.empty()) throw UsageError("no CUDA device to pair with a NIC");
  std::vector<GpuIdentity> selected;
  if (request.all_gpus) {
    selected = gpus;
  } else {
    const int want = request.gpu.value_or(0);
    const auto it = std::find_if(gpus.begin(), gpus.end(), [&](const GpuIdentity& g) { return g.ordinal == want; });
    if (it == gpus.end())
      throw UsageError("--gpu " + std::to_string(want) + ": this host has " + std::to_string(gpus.size()) +
                       " CUDA device" + (gpus.size() == 1 ? "" : "s") + " (0-" + std::to_string(gpus.size() - 1) + ")");
    selected.push_back(*it);
  }
  if (request.devices.size() > 1 && request.devices.size() != selected.size())
    throw UsageError("-d names " + std::to_string(request.devices.size()) + " NICs for " +
                     std::to_string(selected.size()) + " GPU" + (selected.size() == 1 ? "" : "s") +
                     ": give one NIC for all, or one per GPU in --all-gpus order");

  // Topology GPU index -> CUDA ordinal, for "shared with".
  std::vector<int> ordinal_of(topo.gpus.size(), -1);
  for (const auto& g : gpus)
    if (const auto* tg = find_topology_gpu(topo, g.pci)) ordinal_of[static_cast<std::size_t>(tg->index)] = g.ordinal;

  std::vector<GpuNicPair> out;
  for (std::size_t i = 0; i < selected.size(); ++i) {
    GpuNicPair p;
    p.gpu = selected[i];
    const topology::Gpu* tg = find_topology_gpu(topo, p.gpu.pci);
    const topology::GpuAssignment* assignment =
        tg != nullptr && static_cast<std::size_t>(tg->index) < pairing.gpus.size()
            ? &pairing.gpus[static_cast<std::size_t>(tg->index)]
            : nullptr;
    if (!request.devices.empty()) {
      p.nic = request.devices.size() == 1 ? request.devices[0] : request.devices[i];
      p.overridden = true;
      const topology::Nic* tn = find_topology_nic(topo, p.nic);
      if (tg != nullptr && tn != nullptr) p.path = topology::classify(topo, *tg, *tn);
      if (assignment != nullptr && tn != nullptr)
        p.dedicated = std::find(assignment->dedicated_nics.begin(), assignment->dedicated_nics.end(), tn->index) !=
                      assignment->dedicated_nics.end();
    } else {
      if (tg == nullptr)
        throw UsageError(describe_gpu(p.gpu) +
                         " is not in this host's PCI topology, so its NIC is unknown: name it with -d");
      if (assignment == nullptr || !assignment->nic)
        throw UsageError(describe_gpu(p.gpu) +
                         " has no RDMA NIC in the topology (fp_topo shows the PCI tree): name one with -d");
      const topology::Nic& nic = topo.nics[static_cast<std::size_t>(*assignment->nic)];
      p.nic = nic_name(nic);
      p.path = assignment->nic_path;
      p.dedicated = assignment->dedicated();
      for (int other : assignment->shared_with)
        if (other >= 0 && static_cast<std::size_t>(other) < ordinal_of.size())
          p.shared_with.push_back(ordinal_of[static_cast<std::size_t>(other)]);
    }
    out.push_back(std::move(p));
  }
  // Forced sharing with -d: GPUs measured together on one NIC.
  if (!request.devices.empty()) {
    for (auto& p : out)
      for (const auto& q : out)
        if (&p != &q && p.nic == q.nic) p.shared_with.push_back(q.gpu.ordinal);
  }
  return out;
}

Check pair_path_check(const GpuNicPair& pair) {
  Check c;
  c.name = "gpu_nic_path";
  c.expected = "PIX";
  c.measured = pair.path_name();
  c.labels = {{"gpu", pair.gpu.ordinal}, {"device", pair.nic}};
  std::string what = describe_gpu(pair.gpu) + " -> " + pair.nic + ": " + pair.path_name();
  if (pair.overridden) what += " (NIC from -d)";
  if (!pair.shared_with.empty()) {
    what += "; NIC shared with GPU";
    for (std::size_t i = 0; i < pair.shared_with.size(); ++i)
      what += (i ? "," : " ") + std::to_string(pair.shared_with[i]);
  }
  if (pair.path == topology::PathClass::pix) {
    c.status = CheckStatus::pass;
    c.detail = what;
  } else if (!pair.path) {
    c.status = CheckStatus::warn;
    c.detail = what + ": the path between them is unknown (not both in the PCI topology); run fp_topo";
  } else {
    c.status = CheckStatus::warn;
    c.detail = what + ": not under one PCIe switch (" + std::string(topology::describe(*pair.path)) +
               "); GPUDirect RDMA traffic crosses " +
               (*pair.path == topology::PathClass::pxb ? "several PCIe switches" : "the CPU") +
               " and usually falls short of line rate";
  }
  return c;
}

}  // namespace fabricperf::gdr
