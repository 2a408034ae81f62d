// The pairing checks: gpu_nic_one_to_one (the headline) and gpu_nic_numa.
#include <algorithm>
#include <map>

#include "check_helpers.hpp"
#include "fabricperf/topology/checks.hpp"
#include "fabricperf/topology/path.hpp"

namespace fabricperf::topology {

using namespace detail;  // the shared check vocabulary (check_helpers.hpp)
using nlohmann::json;

Check check_gpu_nic_one_to_one(const Topology& topo, const Pairing& pairing) {
  const std::string name = "gpu_nic_one_to_one";
  if (topo.gpus.empty()) {
    Check check =
        skipped(name, topo, "no GPU found: nothing to pair (" + std::to_string(topo.nics.size()) + " NIC(s))");
    check.measured = json{{"gpus", 0}, {"nics", topo.nics.size()}};
    return check;
  }
  Check check = make_check(name, topo);
  check.expected = "every GPU has a dedicated NIC at PIX (same PCIe switch)";
  if (pairing.cards.empty()) {
    check.status = CheckStatus::fail;
    check.detail = std::to_string(topo.gpus.size()) + " GPU(s) but no RDMA NIC that can do GPUDirect" +
                   (topo.nics.empty() ? "" : " (software RDMA devices such as rxe cannot)");
    check.measured = json{{"gpus", topo.gpus.size()}, {"nics", 0}};
    return check;
  }
  json pairs = json::array();
  CheckStatus status = CheckStatus::pass;
  std::size_t dedicated_pix = 0;
  std::vector<std::string> no_nic;
  std::map<int, std::vector<std::string>> sharing;        // card -> GPUs using it
  std::map<PathClass, std::vector<std::string>> distant;  // path class -> "GPUn->nic"
  for (const auto& a : pairing.gpus) {
    const std::string who = "GPU" + std::to_string(a.gpu);
    json pair{{"gpu", a.gpu},
              {"nic", a.nic && a.dedicated() ? json(nic_at(topo, *a.nic).id) : json(nullptr)},
              {"path", a.nic_path ? json(std::string(to_string(*a.nic_path))) : json(nullptr)}};
    if (!a.shared_with.empty()) pair["shared_with"] = a.shared_with;
    pairs.push_back(std::move(pair));
    if (!a.nic) {
      no_nic.push_back(who);
      status = CheckStatus::fail;
      continue;
    }
    if (!a.shared_with.empty() || !a.dedicated()) {
      sharing[pairing.card_of_nic[static_cast<std::size_t>(*a.nic)]].push_back(who);
      status = CheckStatus::fail;
    }
    if (*a.nic_path == PathClass::pxb) {
      distant[PathClass::pxb].push_back(who + "->" + nic_at(topo, *a.nic).id);
      status = worse(status, CheckStatus::warn);
    } else if (*a.nic_path != PathClass::pix) {
      distant[*a.nic_path].push_back(who + "->" + nic_at(topo, *a.nic).id);
      status = CheckStatus::fail;
    } else if (a.dedicated() && a.shared_with.empty()) {
      ++dedicated_pix;
    }
  }
  std::vector<std::string> problems;
  if (!no_nic.empty()) problems.push_back("no RDMA NIC for " + join(no_nic));
  for (const auto& [card, gpus] : sharing) {
    const int first = pairing.cards[static_cast<std::size_t>(card)].nics.front();
    problems.push_back(join(gpus) + " share one NIC, " + nic_at(topo, first).id);
  }
  for (const auto& [path, list] : distant) {
    std::string why;
    switch (path) {
      case PathClass::pxb:
        why = "several PCIe switches apart; GPUDirect works, less directly than PIX";
        break;
      case PathClass::phb:
        why = "through the host bridge: no NIC under the GPU's PCIe switch, or a VM hides the switches";
        break;
      case PathClass::node:
        why = "on another host bridge of the same NUMA node";
        break;
      case PathClass::sys:
        why = "on another NUMA node";
        break;
      case PathClass::pix:
        break;
    }
    problems.push_back("nearest NIC is " + std::string(to_string(path)) + " (" + why + "): " + join(list));
  }
  check.status = status;
  check.measured = json{{"gpus", topo.gpus.size()}, {"dedicated_at_pix", dedicated_pix}, {"pairs", std::move(pairs)}};
  if (status == CheckStatus::pass) {
    std::size_t most = 0;
    for (const auto& a : pairing.gpus) most = std::max(most, a.dedicated_cards.size());
    check.detail = std::to_string(topo.gpus.size()) + "/" + std::to_string(topo.gpus.size()) +
                   " GPUs have a dedicated NIC at PIX" +
                   (most > 1 ? " (up to " + std::to_string(most) + " NICs per GPU)" : "");
  } else {
    check.detail = std::to_string(dedicated_pix) + "/" + std::to_string(topo.gpus.size()) +
                   " GPUs have a dedicated NIC at PIX; " + join(problems, "; ");
  }
  return check;
}

Check check_gpu_nic_numa(const Topology& topo, const Pairing& pairing) {
  const std::string name = "gpu_nic_numa";
  if (topo.gpus.empty()) return skipped(name, topo, "no GPU found");
  Check check = make_check(name, topo);
  check.expected = "each GPU and the NIC it uses on the same NUMA node";
  json rows = json::array();
  std::vector<std::string> wrong;
  std::vector<std::string> unknown;
  int compared = 0;
  for (const auto& a : pairing.gpus) {
    if (!a.nic) continue;
    const Gpu& gpu = topo.gpus[static_cast<std::size_t>(a.gpu)];
    const Nic& nic = nic_at(topo, *a.nic);
    rows.push_back(json{{"gpu", a.gpu}, {"gpu_numa", gpu.numa}, {"nic", nic.id}, {"nic_numa", nic.numa}});
    ++compared;
    if (gpu.numa < 0 || nic.numa < 0) {
      unknown.push_back(gpu_label(topo, a.gpu) + "/" + nic.id);
    } else if (gpu.numa != nic.numa) {
      wrong.push_back(gpu_label(topo, a.gpu) + " on NUMA " + std::to_string(gpu.numa) + " uses " + nic.id +
                      " on NUMA " + std::to_string(nic.numa));
    }
  }
  if (compared == 0) return skipped(name, topo, "no GPU has an RDMA NIC to compare with");
  check.measured = std::move(rows);
  if (!wrong.empty()) {
    check.status = CheckStatus::fail;
    check.detail = join(wrong, "; ");
  } else if (!unknown.empty() && topo.numa_node_count > 1) {
    check.status = CheckStatus::warn;
    const std::size_t count = unknown.size();
    if (unknown.size() > 3) unknown.resize(3);
    check.detail = "NUMA node unknown for " + std::to_string(count) + " GPU/NIC pair(s) (" + join(unknown) +
                   (count > 3 ? ", ..." : "") + "); " + std::to_string(topo.numa_node_count) +
                   " NUMA nodes and the input does not place these devices";
  } else {
    check.status = CheckStatus::pass;
    check.detail = std::to_string(compared) + " GPU/NIC pair(s) on the same NUMA node" +
                   (topo.numa_node_count <= 1 ? " (single NUMA node)" : "");
  }
  return check;
}

}  // namespace fabricperf::topology
