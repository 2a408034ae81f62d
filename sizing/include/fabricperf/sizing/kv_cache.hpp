#pragma once
// KV-cache size: per token, per layer, per GPU under tensor parallelism, and for a whole context.
#include <cstdint>

#include "fabricperf/sizing/dtype.hpp"
#include "fabricperf/sizing/model_config.hpp"

namespace fabricperf::sizing {

// One token in one layer, the whole model width:
//   GQA/MHA: num_kv_heads × head_dim × 2 (K and V) × bytes
//   MLA:     (kv_lora_rank + qk_rope_head_dim) × bytes
[[nodiscard]] double kv_bytes_per_token_per_layer(const ModelConfig& model, DType kv);

// One token in every layer (the figure usually quoted as "KV bytes per token").
[[nodiscard]] double kv_bytes_per_token(const ModelConfig& model, DType kv);

// One token in one layer as held by one GPU of a tensor-parallel group of `tp`: GQA heads are
// split (tp divides num_kv_heads); the MLA latent is not split, every rank keeps all of it.
[[nodiscard]] double kv_bytes_per_token_per_layer_per_gpu(const ModelConfig& model, DType kv, std::uint64_t tp);

// Tokens a layer keeps for a context of `context` tokens: all of them, or its window.
[[nodiscard]] std::uint64_t kv_tokens_kept(const LayerSpec& layer, std::uint64_t context) noexcept;

// The whole model's KV cache for `sequences` sequences of `context` tokens (windows applied).
[[nodiscard]] double kv_cache_bytes(const ModelConfig& model, DType kv, std::uint64_t context, std::uint64_t sequences);

}  // namespace fabricperf::sizing
