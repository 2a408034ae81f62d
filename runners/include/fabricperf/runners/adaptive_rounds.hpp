#pragma once
// The full-rate rounds of the adaptive go-live (verbs.mode "adaptive"): instead of every pair of
// nodes (N-1 rounds), a few permutation rounds (every node sends to one node and receives from
// another at once, all rails at once, rail i <-> rail i; Round::pairs are flows {a = receiver,
// b = sender} as in the stress stage) that together load every NIC in both directions and every
// leaf/spine path class of a rail-optimized fabric:
//   1. "intra-leaf"   a random cycle inside each leaf group: every NIC at full rate through its
//                     leaf only (the clean per-NIC measurement)
//   2. "leaf shift"   leaf groups in a random cycle, every node sends to its counterpart in the
//                     next leaf: every leaf's uplinks fully loaded in both directions
//   3+ "random k"     seeded random derangements: new peers for every NIC, mostly across leaves
// runners/README.md ("Adaptive go-live") justifies the default of 4.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fabricperf/runners/schedule.hpp"

namespace fabricperf::runners {

// The fabric as the planner sees it: node n's rail r sits on leaf leaf_of(n) of rail plane r.
struct FabricShape {
  int nodes = 2;
  int rails = 1;
  int nodes_per_leaf = 32;        // 0 or >= nodes: a single leaf
  double oversubscription = 1.0;  // a leaf's downlink:uplink capacity

  [[nodiscard]] int leaf_of(int node) const noexcept;
  [[nodiscard]] int leaves() const noexcept;
  [[nodiscard]] int leaf_size(int leaf) const noexcept;
  // Uplink capacity of one leaf of one rail plane, in NIC line rates.
  [[nodiscard]] double uplinks_per_leaf() const noexcept;
};

enum class PathClass { intra_leaf, cross_leaf };
[[nodiscard]] PathClass path_class(const FabricShape& fabric, int a, int b) noexcept;

struct NamedRounds {
  std::vector<Round> rounds;
  std::vector<std::string> names;
};

// min(count, N-1) rounds (at least 1): intra-leaf, leaf shift (when there are 2+ leaves), then random
// derangements, deterministic for a seed. In every round each node sends exactly one flow and
// receives exactly one (N >= 2); a node alone in its leaf joins the next leaf's intra-leaf cycle.
[[nodiscard]] NamedRounds adaptive_rounds(const FabricShape& fabric, std::size_t count, std::uint64_t seed);

// What a set of rounds covers (for tests and the plan's own check).
struct RoundCoverage {
  std::size_t intra_leaf_flows = 0;       // flows inside one leaf
  std::size_t cross_leaf_flows = 0;       // flows across the spines
  std::size_t nodes_sending = 0;          // nodes that sent at least one flow
  std::size_t nodes_receiving = 0;        // nodes that received at least one flow
  std::size_t leaves_intra_loaded = 0;    // leaves with an intra-leaf flow
  std::size_t leaves_uplinks_loaded = 0;  // leaves of which, in one round, every member sent and
                                          // received across the spines (uplinks full both ways)
  std::size_t distinct_peers_min = 0;     // the fewest distinct peers any node had
};
[[nodiscard]] RoundCoverage round_coverage(const FabricShape& fabric, const std::vector<Round>& rounds);

// The share of its NIC's line rate each flow of a round can get through the spines: a leaf's
// uplinks (uplinks_per_leaf() line rates) are shared by the flows that leave it (and, down, by
// the flows that enter it); intra-leaf flows get 1. `flows` are (receiver, sender) node pairs of
// one rail plane, in the order given.
struct Flow {
  int receiver = 0;
  int sender = 0;
};
[[nodiscard]] std::vector<double> spine_shares(const FabricShape& fabric, const std::vector<Flow>& flows);

}  // namespace fabricperf::runners
