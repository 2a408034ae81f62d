#include "fabricperf/runners/schedule.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

#include "fabricperf/runners/random.hpp"

namespace fabricperf::runners {

std::size_t round_robin_round_count(int nodes) noexcept {
  if (nodes < 2) return 0;
  return static_cast<std::size_t>(nodes % 2 == 0 ? nodes - 1 : nodes);
}

std::size_t round_robin_pairs_per_round(int nodes) noexcept {
  return nodes < 2 ? 0 : static_cast<std::size_t>(nodes / 2);
}

// Circle method: with M = N (even) or N + 1 (odd, the extra node is the "bye"), node M-1 stays
// put and the others rotate. In round r, M-1 meets r, and (r + i) meets (r - i) mod (M-1).
Round round_robin_round(int nodes, std::size_t round) {
  if (round >= round_robin_round_count(nodes))
    throw std::out_of_range("round " + std::to_string(round) + " of a " + std::to_string(nodes) +
                            "-node schedule (it has " + std::to_string(round_robin_round_count(nodes)) + ")");
  const int m = nodes % 2 == 0 ? nodes : nodes + 1;
  const int ring = m - 1;
  const int r = static_cast<int>(round);
  Round out;
  out.pairs.reserve(static_cast<std::size_t>(m / 2));
  // Alternate which side listens so every node does both roles over the schedule.
  auto add = [&](int x, int y, bool flip) {
    if (x >= nodes) {
      out.bye = y;
      return;
    }
    if (y >= nodes) {
      out.bye = x;
      return;
    }
    out.pairs.push_back(flip ? NodePair{y, x} : NodePair{x, y});
  };
  add(ring, r, r % 2 == 1);
  for (int i = 1; i < m / 2; ++i) add((r + i) % ring, (r - i + ring) % ring, i % 2 == 1);
  return out;
}

std::vector<Round> round_robin_rounds(int nodes) {
  const std::size_t count = round_robin_round_count(nodes);
  std::vector<Round> rounds;
  rounds.reserve(count);
  for (std::size_t r = 0; r < count; ++r) rounds.push_back(round_robin_round(nodes, r));
  return rounds;
}

std::size_t covering_round_count(int nodes) noexcept {
  if (nodes < 2) return 0;
  return nodes % 2 == 0 ? 1 : 2;
}

std::vector<NodePair> bisection_pairs(int nodes, std::uint64_t seed) {
  if (nodes < 2) return {};
  std::vector<int> order(static_cast<std::size_t>(nodes));
  std::iota(order.begin(), order.end(), 0);
  SplitMix64 rng(seed);
  shuffle(order, rng);
  const std::size_t half = static_cast<std::size_t>(nodes / 2);
  std::vector<NodePair> pairs;
  pairs.reserve(half);
  // First half receives (a), second half sends (b); an odd count leaves order.back() idle.
  for (std::size_t i = 0; i < half; ++i) pairs.push_back({order[i], order[half + i]});
  return pairs;
}

std::vector<int> random_derangement(int nodes, std::uint64_t seed) {
  if (nodes < 2) return {};
  SplitMix64 rng(seed);
  std::vector<int> p(static_cast<std::size_t>(nodes));
  // Rejection sampling: a uniform permutation is a derangement with probability ~1/e, so this
  // takes ~2.7 shuffles on average and is uniform over derangements.
  for (;;) {
    std::iota(p.begin(), p.end(), 0);
    shuffle(p, rng);
    bool ok = true;
    for (std::size_t i = 0; i < p.size() && ok; ++i) ok = p[i] != static_cast<int>(i);
    if (ok) return p;
  }
}

std::vector<NodePair> permutation_flows(const std::vector<int>& derangement) {
  std::vector<NodePair> flows;
  flows.reserve(derangement.size());
  for (std::size_t i = 0; i < derangement.size(); ++i) flows.push_back({derangement[i], static_cast<int>(i)});
  return flows;
}

}  // namespace fabricperf::runners
