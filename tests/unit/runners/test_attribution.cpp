// Adaptive attribution on small simulated fabrics with fixed seeds: each fault kind attributed to
// exactly its node, NIC or link; healthy nodes never accused; the checks' wording; a backend
// without loopback and cross-rail probes (the verbs link runner) gives the honest weaker verdict.
#include <gtest/gtest.h>

#include <regex>

#include "fabricperf/runners/attribution.hpp"
#include "fabricperf/runners/sim_fabric.hpp"
#include "fabricperf/runners/simulate.hpp"

namespace fr = fabricperf::runners;

namespace {

fr::SimulateOptions small(int nodes, int rails, std::size_t faults, std::vector<fr::FaultKind> kinds) {
  fr::SimulateOptions o;
  o.plan = fr::load_preset("go-live");
  o.plan.fabric.nodes_per_leaf = 8;
  o.shape.nodes = nodes;
  o.shape.rails = rails;
  o.shape.line_rate_gbps = 400;
  o.faults = faults;
  o.kinds = std::move(kinds);
  return o;
}

// The verbs link runner's view: same fabric, but no loopback and no cross-rail probes.
class NoLoopbackBackend final : public fr::ProbeBackend {
 public:
  explicit NoLoopbackBackend(fr::SimulatedFabric& inner) : inner_(inner) {}
  std::vector<fr::ProbeResult> run_round(const std::string& name, fr::RoundKind kind,
                                         const std::vector<fr::Probe>& probes) override {
    if (kind == fr::RoundKind::loopback || kind == fr::RoundKind::cross_rail) {
      std::vector<fr::ProbeResult> out(probes.size());
      for (auto& r : out) r.unsupported = true;
      return out;
    }
    return inner_.run_round(name, kind, probes);
  }
  std::string node_name(int node) const override { return inner_.node_name(node); }
  std::string device_name(int node, int rail) const override { return inner_.device_name(node, rail); }

 private:
  fr::SimulatedFabric& inner_;
};

// A NIC slow only when it sends (as tc's egress shaping makes one on the testbed).
class SlowSenderBackend final : public fr::ProbeBackend {
 public:
  SlowSenderBackend(fr::SimulatedFabric& inner, int node, int rail) : inner_(inner), node_(node), rail_(rail) {}
  std::vector<fr::ProbeResult> run_round(const std::string& name, fr::RoundKind kind,
                                         const std::vector<fr::Probe>& probes) override {
    auto out = inner_.run_round(name, kind, probes);
    for (std::size_t i = 0; i < probes.size(); ++i)
      if (probes[i].sender == node_ && probes[i].sender_rail == rail_ && !probes[i].loopback()) {
        out[i].bw_avg_gbps *= 0.1;
        out[i].bw_min_gbps *= 0.1;
      }
    return out;
  }
  std::string node_name(int node) const override { return inner_.node_name(node); }
  std::string device_name(int node, int rail) const override { return inner_.device_name(node, rail); }

 private:
  fr::SimulatedFabric& inner_;
  int node_, rail_;
};

}  // namespace

TEST(Attribution, SlowOnlyWhenSendingOnThreeNodes) {
  // Three nodes, one rail: every NIC met the slow one in the full rounds, so the known-good pool
  // is empty and the least-suspect NICs stand in; both directions are retested at once.
  for (int nodes : {3, 4, 16}) {
    SCOPED_TRACE(std::to_string(nodes) + " nodes");
    auto o = small(nodes, 1, 0, {fr::FaultKind::slow_nic});
    fr::SimFabricOptions sim;
    sim.fabric = fr::fabric_shape(o.plan, o.shape);
    fr::SimulatedFabric fabric(sim, {}, 5);
    SlowSenderBackend backend(fabric, 1, 0);
    const auto schedule = fr::plan_suite(o.plan, o.shape);
    const auto* bw = schedule.find("verbs_bw");
    const auto report =
        fr::run_adaptive_bandwidth(backend, {bw->rounds, bw->round_names}, fr::attribution_options(o.plan, sim.fabric));
    ASSERT_EQ(report.findings.size(), 1u) << report.findings.back().detail;
    EXPECT_EQ(report.findings[0].node, 1);
    EXPECT_EQ(report.findings[0].rail, 0);
    EXPECT_EQ(report.findings[0].cause, "slow");
    EXPECT_GE(report.findings[0].good_peers, 1);
  }
}

TEST(Attribution, EachFaultKindAttributedExactly) {
  for (auto kind : fr::kFaultKinds) {
    SCOPED_TRACE(std::string(fr::fault_kind_name(kind)));
    const auto o = small(64, 4, 1, {kind});
    for (std::uint64_t seed = 1; seed <= 25; ++seed) {
      const auto r = fr::run_scenario(o, seed);
      ASSERT_EQ(r.faults.size(), 1u);
      EXPECT_TRUE(r.faults[0].detected) << "seed " << seed;
      EXPECT_TRUE(r.faults[0].attributed_correctly)
          << "seed " << seed << ", node " << r.faults[0].fault.node << ", findings " << r.report.findings.size();
      EXPECT_TRUE(r.false_findings.empty()) << "seed " << seed << ": " << r.false_findings.front().detail;
      EXPECT_EQ(r.healthy_nodes_accused, 0u);
    }
  }
}

TEST(Attribution, FiveFaultsAtOnceOversubscribedFabric) {
  auto o = small(128, 8, 5, {std::begin(fr::kFaultKinds), std::end(fr::kFaultKinds)});
  o.plan.fabric.oversubscription = 2;
  std::size_t correct = 0, total = 0;
  for (std::uint64_t seed = 100; seed < 130; ++seed) {
    const auto r = fr::run_scenario(o, seed);
    EXPECT_EQ(r.healthy_nodes_accused, 0u) << "seed " << seed;
    for (const auto& f : r.faults) {
      ++total;
      correct += f.attributed_correctly;
      EXPECT_TRUE(f.detected) << "seed " << seed << " " << fr::fault_kind_name(f.fault.kind);
    }
  }
  EXPECT_EQ(total, 150u);
  EXPECT_GE(correct, 148u);  // >= 99 %
}

TEST(Attribution, HealthyFabricPassesWithoutRetests) {
  const auto o = small(64, 8, 0, {fr::FaultKind::slow_nic});
  const auto r = fr::run_scenario(o, 9);
  EXPECT_TRUE(r.report.findings.empty());
  EXPECT_EQ(r.report.flows_below, 0u);
  EXPECT_EQ(r.report.rounds.size(), 4u);  // the full-rate rounds only
  EXPECT_EQ(r.report.flows_measured, 4u * 64u * 8u);
}

TEST(Attribution, ChecksNameNodeRailDeviceAndNumbers) {
  const auto o = small(64, 8, 1, {fr::FaultKind::slow_nic});
  const auto r = fr::run_scenario(o, 4);
  ASSERT_EQ(r.report.findings.size(), 1u);
  fr::SimFabricOptions names;
  const fr::SimulatedFabric namer(names, {}, 0);
  const auto checks = fr::attribution_checks("verbs_bw", r.report, namer);
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].name, "verbs_bw_attribution");
  EXPECT_EQ(checks[0].status, fabricperf::CheckStatus::fail);
  const auto& f = r.faults[0].fault;
  const std::string head = namer.node_name(f.node) + " rail " + std::to_string(f.rail) + " \\(mlx5_" +
                           std::to_string(f.rail) + "\\): [0-9]+ Gb/s against 3 good peers \\(expected >= 360\\)";
  EXPECT_TRUE(std::regex_search(checks[0].detail, std::regex("^" + head))) << checks[0].detail;
  EXPECT_EQ(checks[0].labels["level"], "nic");
  EXPECT_EQ(checks[0].labels["rail"], f.rail);
}

TEST(Attribution, WithoutLoopbackOrCrossRailTheVerdictSaysSo) {
  auto o = small(64, 4, 1, {fr::FaultKind::bad_cable});
  fr::SimFabricOptions sim;
  sim.fabric = fr::fabric_shape(o.plan, o.shape);
  const fr::InjectedFault cable{fr::FaultKind::bad_cable, 9, 2, -1, 0.5};
  fr::SimulatedFabric fabric(sim, {cable}, 1);
  NoLoopbackBackend backend(fabric);
  const auto schedule = fr::plan_suite(o.plan, o.shape);
  const auto* bw = schedule.find("verbs_bw");
  ASSERT_NE(bw, nullptr);
  const auto options = fr::attribution_options(o.plan, sim.fabric);
  auto report = fr::run_adaptive_bandwidth(backend, {bw->rounds, bw->round_names}, options);
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].level, fr::FaultLevel::nic);
  EXPECT_EQ(report.findings[0].node, 9);
  EXPECT_NE(report.findings[0].detail.find("the NIC or its cable"), std::string::npos) << report.findings[0].detail;

  const fr::InjectedFault dead{fr::FaultKind::dead_nic, 20, 1, -1, 1};
  fr::SimulatedFabric fabric2(sim, {dead}, 1);
  NoLoopbackBackend backend2(fabric2);
  report = fr::run_adaptive_bandwidth(backend2, {bw->rounds, bw->round_names}, options);
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].cause, "unreachable");
  EXPECT_EQ(report.findings[0].rail, 1);
}
