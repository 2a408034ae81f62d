#include "fabricperf/topology/pairing.hpp"

#include <algorithm>
#include <map>

namespace fabricperf::topology {
namespace {

// Kuhn's augmenting path: gives `gpu` a card from `edges[gpu]`, re-homing earlier GPUs only when
// no card of its own is free (so GPUs keep bus order where there is a choice).
bool augment(int gpu, const std::vector<std::vector<int>>& edges, std::vector<int>& owner,
             std::vector<char>& visited) {
  for (const int card : edges[static_cast<std::size_t>(gpu)]) {
    if (owner[static_cast<std::size_t>(card)] < 0 && !visited[static_cast<std::size_t>(card)]) {
      visited[static_cast<std::size_t>(card)] = 1;
      owner[static_cast<std::size_t>(card)] = gpu;
      return true;
    }
  }
  for (const int card : edges[static_cast<std::size_t>(gpu)]) {
    if (visited[static_cast<std::size_t>(card)]) continue;
    visited[static_cast<std::size_t>(card)] = 1;
    const int holder = owner[static_cast<std::size_t>(card)];
    if (holder < 0 || augment(holder, edges, owner, visited)) {
      owner[static_cast<std::size_t>(card)] = gpu;
      return true;
    }
  }
  return false;
}

}  // namespace

bool Pairing::one_to_one(PathClass at_most) const {
  return std::all_of(gpus.begin(), gpus.end(), [&](const GpuAssignment& a) {
    return a.dedicated() && a.nic_path && *a.nic_path <= at_most;
  });
}

Pairing pair_gpus_with_nics(const Topology& topo) {
  Pairing pairing;
  pairing.matrix = compute_matrix(topo);
  const std::size_t gpu_count = topo.gpus.size();

  // Cards: hardware NICs grouped by physical card, in NIC order.
  pairing.card_of_nic.assign(topo.nics.size(), -1);
  std::map<std::string, int> card_index;
  for (const Nic& nic : topo.nics) {
    if (nic.software) continue;
    auto [it, inserted] = card_index.emplace(nic.card, static_cast<int>(pairing.cards.size()));
    if (inserted) pairing.cards.push_back(NicCard{nic.card, {}});
    pairing.cards[static_cast<std::size_t>(it->second)].nics.push_back(nic.index);
    pairing.card_of_nic[static_cast<std::size_t>(nic.index)] = it->second;
  }
  const std::size_t card_count = pairing.cards.size();

  // Path class GPU -> card (the best of its functions; they share a link anyway).
  std::vector<std::vector<PathClass>> card_path(gpu_count, std::vector<PathClass>(card_count, PathClass::sys));
  for (std::size_t g = 0; g < gpu_count; ++g) {
    for (std::size_t c = 0; c < card_count; ++c) {
      for (const int n : pairing.cards[c].nics) {
        card_path[g][c] = std::min(card_path[g][c], pairing.matrix[g][static_cast<std::size_t>(n)]);
      }
    }
  }

  // Nearest class and nearest cards per GPU.
  pairing.gpus.resize(gpu_count);
  std::vector<std::vector<int>> nearest_cards(gpu_count);
  for (std::size_t g = 0; g < gpu_count; ++g) {
    GpuAssignment& a = pairing.gpus[g];
    a.gpu = static_cast<int>(g);
    for (std::size_t c = 0; c < card_count; ++c) {
      if (!a.nearest_path || card_path[g][c] < *a.nearest_path) a.nearest_path = card_path[g][c];
    }
    if (!a.nearest_path) continue;
    for (std::size_t c = 0; c < card_count; ++c) {
      if (card_path[g][c] == *a.nearest_path) nearest_cards[g].push_back(static_cast<int>(c));
    }
    for (std::size_t n = 0; n < topo.nics.size(); ++n) {
      if (pairing.card_of_nic[n] >= 0 && pairing.matrix[g][n] == *a.nearest_path) a.nearest_nics.push_back(static_cast<int>(n));
    }
  }

  // 1. One card per GPU among its nearest: a maximum bipartite matching (GPUs in bus order, so
  //    the result is deterministic and follows bus order where there is a choice).
  std::vector<int> owner(card_count, -1);
  for (std::size_t g = 0; g < gpu_count; ++g) {
    std::vector<char> visited(card_count, 0);
    augment(static_cast<int>(g), nearest_cards, owner, visited);
  }
  // 2. Nearest cards nobody got go to the GPU (among those that have them nearest) holding fewest.
  std::vector<int> held(gpu_count, 0);
  for (const int g : owner) {
    if (g >= 0) ++held[static_cast<std::size_t>(g)];
  }
  for (std::size_t c = 0; c < card_count; ++c) {
    if (owner[c] >= 0) continue;
    int best = -1;
    for (std::size_t g = 0; g < gpu_count; ++g) {
      const auto& near = nearest_cards[g];
      if (std::find(near.begin(), near.end(), static_cast<int>(c)) == near.end()) continue;
      if (best < 0 || held[g] < held[static_cast<std::size_t>(best)]) best = static_cast<int>(g);
    }
    if (best >= 0) {
      owner[c] = best;
      ++held[static_cast<std::size_t>(best)];
    }
  }
  for (std::size_t c = 0; c < card_count; ++c) {
    if (owner[c] < 0) continue;
    GpuAssignment& a = pairing.gpus[static_cast<std::size_t>(owner[c])];
    a.dedicated_cards.push_back(static_cast<int>(c));
    for (const int n : pairing.cards[c].nics) a.dedicated_nics.push_back(n);
  }

  // 3. GPUs without a card of their own share the least loaded of their nearest cards.
  std::vector<std::vector<int>> users(card_count);
  for (std::size_t c = 0; c < card_count; ++c) {
    if (owner[c] >= 0) users[c].push_back(owner[c]);
  }
  for (std::size_t g = 0; g < gpu_count; ++g) {
    GpuAssignment& a = pairing.gpus[g];
    if (a.dedicated()) {
      a.nic = a.dedicated_nics.front();
      a.nic_path = pairing.matrix[g][static_cast<std::size_t>(*a.nic)];
      continue;
    }
    int best = -1;
    for (const int c : nearest_cards[g]) {
      if (best < 0 || users[static_cast<std::size_t>(c)].size() < users[static_cast<std::size_t>(best)].size()) best = c;
    }
    if (best < 0) continue;  // no eligible NIC at all
    users[static_cast<std::size_t>(best)].push_back(static_cast<int>(g));
    a.nic = pairing.cards[static_cast<std::size_t>(best)].nics.front();
    a.nic_path = pairing.matrix[g][static_cast<std::size_t>(*a.nic)];
  }
  // Who shares with whom: a card's owner and every GPU sent to it in step 3.
  for (std::size_t g = 0; g < gpu_count; ++g) {
    GpuAssignment& a = pairing.gpus[g];
    if (!a.nic) continue;
    const int card = pairing.card_of_nic[static_cast<std::size_t>(*a.nic)];
    for (const int other : users[static_cast<std::size_t>(card)]) {
      if (other != static_cast<int>(g)) a.shared_with.push_back(other);
    }
  }
  return pairing;
}

}  // namespace fabricperf::topology
