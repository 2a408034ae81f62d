#pragma once
// What a layout sends between GPUs per token and per decode step: the collective sizes a fabric
// test should exercise for this model.
#include <cstdint>
#include <string>
#include <vector>

#include "fabricperf/sizing/model_config.hpp"
#include "fabricperf/sizing/plan.hpp"

namespace fabricperf::sizing {

// Activations travel in bf16.
inline constexpr double kActivationBytes = 2.0;

struct Collective {
  std::string name;  // "tp_all_reduce", "pp_send_recv", "ep_dispatch", "ep_combine"
  std::string op;    // "all_reduce", "send_recv", "all_to_all"
  bool crosses_fabric = false;
  double size_bytes = 0;             // one operation in one decode step (all sequences' tokens)
  std::uint64_t count_per_step = 0;  // operations per decode step
  double inter_node_fraction = 0;    // share of size_bytes that leaves the node
};

struct FabricTraffic {
  std::uint64_t servers = 1;
  std::uint64_t tokens_per_step = 1;         // one decode step: one token per sequence
  double activation_bytes_per_token = 0;     // hidden_size × 2
  std::uint64_t pipeline_boundaries = 0;     // stage boundaries that are also node boundaries
  double pipeline_bytes_per_token = 0;       // over the fabric
  double ep_all_to_all_bytes_per_token = 0;  // dispatch + combine, all MoE layers, over the fabric
  double inter_node_bytes_per_token = 0;
  double inter_node_bytes_per_step = 0;     // × tokens_per_step
  double inter_node_bytes_per_prefill = 0;  // one sequence's whole context prefilled
  std::vector<Collective> collectives;
};

[[nodiscard]] FabricTraffic fabric_traffic(const ModelConfig& model, const SizingRequest& request,
                                           const Candidate& candidate);

}  // namespace fabricperf::sizing
