#pragma once
// Which NIC each GPU should use. GPUDirect RDMA is fast when every GPU has its own NIC close to
// it; this computes, per GPU, the nearest NICs and a 1:1 assignment: every GPU gets, when it
// can, NIC cards of its own among its nearest ones (several per GPU is fine, as on AWS p5); a
// GPU left without one is pointed at the least shared of its nearest cards and the sharing is
// reported. The functions/ports of one physical card count as one NIC (a "card").
// Soft-RoCE/siw devices never carry GPUDirect traffic and take no part.
#include <optional>
#include <string>
#include <vector>

#include "fabricperf/topology/model.hpp"
#include "fabricperf/topology/path.hpp"

namespace fabricperf::topology {

struct NicCard {
  std::string id;         // the PCI slot ("0000:ab:00"), or the NIC id without PCI
  std::vector<int> nics;  // indices into Topology::nics, in order
};

struct GpuAssignment {
  int gpu = 0;
  std::optional<PathClass> nearest_path;  // best class to any eligible NIC (none: no eligible NIC)
  std::vector<int> nearest_nics;          // NICs at nearest_path
  std::vector<int> dedicated_cards;       // cards this GPU has to itself (indices into Pairing::cards)
  std::vector<int> dedicated_nics;        // every NIC on those cards
  std::optional<int> nic;                 // the NIC to use: first dedicated, else a shared nearest one
  std::optional<PathClass> nic_path;
  std::vector<int> shared_with;           // other GPUs that use the card of `nic` (forced sharing)

  [[nodiscard]] bool dedicated() const noexcept { return !dedicated_cards.empty(); }
};

struct Pairing {
  PathMatrix matrix;                  // GPU x NIC path classes
  std::vector<NicCard> cards;         // eligible cards (hardware RDMA NICs), in NIC order
  std::vector<int> card_of_nic;       // per NIC: index into cards, -1 for software NICs
  std::vector<GpuAssignment> gpus;    // per GPU, in Topology::gpus order

  // Every GPU has a dedicated card at `at_most` or better.
  [[nodiscard]] bool one_to_one(PathClass at_most = PathClass::pix) const;
};

[[nodiscard]] Pairing pair_gpus_with_nics(const Topology& topo);

}  // namespace fabricperf::topology
