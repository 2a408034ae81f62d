#include "fabricperf/runners/simulate.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

namespace fabricperf::runners {
namespace {

struct Expected {
  FaultLevel level;
  int rail;
  std::string cause;
  int reaches_rail = -1;
};

// What a correct attribution of the fault says.
std::vector<Expected> expected_findings(const InjectedFault& f) {
  switch (f.kind) {
    case FaultKind::slow_nic:
      return {{FaultLevel::nic, f.rail, "slow"}};
    case FaultKind::dead_nic:
      return {{FaultLevel::nic, f.rail, "dead"}};
    case FaultKind::bad_cable:
      return {{FaultLevel::link, f.rail, "slow"}};
    case FaultKind::flapping_link:
      return {{FaultLevel::link, f.rail, "flapping"}};
    case FaultKind::slow_node:
      return {{FaultLevel::node, -1, "slow"}};
    case FaultKind::miscabled_rail:
      return {{FaultLevel::nic, f.rail, "miscabled", f.other_rail},
              {FaultLevel::nic, f.other_rail, "miscabled", f.rail}};
  }
  return {};
}

bool matches(const Finding& got, int node, const Expected& want) {
  return got.node == node && got.level == want.level && got.rail == want.rail && got.cause == want.cause &&
         got.reaches_rail == want.reaches_rail && got.peer_node < 0;
}

double round_seconds(const AttributionRound& r, const Plan& plan, const ClusterShape& shape, const CostModel& cost) {
  switch (r.kind) {
    case RoundKind::full:
      return bw_round_s(plan, shape, cost);
    case RoundKind::retest:
    case RoundKind::loopback:
      return bw_retest_round_s(plan, shape, cost);
    case RoundKind::cross_rail:
      return reach_round_s(shape, cost);
  }
  return 0;
}

struct Tally {
  std::size_t scenarios = 0, injected = 0, detected = 0, correct = 0, false_findings = 0, healthy_nodes = 0;
  double time_sum = 0, time_max = 0;
};

}  // namespace

ScenarioResult run_scenario(const SimulateOptions& options, std::uint64_t seed) {
  Plan plan = options.plan;
  plan.verbs.mode = "adaptive";
  const auto schedule = plan_suite(plan, options.shape);
  const auto* bw = schedule.find("verbs_bw");
  ScenarioResult out;
  if (!bw || !bw->skip_reason.empty()) return out;
  const auto fabric = fabric_shape(plan, options.shape);
  SplitMix64 rng(seed);
  SimFabricOptions sim;
  sim.fabric = fabric;
  sim.line_rate_gbps = options.shape.line_rate_gbps;
  sim.noise_pct = options.noise_pct;
  SimulatedFabric backend(sim, draw_faults(fabric, options.faults, options.kinds, rng), seed);
  NamedRounds full{bw->rounds, bw->round_names};
  out.report = run_adaptive_bandwidth(backend, full, attribution_options(plan, fabric));

  // Score: every finding is claimed by at most one injected fault.
  std::vector<char> claimed(out.report.findings.size(), 0);
  std::set<int> faulty;
  for (const auto& f : backend.faults()) {
    faulty.insert(f.node);
    ScoredFault scored{f, false, true};
    for (const auto& want : expected_findings(f)) {
      bool found = false;
      for (std::size_t i = 0; i < out.report.findings.size() && !found; ++i)
        if (!claimed[i] && matches(out.report.findings[i], f.node, want)) {
          claimed[i] = 1;
          found = true;
        }
      scored.attributed_correctly = scored.attributed_correctly && found;
    }
    for (const auto& finding : out.report.findings) scored.detected = scored.detected || finding.node == f.node;
    out.faults.push_back(scored);
  }
  std::set<int> healthy_accused;
  for (std::size_t i = 0; i < out.report.findings.size(); ++i) {
    if (claimed[i]) continue;
    const auto& f = out.report.findings[i];
    out.false_findings.push_back(f);
    if (!faulty.contains(f.node)) healthy_accused.insert(f.node);
    // A wrong extra finding on a faulty node spoils that node's attribution.
    for (auto& s : out.faults)
      if (s.fault.node == f.node) s.attributed_correctly = false;
  }
  out.healthy_nodes_accused = healthy_accused.size();
  const CostModel cost;
  out.time_to_verdict_s = cost.preflight_base_s + cost.preflight_per_node_s * options.shape.nodes +
                          reach_mesh_estimate_s(options.shape, cost);
  for (const auto& r : out.report.rounds) out.time_to_verdict_s += round_seconds(r, plan, options.shape, cost);
  return out;
}

SimulationSummary simulate(const SimulateOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  SimulationSummary summary;
  std::map<std::string, Tally> by_kind;
  Tally all;
  for (std::size_t i = 0; i < options.scenarios; ++i) {
    const auto result = run_scenario(options, options.seed + i);
    if (i == 0) {
      SimFabricOptions names;
      names.fabric = fabric_shape(options.plan, options.shape);
      const SimulatedFabric namer(names, {}, 0);
      for (const auto& c : attribution_checks("verbs_bw", result.report, namer)) summary.examples.push_back(c.detail);
    }
    std::set<std::string> kinds_here;
    for (const auto& s : result.faults) {
      auto& t = by_kind[std::string(fault_kind_name(s.fault.kind))];
      kinds_here.insert(std::string(fault_kind_name(s.fault.kind)));
      for (Tally* x : {&t, &all}) {
        ++x->injected;
        x->detected += s.detected;
        x->correct += s.attributed_correctly;
      }
    }
    // Scenario-level numbers go to every kind present in it (one kind per scenario with --faults 1).
    for (const auto& k : kinds_here) {
      auto& t = by_kind[k];
      ++t.scenarios;
      t.false_findings += result.false_findings.size();
      t.healthy_nodes += result.healthy_nodes_accused;
      t.time_sum += result.time_to_verdict_s;
      t.time_max = std::max(t.time_max, result.time_to_verdict_s);
    }
    ++all.scenarios;
    all.false_findings += result.false_findings.size();
    all.healthy_nodes += result.healthy_nodes_accused;
    all.time_sum += result.time_to_verdict_s;
    all.time_max = std::max(all.time_max, result.time_to_verdict_s);
  }
  const auto row = [&](const std::string& kind, const Tally& t) {
    return nlohmann::json{
        {"stage", "simulate"},
        {"kind", kind},
        {"scenarios", t.scenarios},
        {"faults_per_scenario", options.faults},
        {"nodes", options.shape.nodes},
        {"rails", options.shape.rails},
        {"injected", t.injected},
        {"detected", t.detected},
        {"attributed_correctly", t.correct},
        {"falsely_accused", t.false_findings},
        {"healthy_nodes_accused", t.healthy_nodes},
        {"attributed_pct", t.injected ? 100.0 * static_cast<double>(t.correct) / static_cast<double>(t.injected) : 0.0},
        {"time_to_verdict_s", t.scenarios ? t.time_sum / static_cast<double>(t.scenarios) : 0.0},
        {"time_to_verdict_max_s", t.time_max}};
  };
  for (auto k : kFaultKinds)
    if (auto it = by_kind.find(std::string(fault_kind_name(k))); it != by_kind.end())
      summary.rows.push_back(row(it->first, it->second));
  summary.rows.push_back(row("all", all));
  summary.scenarios = options.scenarios;
  summary.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace fabricperf::runners
