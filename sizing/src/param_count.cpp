#include "fabricperf/sizing/param_count.hpp"

namespace fabricperf::sizing {
namespace {

LayerParams count_layer(const ModelConfig& m, const LayerSpec& spec) {
  const std::uint64_t h = m.hidden_size;
  LayerParams p;
  p.norms = 2 * h;  // input_layernorm + post_attention_layernorm
  if (m.mla) {
    const MlaDims& a = *m.mla;
    const std::uint64_t q_head = a.qk_nope_head_dim + a.qk_rope_head_dim;
    if (a.q_lora_rank > 0) {
      p.attention += h * a.q_lora_rank + a.q_lora_rank * m.num_heads * q_head;  // q_a_proj, q_b_proj
      p.norms += a.q_lora_rank;                                                 // q_a_layernorm
    } else {
      p.attention += h * m.num_heads * q_head;  // q_proj
    }
    p.attention += h * (a.kv_lora_rank + a.qk_rope_head_dim);                           // kv_a_proj_with_mqa
    p.norms += a.kv_lora_rank;                                                          // kv_a_layernorm
    p.attention += a.kv_lora_rank * m.num_heads * (a.qk_nope_head_dim + a.v_head_dim);  // kv_b_proj
    p.attention += m.num_heads * a.v_head_dim * h;                                      // o_proj
  } else {
    const std::uint64_t q = m.num_heads * m.head_dim;
    const std::uint64_t kv = m.num_kv_heads * m.head_dim;
    p.attention = h * q + 2 * h * kv + q * h;  // q, k, v, o
    if (m.attention_bias) p.attention += q + 2 * kv + h;
    if (m.qkv_bias) p.attention += q + 2 * kv;
    if (m.qk_norm_weights) p.norms += 2 * m.head_dim;
  }
  if (spec.moe) {
    const MoeSpec& e = m.moe;
    p.routed_experts = e.routed_experts * 3 * h * e.expert_intermediate_size;  // gate, up, down each
    p.shared_experts = 3 * h * e.shared_intermediate_size + (e.shared_expert_gate ? h : 0);
    p.router = h * e.routed_experts + (e.router_bias ? e.routed_experts : 0);
  } else {
    p.dense_mlp = 3 * h * m.dense_intermediate_size;  // gated MLP: gate, up, down
  }
  return p;
}

}  // namespace

std::uint64_t ParamCount::total() const noexcept {
  return sum_layers().total() + embedding + lm_head + final_norm + vision;
}

LayerParams ParamCount::sum_layers() const noexcept {
  LayerParams s;
  for (const LayerParams& l : layers) {
    s.attention += l.attention;
    s.dense_mlp += l.dense_mlp;
    s.shared_experts += l.shared_experts;
    s.routed_experts += l.routed_experts;
    s.router += l.router;
    s.norms += l.norms;
  }
  return s;
}

ParamCount count_parameters(const ModelConfig& model) {
  ParamCount count;
  count.layers.reserve(model.layers.size());
  for (const LayerSpec& spec : model.layers) count.layers.push_back(count_layer(model, spec));
  count.embedding = model.vocab_size * model.hidden_size;
  count.lm_head = model.tie_word_embeddings ? 0 : model.vocab_size * model.hidden_size;
  count.final_norm = model.hidden_size;
  count.vision = model.vision_params;

  // Active per token: every layer's non-expert part, top-k of its routed experts, and the output
  // head (the convention of the DeepSeek-V3 report's "37B activated").
  std::uint64_t active = model.vocab_size * model.hidden_size + count.final_norm;
  for (const LayerParams& l : count.layers) {
    active += l.attention + l.dense_mlp + l.shared_experts + l.router + l.norms;
    if (model.moe.routed_experts > 0)
      active += l.routed_experts / model.moe.routed_experts * model.moe.experts_per_token;
  }
  count.active_per_token = active;
  return count;
}

double ModelWeightBytes::total() const noexcept {
  double sum = embedding + lm_head + final_norm + vision;
  for (const LayerWeightBytes& l : layers) sum += l.total();
  return sum;
}

double ModelWeightBytes::routed_experts() const noexcept {
  double sum = 0;
  for (const LayerWeightBytes& l : layers) sum += l.routed_experts;
  return sum;
}

ModelWeightBytes weight_bytes(const ParamCount& params, DType weights) {
  const double linear = weight_bytes_per_param(weights);
  const double plain = weight_bytes_per_param(unquantized_dtype(weights));
  ModelWeightBytes out;
  out.layers.reserve(params.layers.size());
  for (const LayerParams& l : params.layers) {
    LayerWeightBytes b;
    b.routed_experts = static_cast<double>(l.routed_experts) * linear;
    b.other = static_cast<double>(l.attention + l.dense_mlp + l.shared_experts) * linear +
              static_cast<double>(l.router + l.norms) * plain;
    out.layers.push_back(b);
  }
  out.embedding = static_cast<double>(params.embedding) * plain;
  out.lm_head = static_cast<double>(params.lm_head) * plain;
  out.final_norm = static_cast<double>(params.final_norm) * plain;
  out.vision = static_cast<double>(params.vision) * plain;
  return out;
}

}  // namespace fabricperf::sizing
