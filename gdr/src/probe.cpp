#include "fabricperf/gdr/probe.hpp"

#include "fabricperf/error.hpp"
#include "fabricperf/gdr/cuda.hpp"
#include "fabricperf/gdr/gpu_memory.hpp"
#include "fabricperf/gdr/registration.hpp"
#include "fabricperf/topology/checks.hpp"
#include "fabricperf/topology/hwloc_reader.hpp"

namespace fabricperf::gdr {

std::optional<CudaUnavailable> check_cuda_usable(MemoryKind kind, const GpuCapabilities& caps) {
  if (!needs_cuda(kind)) return std::nullopt;
  const auto blocked = cuda_blocker(caps);
  if (!blocked) return std::nullopt;
  CudaUnavailable u;
  u.message =
      "--mem " + std::string(to_string(kind)) + " needs a CUDA GPU, but " + blocked->reason + "; " + blocked->remedy;
  u.check.name = "cuda_device";
  u.check.status = CheckStatus::fail;
  u.check.expected = "at least 1 CUDA device";
  u.check.measured = caps.cuda_devices;
  u.check.detail = u.message;
  u.check.labels = {{"mem", std::string(to_string(kind))}};
  return u;
}

std::vector<GpuIdentity> list_gpus() {
  const auto a = cuda::availability();
  std::vector<GpuIdentity> out;
  for (int i = 0; i < a.devices; ++i) {
    const auto d = cuda::describe_device(i);
    out.push_back({i, d.name, d.pci_bus_id});
  }
  return out;
}

namespace {

// The detail of a failed/warned topology check that names this pair's GPU or NIC.
std::string hint_for(const Check& c, const GpuNicPair& pair) {
  if (c.status != CheckStatus::fail && c.status != CheckStatus::warn) return "";
  if (c.detail.find(pair.nic) == std::string::npos && c.detail.find(pair.gpu.pci) == std::string::npos) return "";
  return c.name + ": " + c.detail;
}

}  // namespace

HostPlan plan_pairs(const std::vector<GpuIdentity>& gpus, const PairRequest& request) {
  HostPlan plan;
  topology::Topology topo;
  topology::Pairing pairing;
  bool have_topology = false;
  try {
    topo = topology::load_live();
    pairing = topology::pair_gpus_with_nics(topo);
    have_topology = true;
  } catch (const Error& e) {
    if (request.devices.empty())
      throw Error(std::string("reading this host's PCI topology to pair GPUs with NICs failed (") + e.what() +
                  "); name the NIC with -d");
    plan.warnings.push_back(std::string("PCI topology unavailable (") + e.what() + "): GPU-NIC paths unknown");
  }
  plan.pairs = select_pairs(gpus, topo, pairing, request);
  plan.topology_hints.assign(plan.pairs.size(), "");
  if (have_topology) {
    topology::CheckOptions options;
    options.live = true;
    std::vector<Check> checks;
    try {
      checks.push_back(topology::check_acs_redirect(topo, pairing, options));
      checks.push_back(topology::check_nic_ats(topo, pairing, options));
    } catch (const std::exception& e) {
      plan.warnings.push_back(std::string("ACS/ATS checks failed: ") + e.what());
    }
    for (std::size_t i = 0; i < plan.pairs.size(); ++i) {
      std::string hint;
      for (const auto& c : checks) {
        const std::string h = hint_for(c, plan.pairs[i]);
        if (!h.empty()) hint += (hint.empty() ? "" : "; ") + h;
      }
      plan.topology_hints[i] = hint;
    }
  }
  return plan;
}

GpuCapabilities probe_capabilities(int gpu, const std::string& nic, const std::string& topology_hint) {
  GpuCapabilities caps;
  probe_system_facts(caps);
  fill_cuda_capabilities(caps, gpu);
  caps.nic = nic;
  if (!nic.empty()) caps.nic_dmabuf = probe_nic_dmabuf(nic);
  caps.topology_hint = topology_hint;
  return caps;
}

}  // namespace fabricperf::gdr
