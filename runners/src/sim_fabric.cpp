#include "fabricperf/runners/sim_fabric.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace fabricperf::runners {
namespace {

double uniform(SplitMix64& rng, double lo, double hi) {
  return lo + (hi - lo) * static_cast<double>(rng.next() >> 11) / 9007199254740992.0;
}

}  // namespace

std::string_view fault_kind_name(FaultKind kind) noexcept {
  switch (kind) {
    case FaultKind::slow_nic:
      return "slow_nic";
    case FaultKind::dead_nic:
      return "dead_nic";
    case FaultKind::bad_cable:
      return "bad_cable";
    case FaultKind::flapping_link:
      return "flapping_link";
    case FaultKind::slow_node:
      return "slow_node";
    case FaultKind::miscabled_rail:
      return "miscabled_rail";
  }
  return "slow_nic";
}

std::vector<InjectedFault> draw_faults(const FabricShape& fabric, std::size_t count,
                                       const std::vector<FaultKind>& kinds, SplitMix64& rng) {
  std::vector<FaultKind> usable;
  for (auto k : kinds)
    if (k != FaultKind::miscabled_rail || fabric.rails >= 2) usable.push_back(k);
  std::vector<InjectedFault> out;
  if (usable.empty() || fabric.nodes < 1) return out;
  std::vector<int> nodes(static_cast<std::size_t>(fabric.nodes));
  for (int n = 0; n < fabric.nodes; ++n) nodes[static_cast<std::size_t>(n)] = n;
  shuffle(nodes, rng);
  for (std::size_t i = 0; i < count && i < nodes.size(); ++i) {
    InjectedFault f;
    f.kind = usable[static_cast<std::size_t>(rng.below(usable.size()))];
    f.node = nodes[i];
    f.rail = static_cast<int>(rng.below(static_cast<std::uint64_t>(std::max(fabric.rails, 1))));
    if (f.kind == FaultKind::miscabled_rail)
      f.other_rail =
          (f.rail + 1 + static_cast<int>(rng.below(static_cast<std::uint64_t>(fabric.rails - 1)))) % fabric.rails;
    f.factor = f.kind == FaultKind::flapping_link ? uniform(rng, 0.05, 0.40) : uniform(rng, 0.30, 0.75);
    if (f.kind == FaultKind::slow_node) f.rail = -1;
    out.push_back(f);
  }
  return out;
}

SimulatedFabric::SimulatedFabric(SimFabricOptions options, std::vector<InjectedFault> faults, std::uint64_t seed)
    : o_(std::move(options)), faults_(std::move(faults)), rng_(seed ^ 0x5eedfab1c5ULL) {
  fault_of_node_.assign(static_cast<std::size_t>(std::max(o_.fabric.nodes, 0)), -1);
  for (std::size_t i = 0; i < faults_.size(); ++i)
    fault_of_node_[static_cast<std::size_t>(faults_[i].node)] = static_cast<int>(i);
}

const InjectedFault* SimulatedFabric::fault_on(int node) const {
  const int i = fault_of_node_[static_cast<std::size_t>(node)];
  return i < 0 ? nullptr : &faults_[static_cast<std::size_t>(i)];
}

int SimulatedFabric::plane_of(int node, int rail) const {
  const auto* f = fault_on(node);
  if (f && f->kind == FaultKind::miscabled_rail) {
    if (rail == f->rail) return f->other_rail;
    if (rail == f->other_rail) return f->rail;
  }
  return rail;
}

double SimulatedFabric::adapter_factor(int node, int rail) const {
  const auto* f = fault_on(node);
  if (!f) return 1;
  if (f->kind == FaultKind::slow_node || (f->kind == FaultKind::slow_nic && f->rail == rail)) return f->factor;
  return 1;
}

double SimulatedFabric::cable_factor(int node, int rail) const {
  const auto* f = fault_on(node);
  return f && f->kind == FaultKind::bad_cable && f->rail == rail ? f->factor : 1;
}

double SimulatedFabric::window_factor(int node, int rail) const {
  const auto* f = fault_on(node);
  return f && f->kind == FaultKind::flapping_link && f->rail == rail ? f->factor : 1;
}

bool SimulatedFabric::dead(int node, int rail) const {
  const auto* f = fault_on(node);
  return f && f->kind == FaultKind::dead_nic && f->rail == rail;
}

std::string SimulatedFabric::node_name(int node) const {
  char text[32];
  std::snprintf(text, sizeof text, "node%04d", node);
  return text;
}

std::string SimulatedFabric::device_name(int, int rail) const {
  return "mlx5_" + std::to_string(rail);
}

std::vector<ProbeResult> SimulatedFabric::run_round(const std::string&, RoundKind, const std::vector<Probe>& probes) {
  std::vector<ProbeResult> out(probes.size());
  // Which flows get a connection, and their spine share per physical rail plane.
  std::map<int, std::vector<Flow>> planes;
  std::map<int, std::vector<std::size_t>> index;
  std::vector<double> share(probes.size(), 1.0);
  for (std::size_t i = 0; i < probes.size(); ++i) {
    const auto& p = probes[i];
    auto& r = out[i];
    r.line_rate_gbps = o_.line_rate_gbps;
    if (dead(p.sender, p.sender_rail) || dead(p.receiver, p.receiver_rail)) {
      r.error = "connect timed out (no response from the peer's QP)";
      continue;
    }
    if (!p.loopback() && plane_of(p.sender, p.sender_rail) != plane_of(p.receiver, p.receiver_rail)) {
      r.error = "connect timed out (no path)";
      continue;
    }
    r.measured = true;
    if (!p.loopback()) {
      planes[plane_of(p.sender, p.sender_rail)].push_back({p.receiver, p.sender});
      index[plane_of(p.sender, p.sender_rail)].push_back(i);
    }
  }
  for (const auto& [plane, flows] : planes) {
    const auto s = spine_shares(o_.fabric, flows);
    for (std::size_t j = 0; j < s.size(); ++j) share[index[plane][j]] = s[j];
  }
  for (std::size_t i = 0; i < probes.size(); ++i) {
    auto& r = out[i];
    if (!r.measured) continue;
    const auto& p = probes[i];
    double limit = std::min(adapter_factor(p.sender, p.sender_rail), adapter_factor(p.receiver, p.receiver_rail));
    double window = 1;
    if (!p.loopback()) {  // the wire: cables and the spines
      limit =
          std::min({limit, cable_factor(p.sender, p.sender_rail), cable_factor(p.receiver, p.receiver_rail), share[i]});
      window = std::min(window_factor(p.sender, p.sender_rail), window_factor(p.receiver, p.receiver_rail));
    }
    const double noise = std::min(1.0 + o_.noise_pct / 100.0 * rng_.normal(), 1.0 / o_.healthy_efficiency);
    r.bw_avg_gbps = std::max(0.0, o_.line_rate_gbps * o_.healthy_efficiency * limit * noise);
    const double dip = std::abs(o_.window_dip_pct / 100.0 * rng_.normal());
    r.bw_min_gbps = window < 1 ? r.bw_avg_gbps * window : r.bw_avg_gbps * std::max(0.0, 1.0 - dip);
    if (window < 1) r.bw_avg_gbps *= 0.98;  // a few short drops barely move the average
  }
  return out;
}

}  // namespace fabricperf::runners
