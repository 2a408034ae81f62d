#include "fabricperf/sizing/kv_cache.hpp"

#include <algorithm>

namespace fabricperf::sizing {

double kv_bytes_per_token_per_layer(const ModelConfig& model, DType kv) {
  const double bytes = element_bytes(kv);
  if (model.mla) return static_cast<double>(model.mla->kv_lora_rank + model.mla->qk_rope_head_dim) * bytes;
  return static_cast<double>(model.num_kv_heads * model.head_dim * 2) * bytes;
}

double kv_bytes_per_token(const ModelConfig& model, DType kv) {
  return kv_bytes_per_token_per_layer(model, kv) * static_cast<double>(model.num_layers);
}

double kv_bytes_per_token_per_layer_per_gpu(const ModelConfig& model, DType kv, std::uint64_t tp) {
  const double whole = kv_bytes_per_token_per_layer(model, kv);
  if (model.mla || tp <= 1) return whole;
  // tp divides num_kv_heads (choose_tensor_parallel); a larger tp would replicate heads.
  const std::uint64_t heads_per_gpu = std::max<std::uint64_t>(1, model.num_kv_heads / tp);
  return whole * static_cast<double>(heads_per_gpu) / static_cast<double>(model.num_kv_heads);
}

std::uint64_t kv_tokens_kept(const LayerSpec& layer, std::uint64_t context) noexcept {
  return layer.kv_window_tokens == 0 ? context : std::min(layer.kv_window_tokens, context);
}

double kv_cache_bytes(const ModelConfig& model, DType kv, std::uint64_t context, std::uint64_t sequences) {
  const double per_layer = kv_bytes_per_token_per_layer(model, kv);
  double tokens = 0;
  for (const LayerSpec& layer : model.layers) tokens += static_cast<double>(kv_tokens_kept(layer, context));
  return per_layer * tokens * static_cast<double>(sequences);
}

}  // namespace fabricperf::sizing
