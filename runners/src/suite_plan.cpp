#include "fabricperf/runners/suite_plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "fabricperf/sizes.hpp"

namespace fabricperf::runners {
namespace {

double transfer_s(std::uint64_t bytes, const ClusterShape& shape, const CostModel& cost) {
  return static_cast<double>(bytes) * 8.0 / (shape.line_rate_gbps * 1e9 * cost.bw_efficiency);
}

// One bandwidth measurement of `iterations` messages of `size` (or `duration_s` seconds).
double bw_step_s(std::uint64_t size, std::uint64_t iterations, double duration_s, int qps, const ClusterShape& shape,
                 const CostModel& cost) {
  if (duration_s > 0) return duration_s + cost.duration_slack_s;
  const double per_message = std::max(transfer_s(size, shape, cost), cost.msg_overhead_us * 1e-6 / std::max(qps, 1));
  return static_cast<double>(iterations) * per_message;
}

double lat_step_s(std::uint64_t size, std::uint64_t iterations, const ClusterShape& shape, const CostModel& cost) {
  // Ping-pong: two one-way trips per iteration.
  return static_cast<double>(iterations) * 2.0 * (cost.lat_base_us * 1e-6 + transfer_s(size, shape, cost));
}

std::size_t count_pairs(const std::vector<Round>& rounds, std::size_t* largest) {
  std::size_t total = 0;
  *largest = 0;
  for (const auto& r : rounds) {
    total += r.pairs.size();
    *largest = std::max(*largest, r.pairs.size());
  }
  return total;
}

StageSchedule pair_stage(const std::string& name, const Plan& plan, const ClusterShape& shape, const CostModel& cost) {
  StageSchedule s;
  s.stage = name;
  if (shape.nodes < 2) {
    s.skip_reason = "needs at least 2 nodes (the job spans " + std::to_string(shape.nodes) + ")";
    return s;
  }
  if (shape.rails < 1) {
    s.skip_reason = "no RDMA ports to test";
    return s;
  }
  if (plan.verbs.mode == "adaptive") {
    auto rounds = adaptive_rounds(fabric_shape(plan, shape), plan.verbs.adaptive.rounds, plan.verbs.adaptive.seed);
    s.rounds = std::move(rounds.rounds);
    s.round_names = std::move(rounds.names);
  } else {
    std::size_t rounds = round_robin_round_count(shape.nodes);
    if (plan.verbs.max_rounds > 0) rounds = std::min<std::size_t>(rounds, plan.verbs.max_rounds);
    s.rounds.reserve(rounds);
    for (std::size_t r = 0; r < rounds; ++r) s.rounds.push_back(round_robin_round(shape.nodes, r));
  }
  s.pairs = count_pairs(s.rounds, &s.pairs_per_round);
  s.links = s.pairs * static_cast<std::size_t>(shape.rails);
  const double per_round = name == "verbs_bw" ? bw_round_s(plan, shape, cost) : lat_round_s(plan, shape, cost);
  s.estimated_s = per_round * static_cast<double>(s.rounds.size());
  if (name == "verbs_bw" && plan.verbs.mode == "adaptive") {
    // The retests run only when something is below expectation; budgeted at their most.
    s.retest_rounds_max = adaptive_retest_rounds_max(plan, shape);
    s.estimated_s += adaptive_retest_worst_s(plan, shape, cost);
  }
  return s;
}

// Reachability: every pair of nodes (all rounds, whatever max_rounds says: an untested pair is
// an unknown path), every rail at once; per round one connect and one ping-pong message.
// Rails are the stage's own (a rail DOWN on some node is still tested), so no skip for 0 rails.
StageSchedule reach_stage(const ClusterShape& shape, const CostModel& cost) {
  StageSchedule s;
  s.stage = "reach";
  if (shape.nodes < 2) {
    s.skip_reason = "needs at least 2 nodes (the job spans " + std::to_string(shape.nodes) + ")";
    return s;
  }
  const std::size_t rounds = round_robin_round_count(shape.nodes);
  s.rounds.reserve(rounds);
  for (std::size_t r = 0; r < rounds; ++r) s.rounds.push_back(round_robin_round(shape.nodes, r));
  s.pairs = count_pairs(s.rounds, &s.pairs_per_round);
  s.links = s.pairs * static_cast<std::size_t>(std::max(shape.rails, 1));
  s.estimated_s = reach_mesh_estimate_s(shape, cost);
  return s;
}

StageSchedule gdr_stage(const Plan& plan, const ClusterShape& shape, const CostModel& cost) {
  StageSchedule s;
  s.stage = "gdr";
  if (shape.gpus_per_node < 1) {
    s.skip_reason = "no GPUs";
    return s;
  }
  if (shape.nodes < 2) {
    s.skip_reason = "needs at least 2 nodes (the job spans " + std::to_string(shape.nodes) + ")";
    return s;
  }
  const std::size_t rounds = covering_round_count(shape.nodes);
  for (std::size_t r = 0; r < rounds; ++r) s.rounds.push_back(round_robin_round(shape.nodes, r));
  s.pairs = count_pairs(s.rounds, &s.pairs_per_round);
  s.links = s.pairs * static_cast<std::size_t>(shape.gpus_per_node);
  double per_round = cost.round_setup_s;
  for (auto size : plan.gdr.sizes) per_round += bw_step_s(size, plan.gdr.iterations, 0, 1, shape, cost);
  s.estimated_s = per_round * static_cast<double>(rounds);
  return s;
}

StageSchedule collectives_stage(const Plan& plan, const ClusterShape& shape, const CostModel& cost) {
  StageSchedule s;
  s.stage = "collectives";
  const int ranks = shape.nodes * std::max(shape.ranks_per_node, 1);
  if (ranks < 2) {
    s.skip_reason = "needs at least 2 ranks";
    return s;
  }
  SizeSweep sweep;
  sweep.min_bytes = plan.collectives.min_bytes;
  sweep.max_bytes = plan.collectives.max_bytes;
  sweep.factor = plan.collectives.factor;
  const auto sizes = sweep.sizes();
  // Within a node NVLink (or shared memory) is faster than the fabric: the fabric bounds busbw.
  const double node_Bps = shape.rails * shape.line_rate_gbps * 1e9 / 8.0 * cost.coll_efficiency;
  const double alpha = cost.coll_alpha_us * 1e-6 * std::log2(static_cast<double>(ranks));
  for (const auto& op : plan.collectives.ops) {
    for (auto size : sizes) {
      const double t = alpha + static_cast<double>(size) * busbw_factor(op, ranks) / std::max(node_Bps, 1.0);
      s.estimated_s += static_cast<double>(plan.collectives.warmup + plan.collectives.iterations) * t;
      ++s.steps;
    }
  }
  s.estimated_s += cost.round_setup_s * static_cast<double>(plan.collectives.ops.size());
  return s;
}

StageSchedule stress_stage(const Plan& plan, const ClusterShape& shape, const CostModel& cost) {
  StageSchedule s;
  s.stage = "stress";
  if (shape.nodes < 2) {
    s.skip_reason = "needs at least 2 nodes (the job spans " + std::to_string(shape.nodes) + ")";
    return s;
  }
  if (plan.stress.bisection) {
    s.rounds.push_back(Round{bisection_pairs(shape.nodes, plan.stress.seed), -1});
    s.round_names.push_back("bisection");
  }
  for (std::uint64_t i = 0; i < plan.stress.permutations; ++i) {
    s.rounds.push_back(Round{permutation_flows(random_derangement(shape.nodes, plan.stress.seed + i)), -1});
    s.round_names.push_back("permutation " + std::to_string(i + 1));
  }
  if (s.rounds.empty()) {
    s.skip_reason = "no bisection and no permutations in the plan";
    return s;
  }
  s.pairs = count_pairs(s.rounds, &s.pairs_per_round);
  s.links = s.pairs * static_cast<std::size_t>(shape.rails);
  const double step =
      cost.round_setup_s + bw_step_s(plan.stress.size, plan.stress.iterations, plan.stress.duration_s, 1, shape, cost);
  s.estimated_s = step * static_cast<double>(s.rounds.size());
  return s;
}

}  // namespace

FabricShape fabric_shape(const Plan& plan, const ClusterShape& shape) {
  FabricShape f;
  f.nodes = shape.nodes;
  f.rails = shape.rails;
  f.nodes_per_leaf = plan.fabric.nodes_per_leaf;
  f.oversubscription = plan.fabric.oversubscription;
  return f;
}

double bw_round_s(const Plan& plan, const ClusterShape& shape, const CostModel& cost) {
  double s = cost.round_setup_s;
  for (auto size : plan.verbs.bw.sizes)
    s += bw_step_s(size, plan.verbs.bw.iterations, plan.verbs.bw.duration_s, plan.verbs.bw.qps, shape, cost);
  return s;
}

double bw_retest_round_s(const Plan& plan, const ClusterShape& shape, const CostModel& cost) {
  const auto largest = *std::max_element(plan.verbs.bw.sizes.begin(), plan.verbs.bw.sizes.end());
  return cost.round_setup_s +
         bw_step_s(largest, plan.verbs.bw.iterations, plan.verbs.bw.duration_s, plan.verbs.bw.qps, shape, cost);
}

std::size_t adaptive_retest_rounds_max(const Plan& plan, const ClusterShape& shape) {
  if (shape.nodes < 3) return 0;  // no third node to be a known-good peer
  const auto& a = plan.verbs.adaptive;
  const std::size_t measuring = static_cast<std::size_t>(a.good_peers) + 3;  // good peers, loopback, 2 pair retests
  const std::size_t cross = static_cast<std::size_t>(std::max(shape.rails - 1, 0));
  return std::min<std::size_t>(a.max_retest_rounds, measuring + cross);
}

double adaptive_retest_worst_s(const Plan& plan, const ClusterShape& shape, const CostModel& cost) {
  const std::size_t rounds = adaptive_retest_rounds_max(plan, shape);
  const std::size_t measuring =
      std::min<std::size_t>(rounds, static_cast<std::size_t>(plan.verbs.adaptive.good_peers) + 3);
  return static_cast<double>(measuring) * bw_retest_round_s(plan, shape, cost) +
         static_cast<double>(rounds - measuring) * reach_round_s(shape, cost);
}

double lat_round_s(const Plan& plan, const ClusterShape& shape, const CostModel& cost) {
  double s = cost.round_setup_s;
  for (auto size : plan.verbs.lat.sizes) s += lat_step_s(size, plan.verbs.lat.iterations, shape, cost);
  return s;
}

double reach_round_s(const ClusterShape& shape, const CostModel& cost) {
  return cost.reach_connect_s + lat_step_s(kReachMessageBytes, 1, shape, cost);  // connect, one ping-pong
}

double reach_mesh_estimate_s(const ClusterShape& shape, const CostModel& cost) {
  return static_cast<double>(round_robin_round_count(shape.nodes)) * reach_round_s(shape, cost);
}

const StageSchedule* SuiteSchedule::find(const std::string& stage) const {
  for (const auto& s : stages)
    if (s.stage == stage) return &s;
  return nullptr;
}

double busbw_factor(const std::string& op, int ranks) noexcept {
  const double n = std::max(ranks, 1);
  if (op == "all_reduce") return 2.0 * (n - 1) / n;
  if (op == "all_gather" || op == "reduce_scatter" || op == "alltoall") return (n - 1) / n;
  return 1.0;  // broadcast, reduce, sendrecv
}

int default_gpus_per_node(const Plan& plan) {
  return plan.runs("gdr") ? kHgxGpusPerNode : 0;
}

SuiteSchedule plan_suite(const Plan& plan, const ClusterShape& shape, const CostModel& cost) {
  SuiteSchedule suite;
  suite.shape = shape;
  for (const auto& stage : plan.stages) {
    StageSchedule s;
    if (stage == "reach") {
      s = reach_stage(shape, cost);
    } else if (stage == "preflight") {
      s.stage = stage;
      s.estimated_s = cost.preflight_base_s + cost.preflight_per_node_s * shape.nodes;
    } else if (stage == "verbs_bw" || stage == "verbs_lat") {
      s = pair_stage(stage, plan, shape, cost);
    } else if (stage == "gdr") {
      s = gdr_stage(plan, shape, cost);
    } else if (stage == "collectives") {
      s = collectives_stage(plan, shape, cost);
    } else if (stage == "stress") {
      s = stress_stage(plan, shape, cost);
    }
    suite.estimated_s += s.estimated_s;
    suite.stages.push_back(std::move(s));
  }
  return suite;
}

nlohmann::json to_result(const StageSchedule& s, const ClusterShape& shape) {
  nlohmann::json row = {{"stage", s.stage},
                        {"rounds", s.rounds.size()},
                        {"pairs", s.pairs},
                        {"pairs_per_round", s.pairs_per_round},
                        {"links", s.links},
                        {"steps", s.steps},
                        {"estimated_s", s.estimated_s},
                        {"nodes", shape.nodes},
                        {"rails", shape.rails}};
  if (s.retest_rounds_max > 0) row["retest_rounds_max"] = s.retest_rounds_max;
  if (!s.skip_reason.empty()) row["skip_reason"] = s.skip_reason;
  return row;
}

std::string format_duration(double seconds) {
  char text[64];
  if (seconds < 60) {
    std::snprintf(text, sizeof text, "%.1f s", seconds);
  } else {
    const auto total = static_cast<long long>(std::llround(seconds));
    const long long h = total / 3600, m = total % 3600 / 60, s = total % 60;
    if (h > 0)
      std::snprintf(text, sizeof text, "%lldh %02lldm %02llds", h, m, s);
    else
      std::snprintf(text, sizeof text, "%lldm %02llds", m, s);
  }
  return text;
}

}  // namespace fabricperf::runners
