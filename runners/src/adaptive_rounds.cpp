#include "fabricperf/runners/adaptive_rounds.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "fabricperf/runners/random.hpp"

namespace fabricperf::runners {
namespace {

// A permutation given as a cycle over `order`: order[i] sends to order[i + 1].
void add_cycle(const std::vector<int>& order, Round& round) {
  if (order.size() < 2) return;
  for (std::size_t i = 0; i < order.size(); ++i) round.pairs.push_back({order[(i + 1) % order.size()], order[i]});
}

std::vector<std::vector<int>> leaf_members(const FabricShape& fabric) {
  std::vector<std::vector<int>> leaves(static_cast<std::size_t>(fabric.leaves()));
  for (int n = 0; n < fabric.nodes; ++n) leaves[static_cast<std::size_t>(fabric.leaf_of(n))].push_back(n);
  return leaves;
}

Round intra_leaf_round(const FabricShape& fabric, SplitMix64& rng) {
  Round round;
  std::vector<int> carry;  // a node alone in its leaf joins the next leaf's cycle
  for (auto members : leaf_members(fabric)) {
    shuffle(members, rng);
    members.insert(members.end(), carry.begin(), carry.end());
    carry.clear();
    if (members.size() < 2) {
      carry = members;
      continue;
    }
    add_cycle(members, round);
  }
  if (!carry.empty() && !round.pairs.empty()) {
    // The last leaf had one node: splice it into the previous cycle (a -> carry -> b).
    auto& last = round.pairs.back();  // {receiver, sender}
    const int receiver = last.a;
    last.a = carry.front();
    round.pairs.push_back({receiver, carry.front()});
  }
  return round;
}

// Leaves in a random cycle, concatenated; every node sends to the node one leaf further on.
Round leaf_shift_round(const FabricShape& fabric, SplitMix64& rng) {
  auto leaves = leaf_members(fabric);
  shuffle(leaves, rng);
  std::vector<int> order;
  for (auto& members : leaves) {
    shuffle(members, rng);
    order.insert(order.end(), members.begin(), members.end());
  }
  const std::size_t n = order.size();
  const std::size_t shift = std::min<std::size_t>(static_cast<std::size_t>(std::max(fabric.nodes_per_leaf, 1)), n - 1);
  Round round;
  for (std::size_t i = 0; i < n; ++i) round.pairs.push_back({order[(i + shift) % n], order[i]});
  return round;
}

Round random_round(int nodes, std::uint64_t seed) {
  return Round{permutation_flows(random_derangement(nodes, seed)), -1};
}

}  // namespace

int FabricShape::leaf_of(int node) const noexcept {
  return nodes_per_leaf > 0 ? node / nodes_per_leaf : 0;
}

int FabricShape::leaves() const noexcept {
  return nodes < 1 ? 0 : leaf_of(nodes - 1) + 1;
}

int FabricShape::leaf_size(int leaf) const noexcept {
  if (nodes_per_leaf <= 0) return leaf == 0 ? nodes : 0;
  return std::clamp(nodes - leaf * nodes_per_leaf, 0, nodes_per_leaf);
}

double FabricShape::uplinks_per_leaf() const noexcept {
  const int members = nodes_per_leaf > 0 ? std::min(nodes_per_leaf, nodes) : nodes;
  return static_cast<double>(members) / std::max(oversubscription, 1.0);
}

PathClass path_class(const FabricShape& fabric, int a, int b) noexcept {
  return fabric.leaf_of(a) == fabric.leaf_of(b) ? PathClass::intra_leaf : PathClass::cross_leaf;
}

NamedRounds adaptive_rounds(const FabricShape& fabric, std::size_t count, std::uint64_t seed) {
  NamedRounds out;
  if (fabric.nodes < 2) return out;
  SplitMix64 rng(seed * 0x9e3779b97f4a7c15ULL + 0x51ed);
  // N nodes have N(N-1) directed flows and a round carries N: past N-1 rounds, all pairs is as cheap.
  const std::size_t want =
      std::min<std::size_t>(std::max<std::size_t>(count, 1), static_cast<std::size_t>(fabric.nodes - 1));
  const bool cross = fabric.leaves() >= 2;
  if (fabric.nodes_per_leaf != 1 || !cross) {
    out.rounds.push_back(intra_leaf_round(fabric, rng));
    out.names.push_back("intra-leaf");
  }
  if (cross && out.rounds.size() < want) {
    out.rounds.push_back(leaf_shift_round(fabric, rng));
    out.names.push_back("leaf shift");
  }
  for (std::uint64_t k = 1; out.rounds.size() < want; ++k) {
    out.rounds.push_back(random_round(fabric.nodes, seed * 1000003 + k));
    out.names.push_back("random " + std::to_string(k));
  }
  return out;
}

RoundCoverage round_coverage(const FabricShape& fabric, const std::vector<Round>& rounds) {
  RoundCoverage c;
  const auto n = static_cast<std::size_t>(std::max(fabric.nodes, 0));
  std::vector<char> sends(n), receives(n);
  std::vector<std::set<int>> peers(n);
  std::set<int> intra_leaves, loaded_leaves;
  for (const auto& round : rounds) {
    // Per leaf: members that sent / received across the spines in this round.
    std::map<int, std::pair<int, int>> across;
    for (const auto& f : round.pairs) {
      sends[static_cast<std::size_t>(f.b)] = 1;
      receives[static_cast<std::size_t>(f.a)] = 1;
      peers[static_cast<std::size_t>(f.a)].insert(f.b);
      peers[static_cast<std::size_t>(f.b)].insert(f.a);
      if (path_class(fabric, f.a, f.b) == PathClass::intra_leaf) {
        ++c.intra_leaf_flows;
        intra_leaves.insert(fabric.leaf_of(f.a));
      } else {
        ++c.cross_leaf_flows;
        ++across[fabric.leaf_of(f.b)].first;
        ++across[fabric.leaf_of(f.a)].second;
      }
    }
    for (const auto& [leaf, counts] : across)
      if (counts.first >= fabric.leaf_size(leaf) && counts.second >= fabric.leaf_size(leaf)) loaded_leaves.insert(leaf);
  }
  c.nodes_sending = static_cast<std::size_t>(std::count(sends.begin(), sends.end(), 1));
  c.nodes_receiving = static_cast<std::size_t>(std::count(receives.begin(), receives.end(), 1));
  c.leaves_intra_loaded = intra_leaves.size();
  c.leaves_uplinks_loaded = loaded_leaves.size();
  c.distinct_peers_min = n ? SIZE_MAX : 0;
  for (const auto& p : peers) c.distinct_peers_min = std::min(c.distinct_peers_min, p.size());
  return c;
}

std::vector<double> spine_shares(const FabricShape& fabric, const std::vector<Flow>& flows) {
  std::map<int, int> up, down;  // leaf -> flows leaving / entering it
  for (const auto& f : flows)
    if (path_class(fabric, f.receiver, f.sender) == PathClass::cross_leaf) {
      ++up[fabric.leaf_of(f.sender)];
      ++down[fabric.leaf_of(f.receiver)];
    }
  const double uplinks = fabric.uplinks_per_leaf();
  std::vector<double> shares;
  shares.reserve(flows.size());
  for (const auto& f : flows) {
    if (path_class(fabric, f.receiver, f.sender) == PathClass::intra_leaf) {
      shares.push_back(1.0);
      continue;
    }
    const double u = uplinks / up[fabric.leaf_of(f.sender)], d = uplinks / down[fabric.leaf_of(f.receiver)];
    shares.push_back(std::min({1.0, u, d}));
  }
  return shares;
}

}  // namespace fabricperf::runners
