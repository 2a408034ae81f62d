#pragma once
// The whole run laid out before anything is measured: for each stage of a Plan on a cluster of
// a given shape, its rounds (which node pairs run at once), how many pairs and links that is,
// and an estimated duration. fp_suite --dry-run prints exactly this; a live run executes it.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fabricperf/runners/adaptive_rounds.hpp"
#include "fabricperf/runners/plan.hpp"
#include "fabricperf/runners/schedule.hpp"

namespace fabricperf::runners {

struct ClusterShape {
  int nodes = 2;
  int rails = 1;                // NICs used per node (rail i <-> rail i)
  int gpus_per_node = 0;        // 0: no GPUs (no gdr stage, MPI collectives)
  int ranks_per_node = 1;       // collectives run across nodes * ranks_per_node ranks
  double line_rate_gbps = 400;  // per port, for time estimates only
};

// Constants of the time model (seconds unless named). Rough on purpose: the point is the order
// of magnitude of a 2,048-node run, and how it scales with nodes, rails and sizes.
struct CostModel {
  double round_setup_s = 0.2;    // connection setup + exchange + barrier per round
  double bw_efficiency = 0.95;   // share of line rate a healthy link reaches
  double msg_overhead_us = 0.5;  // per message, floor for small sizes
  double lat_base_us = 2.0;      // one-way small-message latency
  double coll_alpha_us = 10.0;   // per collective step latency
  double coll_efficiency = 0.8;  // busbw as a share of a node's summed line rate
  double preflight_base_s = 2.0;
  double preflight_per_node_s = 0.002;
  double duration_slack_s = 0.1;  // warm-up around a time-based measurement
  // reach, per round: every rail's QP and buffers set up at once, connection data exchanged,
  // the round's rows to rank 0 (the one message itself costs a round trip of lat_base_us).
  double reach_connect_s = 0.02;
};

struct StageSchedule {
  std::string stage;
  std::vector<Round> rounds;             // verbs_bw/verbs_lat/gdr: disjoint pairs; stress: flows (a receives from b)
  std::vector<std::string> round_names;  // stress: "bisection", "permutation 1", ...
  std::size_t pairs = 0;                 // node pairs (flows for stress) over all rounds
  std::size_t pairs_per_round = 0;       // the largest round
  std::size_t links = 0;                 // pairs x rails (x GPUs for gdr)
  std::size_t steps = 0;                 // collectives: op x size measurements
  std::size_t retest_rounds_max = 0;     // adaptive verbs_bw: retest rounds budgeted (in estimated_s)
  double estimated_s = 0;
  std::string skip_reason;  // non-empty: the stage will not run on this cluster
};

struct SuiteSchedule {
  ClusterShape shape;
  std::vector<StageSchedule> stages;  // the plan's stages, in run order
  double estimated_s = 0;

  [[nodiscard]] const StageSchedule* find(const std::string& stage) const;
};

// --dry-run without --gpus-per-node: a plan that runs the gdr stage is for GPU nodes, planned
// as HGX nodes (8 GPUs, one NIC each); a plan without it, 0.
inline constexpr int kHgxGpusPerNode = 8;
[[nodiscard]] int default_gpus_per_node(const Plan& plan);

[[nodiscard]] SuiteSchedule plan_suite(const Plan& plan, const ClusterShape& shape, const CostModel& cost = {});

// The fabric the adaptive rounds and the attribution see: the shape's nodes and rails, the plan's
// leaves and oversubscription.
[[nodiscard]] FabricShape fabric_shape(const Plan& plan, const ClusterShape& shape);

// Seconds of one round of each kind, the numbers both the estimate and fp_suite --simulate's
// time to verdict add up: a verbs_bw round at every planned size, a retest round (one probe per
// suspect NIC at the largest size), a verbs_lat round.
[[nodiscard]] double bw_round_s(const Plan& plan, const ClusterShape& shape, const CostModel& cost);
[[nodiscard]] double bw_retest_round_s(const Plan& plan, const ClusterShape& shape, const CostModel& cost);
[[nodiscard]] double lat_round_s(const Plan& plan, const ClusterShape& shape, const CostModel& cost);

// The adaptive verbs_bw's retests at their most (what the estimate budgets): good_peers retest
// rounds, a loopback round and two pair retests at the largest size, then up to rails-1 cross-rail
// reach probes (one connect and one message each), capped by verbs.adaptive.max_retest_rounds;
// none below 3 nodes (no known-good third node).
[[nodiscard]] std::size_t adaptive_retest_rounds_max(const Plan& plan, const ClusterShape& shape);
[[nodiscard]] double adaptive_retest_worst_s(const Plan& plan, const ClusterShape& shape, const CostModel& cost);

// The reach stage's cost (every NIC to the same rail of every other node, circle-method rounds,
// all rails at once): per round one connect and one ping-pong message; the stage's estimate, the
// cross-rail reach probes of the adaptive retests and fp_suite --simulate's time to verdict.
[[nodiscard]] double reach_round_s(const ClusterShape& shape, const CostModel& cost);
[[nodiscard]] double reach_mesh_estimate_s(const ClusterShape& shape, const CostModel& cost);

// nccl-tests' bus-bandwidth factor for an op on n ranks (all_reduce 2(n-1)/n, ...).
[[nodiscard]] double busbw_factor(const std::string& op, int ranks) noexcept;

// One result row per stage: {"stage", "rounds", "pairs", "pairs_per_round", "links", "steps",
// "estimated_s", "nodes", "rails"} (+ "skip_reason").
[[nodiscard]] nlohmann::json to_result(const StageSchedule& stage, const ClusterShape& shape);

// "1h 02m 03s", "4m 05s", "12.3 s".
[[nodiscard]] std::string format_duration(double seconds);

}  // namespace fabricperf::runners
