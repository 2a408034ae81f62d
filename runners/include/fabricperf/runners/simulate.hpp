#pragma once
// fp_suite --simulate: the adaptive go-live verdict (plan_suite's rounds, run_adaptive_bandwidth's
// retests and attribution, attribution_checks) run against a SimulatedFabric with injected faults,
// scenario after scenario, and scored: was each fault detected, attributed to exactly its node,
// NIC or link, and was anything healthy blamed? One result row per fault kind (plus "all").
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fabricperf/runners/sim_fabric.hpp"
#include "fabricperf/runners/suite_plan.hpp"

namespace fabricperf::runners {

struct SimulateOptions {
  Plan plan;               // its verbs.mode is forced to adaptive
  ClusterShape shape;      // nodes, rails, line rate
  std::size_t faults = 1;  // per scenario
  std::size_t scenarios = 1;
  std::uint64_t seed = 1;  // scenario i uses seed + i
  std::vector<FaultKind> kinds{std::begin(kFaultKinds), std::end(kFaultKinds)};
  double noise_pct = 1.0;
};

// One fault of a scenario, scored.
struct ScoredFault {
  InjectedFault fault;
  bool detected = false;              // some finding on its node
  bool attributed_correctly = false;  // exactly the expected finding(s): level, rail, cause
};

struct ScenarioResult {
  std::vector<ScoredFault> faults;
  std::vector<Finding> false_findings;    // findings no injected fault explains
  std::size_t healthy_nodes_accused = 0;  // distinct fault-free nodes among them
  double time_to_verdict_s = 0;           // simulated: preflight + reach mesh + every verbs_bw round run
  AttributionReport report;
};

[[nodiscard]] ScenarioResult run_scenario(const SimulateOptions& options, std::uint64_t seed);

// Per fault kind (and "all"): {"stage": "simulate", "kind", "scenarios", "faults_per_scenario",
// "nodes", "rails", "injected", "detected", "attributed_correctly", "falsely_accused",
// "healthy_nodes_accused", "attributed_pct", "time_to_verdict_s" (mean), "time_to_verdict_max_s"}.
struct SimulationSummary {
  std::vector<nlohmann::json> rows;
  std::vector<std::string> examples;  // the findings of the first scenario, as checks would word them
  std::size_t scenarios = 0;
  double wall_s = 0;
};
[[nodiscard]] SimulationSummary simulate(const SimulateOptions& options);

}  // namespace fabricperf::runners
