#pragma once
// A simulated fabric behind the ProbeBackend interface, so fp_suite --simulate runs the real
// planner, rounds, attribution and checks at any scale without hardware. The model:
//   * rail-optimized leaves (FabricShape): a flow on rail plane r between two leaves shares its
//     leaves' uplinks (spine_shares, the same oversubscription model the judge expects with);
//   * every NIC reaches healthy_efficiency of its line rate, per flow times (1 + N(0, noise));
//     the lowest window (bw_min_gbps) a little under the average;
//   * injected faults (draw_faults): slow NIC (adapter slow, loopback too), dead NIC (no
//     connection, no loopback), bad cable (that NIC's cable slow both ways, loopback fine),
//     flapping link (that cable's lowest window low, average fine), slow node (every rail slow),
//     mis-cabled rail (two NICs of a node with their cables swapped: each reaches the other's
//     rail plane only).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fabricperf/runners/attribution.hpp"
#include "fabricperf/runners/random.hpp"

namespace fabricperf::runners {

enum class FaultKind { slow_nic, dead_nic, bad_cable, flapping_link, slow_node, miscabled_rail };
inline constexpr FaultKind kFaultKinds[] = {FaultKind::slow_nic,      FaultKind::dead_nic,  FaultKind::bad_cable,
                                            FaultKind::flapping_link, FaultKind::slow_node, FaultKind::miscabled_rail};
[[nodiscard]] std::string_view fault_kind_name(FaultKind kind) noexcept;

struct InjectedFault {
  FaultKind kind = FaultKind::slow_nic;
  int node = 0;
  int rail = 0;         // slow_node: unused
  int other_rail = -1;  // miscabled_rail: the rail swapped with
  double factor = 1;    // slow: share of the healthy rate; flapping: share for the lowest window
};

struct SimFabricOptions {
  FabricShape fabric;
  double line_rate_gbps = 400;
  double healthy_efficiency = 0.97;  // share of line rate a healthy flow reaches
  double noise_pct = 1.0;            // per-flow noise (one standard deviation)
  double window_dip_pct = 2.0;       // healthy lowest window under the average (one standard deviation)
};

// `count` faults of the given kinds (drawn uniformly among them), on distinct nodes, each with a
// random rail and severity: slow 30-75 % of the healthy rate, flapping windows 5-40 %.
[[nodiscard]] std::vector<InjectedFault> draw_faults(const FabricShape& fabric, std::size_t count,
                                                     const std::vector<FaultKind>& kinds, SplitMix64& rng);

class SimulatedFabric final : public ProbeBackend {
 public:
  SimulatedFabric(SimFabricOptions options, std::vector<InjectedFault> faults, std::uint64_t seed);
  std::vector<ProbeResult> run_round(const std::string& name, RoundKind kind,
                                     const std::vector<Probe>& probes) override;
  [[nodiscard]] std::string node_name(int node) const override;              // node0007
  [[nodiscard]] std::string device_name(int node, int rail) const override;  // mlx5_3
  [[nodiscard]] const std::vector<InjectedFault>& faults() const noexcept { return faults_; }

 private:
  [[nodiscard]] int plane_of(int node, int rail) const;
  [[nodiscard]] double adapter_factor(int node, int rail) const;  // the NIC and its host
  [[nodiscard]] double cable_factor(int node, int rail) const;
  [[nodiscard]] double window_factor(int node, int rail) const;
  [[nodiscard]] bool dead(int node, int rail) const;
  [[nodiscard]] const InjectedFault* fault_on(int node) const;

  SimFabricOptions o_;
  std::vector<InjectedFault> faults_;
  std::vector<int> fault_of_node_;  // index into faults_, -1 for a healthy node
  SplitMix64 rng_;
};

}  // namespace fabricperf::runners
