#pragma once
// Who measures with whom, and when. All-pairs tests run as rounds of disjoint node pairs (the
// circle method): every pair exactly once, every node busy in every round (one idle "bye" per
// round when the node count is odd). Stress patterns: a seeded bisection split and seeded
// random permutations (derangements) for all-to-all traffic.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace fabricperf::runners {

// One measurement between node `a` (the passive/listening side) and node `b`. Indices are
// node indices in the cluster layout, not ranks.
struct NodePair {
  int a = 0;
  int b = 0;
  friend bool operator==(const NodePair&, const NodePair&) = default;
};

struct Round {
  std::vector<NodePair> pairs;  // disjoint: no node appears twice
  int bye = -1;                 // the node that sits this round out (odd node counts), else -1
};

// N-1 rounds for even N, N rounds for odd N, 0 for N < 2.
[[nodiscard]] std::size_t round_robin_round_count(int nodes) noexcept;
// Pairs per round: floor(N/2).
[[nodiscard]] std::size_t round_robin_pairs_per_round(int nodes) noexcept;
// Round `round` (0-based, < round_robin_round_count) of the circle method, computed in O(N)
// without building the others. Throws std::out_of_range for a bad round index.
[[nodiscard]] Round round_robin_round(int nodes, std::size_t round);
// Every round, in order.
[[nodiscard]] std::vector<Round> round_robin_rounds(int nodes);

// The rounds that together cover every node at least once (1 for even N, 2 for odd N): for
// tests that need every node measured, not every pair (GPUDirect per GPU-NIC pair).
[[nodiscard]] std::size_t covering_round_count(int nodes) noexcept;

// Bisection: the nodes split into two random halves (seeded); node i of one half sends to
// node i of the other (a = sender half... pairs are disjoint). With an odd count one node idles.
[[nodiscard]] std::vector<NodePair> bisection_pairs(int nodes, std::uint64_t seed);

// A random permutation p of 0..N-1 with p[i] != i for every i (a derangement): node i sends
// to p[i] and receives from p^-1[i]. Deterministic for a seed; uniform over derangements.
// Empty for N < 2.
[[nodiscard]] std::vector<int> random_derangement(int nodes, std::uint64_t seed);

// The flows of a derangement as pairs {a = receiver, b = sender}.
[[nodiscard]] std::vector<NodePair> permutation_flows(const std::vector<int>& derangement);

}  // namespace fabricperf::runners
