#include "fabricperf/topology/checks.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "check_helpers.hpp"
#include "fabricperf/topology/path.hpp"
#include "fabricperf/topology/sysfs.hpp"

namespace fabricperf::topology {
namespace {

using nlohmann::json;

using namespace detail;  // the shared check vocabulary (check_helpers.hpp)

std::string file_input_detail(const Topology& topo) {
  return std::string("live-only check; the input is a file (") + to_string(topo.source) + ")";
}

std::string format_gts(double gts) {
  char text[32];
  std::snprintf(text, sizeof text, "%g GT/s", gts);
  return text;
}

// Hardware NICs some GPU uses (dedicated or shared), in NIC order.
std::vector<int> nics_in_use(const Pairing& pairing) {
  std::set<int> used;
  for (const auto& a : pairing.gpus) {
    for (const int n : a.dedicated_nics) used.insert(n);
    if (a.nic) used.insert(*a.nic);
  }
  return {used.begin(), used.end()};
}

struct AcsPortFinding {
  std::string pci;
  std::optional<AcsState> acs;  // nullopt: no ACS capability
  bool readable = false;
};

// The switch/port bridges between a GPU and a NIC, with their ACS state.
std::vector<AcsPortFinding> acs_on_path(const Topology& topo, int gpu_node, int nic_node, const CheckOptions& options) {
  std::vector<AcsPortFinding> findings;
  for (const int b : bridges_between(topo, gpu_node, nic_node)) {
    const Node& node = topo.nodes[static_cast<std::size_t>(b)];
    if (!node.pci) continue;
    AcsPortFinding f;
    f.pci = node.pci->str();
    const auto config = read_config_space(options.roots.sys, *node.pci);
    f.readable = config && has_extended_config(*config);
    if (f.readable) f.acs = parse_acs(*config);
    findings.push_back(std::move(f));
  }
  return findings;
}

std::string acs_flags(const AcsState& acs) {
  std::vector<std::string> flags;
  if (acs.request_redirect()) flags.emplace_back("ReqRedir+");
  if (acs.completion_redirect()) flags.emplace_back("CmpltRedir+");
  if (acs.direct_translated()) flags.emplace_back("DirectTrans+");
  char control[16];
  std::snprintf(control, sizeof control, "0x%04x", acs.control);
  return join(flags, " ") + " (ACSCtl " + control + ")";
}

}  // namespace

Check check_pcie_link(const Topology& topo, const CheckOptions& options) {
  const std::string name = "pcie_link";
  if (!options.live) return skipped(name, topo, file_input_detail(topo));
  struct Item {
    std::string who;
    PciAddress pci;
    bool gpu;
  };
  std::vector<Item> items;
  std::set<PciAddress> seen;
  for (const Gpu& gpu : topo.gpus) {
    if (seen.insert(gpu.pci).second) items.push_back({"GPU" + std::to_string(gpu.index), gpu.pci, true});
  }
  for (const Nic& nic : topo.nics) {
    if (!nic.software && nic.pci && seen.insert(*nic.pci).second) items.push_back({nic.id, *nic.pci, false});
  }
  if (items.empty()) return skipped(name, topo, "no GPU or hardware NIC");
  Check check = make_check(name, topo);
  check.expected = "current link speed and width at their maximum";
  json rows = json::array();
  std::vector<std::string> problems;
  CheckStatus status = CheckStatus::skip;
  int known = 0;
  for (const Item& item : items) {
    const auto link = read_pcie_link(options.roots.sys, item.pci);
    if (!link || link->max_gts <= 0 || link->max_width <= 0 || link->current_gts <= 0 || link->current_width <= 0) {
      continue;
    }
    ++known;
    rows.push_back(json{{"device", item.who},
                        {"pci", item.pci.str()},
                        {"current_gts", link->current_gts},
                        {"max_gts", link->max_gts},
                        {"current_width", link->current_width},
                        {"max_width", link->max_width}});
    const std::string where = item.who + " (" + item.pci.str() + ")";
    CheckStatus mine = CheckStatus::pass;
    if (link->current_width < link->max_width) {
      problems.push_back(where + " runs x" + std::to_string(link->current_width) + " of x" +
                         std::to_string(link->max_width));
      mine = CheckStatus::fail;
    }
    if (link->current_gts < link->max_gts) {
      if (item.gpu) {
        problems.push_back(where + " at " + format_gts(link->current_gts) + " of " + format_gts(link->max_gts) +
                           " (GPUs lower their link speed when idle: rerun under load to be sure)");
        mine = worse(mine, CheckStatus::warn);
      } else {
        problems.push_back(where + " at " + format_gts(link->current_gts) + " of " + format_gts(link->max_gts));
        mine = CheckStatus::fail;
      }
    }
    status = worse(status, mine);
  }
  if (known == 0) return skipped(name, topo, "sysfs gives no link speed/width for these devices (VM?)");
  check.status = status;
  check.measured = std::move(rows);
  check.detail = problems.empty()
                     ? std::to_string(known) + " device(s) at full link speed and width"
                     : join(problems, "; ");
  return check;
}

Check check_acs_redirect(const Topology& topo, const Pairing& pairing, const CheckOptions& options) {
  const std::string name = "acs_redirect";
  if (!options.live) return skipped(name, topo, file_input_detail(topo));
  if (topo.gpus.empty()) return skipped(name, topo, "no GPU found");
  Check check = make_check(name, topo);
  check.expected = "ACS P2P request/completion redirect off on switch ports between each GPU and its NIC";
  json rows = json::array();
  std::vector<std::string> redirecting;
  std::set<std::string> checked;
  std::set<std::string> unreadable;
  int pairs = 0;
  for (const auto& a : pairing.gpus) {
    if (!a.nic || !a.nic_path || *a.nic_path > PathClass::pxb) continue;
    ++pairs;
    const Gpu& gpu = topo.gpus[static_cast<std::size_t>(a.gpu)];
    for (const auto& f : acs_on_path(topo, gpu.node, nic_at(topo, *a.nic).node, options)) {
      if (!f.readable) {
        unreadable.insert(f.pci);
        continue;
      }
      if (!checked.insert(f.pci).second) continue;
      json row{{"pci", f.pci}, {"acs", f.acs.has_value()}};
      if (f.acs) {
        row["control"] = f.acs->control;
        row["request_redirect"] = f.acs->request_redirect();
        row["completion_redirect"] = f.acs->completion_redirect();
        if (f.acs->redirects_peer_traffic()) {
          redirecting.push_back(f.pci + " " + acs_flags(*f.acs) + " between " + gpu_label(topo, a.gpu) + " and " +
                                nic_at(topo, *a.nic).id);
        }
      }
      rows.push_back(std::move(row));
    }
  }
  if (pairs == 0) return skipped(name, topo, "no GPU shares a PCIe switch with its NIC: ACS redirect does not apply");
  check.measured = std::move(rows);
  if (!redirecting.empty()) {
    check.status = CheckStatus::fail;
    check.detail = "peer-to-peer traffic is redirected to the root complex: " + join(redirecting, "; ") +
                   " (disable ACS on these ports, or enable ATS and ACS Direct Translated P2P)";
  } else if (checked.empty()) {
    check.status = CheckStatus::skip;
    check.detail = "extended PCI config space of " + std::to_string(unreadable.size()) +
                   " switch port(s) not readable (needs root)";
  } else if (!unreadable.empty()) {
    check.status = CheckStatus::warn;
    check.detail = "ACS redirect off on " + std::to_string(checked.size()) + " port(s); " +
                   std::to_string(unreadable.size()) + " not readable (needs root)";
  } else {
    check.status = CheckStatus::pass;
    check.detail = "ACS redirect off on all " + std::to_string(checked.size()) + " switch port(s) between GPUs and NICs";
  }
  return check;
}

Check check_nic_ats(const Topology& topo, const Pairing& pairing, const CheckOptions& options) {
  const std::string name = "nic_ats";
  if (!options.live) return skipped(name, topo, file_input_detail(topo));
  if (topo.gpus.empty()) return skipped(name, topo, "no GPU found: no NIC does GPUDirect");
  const std::vector<int> used = nics_in_use(pairing);
  if (used.empty()) return skipped(name, topo, "no GPU has an RDMA NIC");
  // NICs whose path to a GPU goes through an ACS-redirecting port: there ATS is what keeps
  // translated peer traffic inside the switch (ACS Direct Translated P2P).
  std::set<int> behind_redirect;
  for (const auto& a : pairing.gpus) {
    if (!a.nic || !a.nic_path || *a.nic_path > PathClass::pxb) continue;
    const Gpu& gpu = topo.gpus[static_cast<std::size_t>(a.gpu)];
    for (const int n : a.dedicated_nics.empty() ? std::vector<int>{*a.nic} : a.dedicated_nics) {
      for (const auto& f : acs_on_path(topo, gpu.node, nic_at(topo, n).node, options)) {
        if (f.acs && f.acs->redirects_peer_traffic()) behind_redirect.insert(n);
      }
    }
  }
  Check check = make_check(name, topo);
  check.expected = "ATS capability present and enabled on NICs used for GPUDirect";
  json rows = json::array();
  std::vector<std::string> off;
  std::vector<std::string> fatal;
  int readable = 0;
  int enabled = 0;
  std::set<PciAddress> seen;
  for (const int n : used) {
    const Nic& nic = nic_at(topo, n);
    if (!nic.pci || nic.software || !seen.insert(*nic.pci).second) continue;
    const auto config = read_config_space(options.roots.sys, *nic.pci);
    if (!config || !has_extended_config(*config)) continue;
    ++readable;
    const auto ats = parse_ats(*config);
    rows.push_back(json{{"nic", nic.id}, {"pci", nic.pci->str()}, {"ats", ats.has_value()},
                        {"enabled", ats && ats->enabled()}});
    if (ats && ats->enabled()) {
      ++enabled;
      continue;
    }
    const std::string what = nic.id + (ats ? ": ATS capable but disabled" : ": no ATS capability");
    off.push_back(what);
    if (behind_redirect.count(n)) fatal.push_back(what + " behind an ACS-redirecting port");
  }
  if (readable == 0) {
    return skipped(name, topo, "extended PCI config space of the NICs not readable (needs root)");
  }
  check.measured = std::move(rows);
  if (!fatal.empty()) {
    check.status = CheckStatus::fail;
    check.detail = join(fatal, "; ") + ": GPU peer traffic goes through the root complex";
  } else if (!off.empty()) {
    check.status = CheckStatus::warn;
    check.detail = join(off, "; ") + " (needed where ACS redirects peer traffic, e.g. in VMs)";
  } else {
    check.status = CheckStatus::pass;
    check.detail = "ATS enabled on " + std::to_string(enabled) + " NIC function(s)";
  }
  return check;
}

Check check_peer_memory(const Topology& topo, const CheckOptions& options) {
  const std::string name = "peer_memory";
  if (!options.live) return skipped(name, topo, file_input_detail(topo));
  if (topo.gpus.empty()) return skipped(name, topo, "no GPU found");
  const PeerMemoryStatus s = read_peer_memory_status(options.roots, options.boot_dir);
  Check check = make_check(name, topo);
  check.expected = "nvidia_peermem loaded, or dma-buf possible";
  check.measured = json{{"nvidia_peermem", s.nvidia_peermem},
                        {"nv_peer_mem", s.nv_peer_mem},
                        {"nvidia_driver", s.nvidia_driver},
                        {"open_kernel_module", s.open_kernel_module},
                        {"kernel", s.kernel},
                        {"rdma_core", s.rdma_core},
                        {"dmabuf_possible", s.dmabuf_possible()}};
  if (s.nvidia_peermem || s.nv_peer_mem) {
    check.status = CheckStatus::pass;
    check.detail = std::string(s.nvidia_peermem ? "nvidia_peermem" : "nv_peer_mem") + " loaded";
  } else if (s.dmabuf_possible()) {
    check.status = CheckStatus::pass;
    check.detail = "dma-buf possible (Linux " + s.kernel + ", NVIDIA open kernel module " + s.nvidia_driver +
                   ", rdma-core " + s.rdma_core + "); nvidia_peermem not loaded";
  } else {
    check.status = CheckStatus::fail;
    check.detail = "nvidia_peermem not loaded and dma-buf not possible: " + s.dmabuf_missing();
  }
  return check;
}

Check check_ib_port(const Topology& topo, const Pairing& pairing, const CheckOptions& options) {
  const std::string name = "ib_port";
  if (!options.live) return skipped(name, topo, file_input_detail(topo));
  const std::vector<int> used_list = nics_in_use(pairing);
  const std::set<int> used(used_list.begin(), used_list.end());
  Check check = make_check(name, topo);
  check.expected = "ports ACTIVE; one link layer; rates alike";
  json rows = json::array();
  std::vector<std::string> down_used;
  std::vector<std::string> down_other;
  std::set<std::string> layers;
  double best_rate = 0;
  int ports = 0;
  for (const Nic& nic : topo.nics) {
    for (const NicPort& port : nic.ports) {
      ++ports;
      rows.push_back(json{{"device", nic.id}, {"port", port.port}, {"state", port.state},
                          {"link_layer", port.link_layer}, {"rate", port.rate}, {"rate_gbps", port.rate_gbps}});
      if (!port.link_layer.empty()) layers.insert(port.link_layer);
      best_rate = std::max(best_rate, port.rate_gbps);
      if (port.state != "ACTIVE") {
        const std::string what = nic.id + " port " + std::to_string(port.port) + " is " +
                                 (port.state.empty() ? std::string("in an unknown state") : port.state);
        (topo.gpus.empty() || used.count(nic.index) ? down_used : down_other).push_back(what);
      }
    }
  }
  if (ports == 0) return skipped(name, topo, topo.nics.empty() ? "no RDMA device" : "no RDMA port information");
  std::vector<std::string> slow;
  for (const Nic& nic : topo.nics) {
    for (const NicPort& port : nic.ports) {
      if (port.state == "ACTIVE" && port.rate_gbps > 0 && port.rate_gbps < best_rate) {
        slow.push_back(nic.id + " port " + std::to_string(port.port) + " at " + port.rate);
      }
    }
  }
  check.measured = std::move(rows);
  std::vector<std::string> notes;
  if (!down_used.empty()) notes.push_back(join(down_used, "; "));
  if (!down_other.empty()) notes.push_back(join(down_other, "; ") + " (not used by any GPU)");
  if (layers.size() > 1) notes.push_back("mixed link layers: " + join({layers.begin(), layers.end()}));
  if (!slow.empty()) notes.push_back("slower than the others: " + join(slow));
  if (!down_used.empty()) {
    check.status = CheckStatus::fail;
  } else if (!notes.empty()) {
    check.status = CheckStatus::warn;
  } else {
    check.status = CheckStatus::pass;
  }
  if (notes.empty()) {
    std::string summary = std::to_string(ports) + " port(s) ACTIVE";
    if (!layers.empty()) summary += ", " + *layers.begin();
    for (const Nic& nic : topo.nics) {
      if (!nic.ports.empty() && !nic.ports.front().rate.empty()) {
        summary += ", " + nic.ports.front().rate;
        break;
      }
    }
    check.detail = summary;
  } else {
    check.detail = join(notes, "; ");
  }
  return check;
}

std::vector<Check> run_checks(const Topology& topo, const Pairing& pairing, const CheckOptions& options) {
  return {check_gpu_nic_one_to_one(topo, pairing), check_gpu_nic_numa(topo, pairing),
          check_pcie_link(topo, options),          check_acs_redirect(topo, pairing, options),
          check_nic_ats(topo, pairing, options),   check_peer_memory(topo, options),
          check_ib_port(topo, pairing, options)};
}

}  // namespace fabricperf::topology
