#pragma once
// Parameter counts from the architecture fields, per layer and per kind, and what they weigh in a
// given weight format.
#include <cstdint>
#include <vector>

#include "fabricperf/sizing/dtype.hpp"
#include "fabricperf/sizing/model_config.hpp"

namespace fabricperf::sizing {

struct LayerParams {
  std::uint64_t attention = 0;       // q/k/v/o projections (MLA: q_a, q_b, kv_a, kv_b, o) and biases
  std::uint64_t dense_mlp = 0;       // gate/up/down of a dense layer
  std::uint64_t shared_experts = 0;  // always-on experts of a MoE layer (and their gate)
  std::uint64_t routed_experts = 0;  // all routed experts of a MoE layer
  std::uint64_t router = 0;          // the routing gate (and its bias)
  std::uint64_t norms = 0;           // input/post-attention RMSNorms, MLA latent norms, q/k norms

  [[nodiscard]] std::uint64_t total() const noexcept {
    return attention + dense_mlp + shared_experts + routed_experts + router + norms;
  }
  // The linear layers a quantized format applies to.
  [[nodiscard]] std::uint64_t linear() const noexcept {
    return attention + dense_mlp + shared_experts + routed_experts;
  }
};

struct ParamCount {
  std::vector<LayerParams> layers;
  std::uint64_t embedding = 0;
  std::uint64_t lm_head = 0;  // 0 when tied to the embedding
  std::uint64_t final_norm = 0;
  std::uint64_t vision = 0;
  std::uint64_t active_per_token = 0;  // what one token touches: everything but the unrouted experts

  [[nodiscard]] std::uint64_t total() const noexcept;
  [[nodiscard]] LayerParams sum_layers() const noexcept;
};

[[nodiscard]] ParamCount count_parameters(const ModelConfig& model);

struct LayerWeightBytes {
  double routed_experts = 0;  // all routed experts of the layer
  double other = 0;           // everything else in the layer
  [[nodiscard]] double total() const noexcept { return routed_experts + other; }
};

struct ModelWeightBytes {
  std::vector<LayerWeightBytes> layers;
  double embedding = 0;
  double lm_head = 0;
  double final_norm = 0;
  double vision = 0;

  [[nodiscard]] double total() const noexcept;
  [[nodiscard]] double routed_experts() const noexcept;
  [[nodiscard]] double non_expert() const noexcept { return total() - routed_experts(); }
};

// Linear layers in `weights`; embeddings, lm_head, norms, routers and the vision tower in
// unquantized_dtype(weights) — as the FP8/INT4 checkpoints of these models ship them.
[[nodiscard]] ModelWeightBytes weight_bytes(const ParamCount& params, DType weights);

}  // namespace fabricperf::sizing
