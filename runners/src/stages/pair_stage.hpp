#pragma once
// Shared by the stages that measure node pairs with the verbs engines (verbs_bw, verbs_lat,
// gdr, stress): walk the stage's rounds, give each rank its tasks, measure, report.
#include <functional>
#include <string>
#include <vector>

#include "fabricperf/runners/link_runner.hpp"
#include "fabricperf/runners/stage.hpp"

namespace fabricperf::runners {

struct PairStagePlan {
  std::string stage;
  const StageSchedule* schedule = nullptr;
  MeasureSpec spec;  // sizes, iterations, op ...; stage/epoch filled per round
  // This rank's tasks for one round (empty when it sits out).
  std::function<std::vector<LinkTask>(std::size_t round, const Round& pairs)> tasks;
  // Root, after each round: derived rows (aggregates) from the round's rows.
  std::function<void(std::vector<nlohmann::json>&)> on_root;
  // Every rank, after measuring a round: turns the outcome into what it reports (reach writes
  // one row per task and reports unreachable peers as rows, not as run errors).
  std::function<void(RoundOutcome&)> on_outcome;
};

// Runs every round; returns the rows it measured on rank 0 (for judging), nothing elsewhere.
nlohmann::json run_pair_stage(StageContext& ctx, PairStagePlan& plan);

// The peer node and role of `node` in a round of disjoint pairs: a listens (target), b sends.
struct PairRole {
  int peer_node = -1;
  verbs::Role role = verbs::Role::target;
};
[[nodiscard]] std::vector<PairRole> roles_of(int node, const Round& round);

// "node1<->node2, node3<->node4, ... (12 pairs)"
[[nodiscard]] std::string describe_round(const Round& round, const ClusterLayout& layout, std::size_t named = 3);

// Sums the bandwidth rows that share key(row) into one aggregate row per key (at least
// `min_members` rows): verbs::aggregate_row, the sum fp_bw prints over several devices, plus the
// stage, round, pattern and soft_rdma of the members and whatever `label` adds.
using Members = std::vector<const nlohmann::json*>;
void add_aggregates(std::vector<nlohmann::json>& rows, const std::function<std::string(const nlohmann::json&)>& key,
                    std::size_t min_members, const std::function<void(nlohmann::json&, const Members&)>& label);

// Per node pair and size: the sum of its concurrent rails (rows with "aggregate": true).
void add_rail_aggregates(std::vector<nlohmann::json>& rows);

// This rank's rails, opened once per stage, with host memory for their buffers.
struct RailSetup {
  RailDevices devices;
  std::string open_error;  // why the rails could not be opened ("" when they could)
  std::unique_ptr<verbs::MemoryProvider> memory;
};
[[nodiscard]] std::unique_ptr<RailSetup> open_rails(StageContext& ctx);
// The same for a stage with rails of its own (reach): this node's `ports`, `rails` of them.
[[nodiscard]] std::unique_ptr<RailSetup> open_rails(StageContext& ctx, const std::vector<RailPort>& ports, int rails);

// Tasks for the rails this rank drives in a round of pairs (or flows), against the same local
// rank on the peer node; `rails` < 0: the discovered rails.
[[nodiscard]] std::vector<LinkTask> rail_tasks(StageContext& ctx, RailSetup& rails, const Round& round,
                                               int rail_count = -1);

// Tasks for single-rail flows: flow i ({a = receiver, b = sender}) on rail rail_of_flow[i] only,
// for the rank of each end that drives that rail (adaptive retests).
[[nodiscard]] std::vector<LinkTask> probe_tasks(StageContext& ctx, RailSetup& rails, const Round& flows,
                                                const std::vector<int>& rail_of_flow);

}  // namespace fabricperf::runners
