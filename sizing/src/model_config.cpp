#include "fabricperf/sizing/model_config.hpp"

#include <algorithm>

#include "config_fields.hpp"
#include "fabricperf/error.hpp"
#include "fabricperf/input_file.hpp"

namespace fabricperf::sizing {
namespace {

using detail::ConfigFields;

bool starts_with(const std::string& text, std::string_view prefix) {
  return text.rfind(prefix, 0) == 0;
}

// Llama 4: the MoE block is called every `interleave_moe_layer_step` layers, starting with layer
// step-1 (transformers' Llama4TextConfig), unless `moe_layers` lists them.
void mark_llama4_moe_layers(const ConfigFields& f, ModelConfig& m) {
  if (f.has("moe_layers")) {
    for (std::uint64_t i : f.index_list("moe_layers")) {
      if (i >= m.num_layers)
        f.fail("field \"" + f.name("moe_layers") + "\" names layer " + std::to_string(i) + " of " +
               std::to_string(m.num_layers));
      m.layers[i].moe = true;
    }
    return;
  }
  const std::uint64_t step = f.positive_or("interleave_moe_layer_step", 1);
  for (std::uint64_t i = step - 1; i < m.num_layers; i += step) m.layers[i].moe = true;
}

void read_moe(const ConfigFields& f, ModelConfig& m) {
  MoeSpec& moe = m.moe;
  if (f.has("n_routed_experts")) {
    // DeepSeek-V2/V3, Kimi-K2: dense layers before first_k_dense_replace, then MoE every
    // moe_layer_freq layers; shared experts have the routed experts' width.
    moe.routed_experts = f.count_or("n_routed_experts", 0);
    if (moe.routed_experts == 0) return;
    moe.expert_intermediate_size = f.positive("moe_intermediate_size");
    moe.experts_per_token = f.positive("num_experts_per_tok");
    moe.shared_intermediate_size = f.count_or("n_shared_experts", 0) * moe.expert_intermediate_size;
    moe.router_bias = f.string_or("topk_method", "") == "noaux_tc";
    const std::uint64_t first_dense = f.count_or("first_k_dense_replace", 0);
    const std::uint64_t freq = f.positive_or("moe_layer_freq", 1);
    for (std::uint64_t i = 0; i < m.num_layers; ++i) m.layers[i].moe = i >= first_dense && i % freq == 0;
  } else if (f.has("num_local_experts")) {
    moe.routed_experts = f.positive("num_local_experts");
    moe.experts_per_token = f.positive("num_experts_per_tok");
    moe.expert_intermediate_size = f.positive("intermediate_size");
    if (starts_with(m.model_type, "llama4") || f.has("intermediate_size_mlp")) {
      // Llama 4: one shared expert as wide as a routed one; dense layers use intermediate_size_mlp.
      moe.shared_intermediate_size = moe.expert_intermediate_size;
      mark_llama4_moe_layers(f, m);
    } else {
      // Mixtral: every layer is MoE, intermediate_size is one expert's width.
      for (auto& layer : m.layers) layer.moe = true;
    }
  } else if (f.count_or("num_experts", 0) > 0) {
    // Qwen2-MoE / Qwen3-MoE: MoE on layers (i+1) % decoder_sparse_step == 0 not in mlp_only_layers.
    moe.routed_experts = f.positive("num_experts");
    moe.experts_per_token = f.positive("num_experts_per_tok");
    moe.expert_intermediate_size = f.positive("moe_intermediate_size");
    moe.shared_intermediate_size = f.count_or("shared_expert_intermediate_size", 0);
    moe.shared_expert_gate = moe.shared_intermediate_size > 0;
    const std::uint64_t step = f.positive_or("decoder_sparse_step", 1);
    const std::vector<std::uint64_t> dense_only = f.index_list("mlp_only_layers");
    for (std::uint64_t i = 0; i < m.num_layers; ++i) {
      const bool listed = std::find(dense_only.begin(), dense_only.end(), i) != dense_only.end();
      m.layers[i].moe = !listed && (i + 1) % step == 0;
    }
  }
  if (moe.routed_experts > 0 && moe.experts_per_token > moe.routed_experts)
    f.fail("field \"" + f.name("num_experts_per_tok") + "\" (" + std::to_string(moe.experts_per_token) +
           ") exceeds the number of experts (" + std::to_string(moe.routed_experts) + ")");
}

// Layers that keep only a window of the context: explicit layer_types (transformers' newer
// configs), or Llama 4's chunked attention on its RoPE layers (every layer but each 4th).
void read_windows(const ConfigFields& f, ModelConfig& m) {
  if (f.has("layer_types")) {
    const std::vector<std::string> types = f.string_list("layer_types");
    if (types.size() != m.num_layers)
      f.fail("field \"" + f.name("layer_types") + "\" has " + std::to_string(types.size()) + " entries for " +
             std::to_string(m.num_layers) + " layers");
    for (std::uint64_t i = 0; i < m.num_layers; ++i) {
      if (types[i] == "full_attention") continue;
      if (types[i] == "sliding_attention") {
        m.layers[i].kv_window_tokens = f.positive("sliding_window");
      } else if (types[i] == "chunked_attention") {
        m.layers[i].kv_window_tokens = f.positive("attention_chunk_size");
      } else {
        f.fail("field \"" + f.name("layer_types") + "\" has layer type \"" + types[i] +
               "\", which fp_sizing does not model (full_attention, sliding_attention, chunked_attention)");
      }
    }
    return;
  }
  if (!starts_with(m.model_type, "llama4") || !f.has("attention_chunk_size")) return;
  const std::uint64_t chunk = f.positive("attention_chunk_size");
  std::vector<std::uint64_t> uses_rope = f.index_list("no_rope_layers");  // 1: RoPE + chunked
  if (uses_rope.empty()) {
    const std::uint64_t interval = f.positive_or("no_rope_layer_interval", 4);
    for (std::uint64_t i = 0; i < m.num_layers; ++i) uses_rope.push_back((i + 1) % interval != 0 ? 1 : 0);
  }
  if (uses_rope.size() != m.num_layers)
    f.fail("field \"" + f.name("no_rope_layers") + "\" has " + std::to_string(uses_rope.size()) + " entries for " +
           std::to_string(m.num_layers) + " layers");
  for (std::uint64_t i = 0; i < m.num_layers; ++i) {
    if (uses_rope[i] != 0) m.layers[i].kv_window_tokens = chunk;
  }
}

// A ViT-style tower: per layer attention (4h², biases) + a two-matrix GELU MLP (2hi) + two
// LayerNorms, the patch embedding, Llama 4's pixel-shuffle adapter and the projector into the
// text model. An estimate (the tower is under 1% of these models).
std::uint64_t estimate_vision(const ConfigFields& v, std::uint64_t text_hidden) {
  if (!v.has("hidden_size") || !v.has("intermediate_size") || !v.has("num_hidden_layers")) return 0;
  const std::uint64_t h = v.positive("hidden_size");
  const std::uint64_t i = v.positive("intermediate_size");
  const std::uint64_t layers = v.positive("num_hidden_layers");
  std::uint64_t params = layers * (4 * h * h + 2 * h * i + 9 * h + i);
  const std::uint64_t patch = v.count_or("patch_size", 0);
  params += v.positive_or("num_channels", 3) * patch * patch * h;
  const double ratio = v.positive_number_or("pixel_shuffle_ratio", 0);
  if (ratio != 0 && !(ratio >= 1.0 / 64 && ratio <= 1))  // Llama 4: 0.5
    v.fail("field \"" + v.name("pixel_shuffle_ratio") + "\" is " + std::to_string(ratio) +
           ", outside the range fp_sizing accepts [1/64, 1]");
  const std::uint64_t p_in = v.count_or("projector_input_dim", 0);
  const std::uint64_t p_out = v.count_or("projector_output_dim", 0);
  if (ratio > 0 && p_in > 0 && p_out > 0) {
    params += static_cast<std::uint64_t>(static_cast<double>(h) / (ratio * ratio)) * p_in + p_in * p_out;
  }
  params += v.count_or("vision_output_dim", 0) * text_hidden;
  return params;
}

std::string type_name_of(const nlohmann::json& j) {
  return j.type_name();
}

DType dtype_from_torch(const std::string& name) {
  if (name == "float16") return DType::fp16;
  if (name == "float32") return DType::fp32;
  return DType::bf16;
}

std::optional<DType> dtype_from_quantization(const nlohmann::json& q) {
  if (!q.is_object()) return std::nullopt;
  const std::string method = q.value("quant_method", std::string());
  if (method == "fp8" || method == "fbgemm_fp8") return DType::fp8;
  if (method == "mxfp4") return DType::fp4;
  if (method == "modelopt") {
    const std::string algo = q.value("quant_algo", std::string());
    if (algo == "NVFP4") return DType::fp4;
    if (algo == "FP8") return DType::fp8;
  }
  if (method == "gptq" || method == "awq") {
    const int bits = q.value("bits", 4);
    return bits == 8 ? DType::int8 : DType::int4;
  }
  if (method == "compressed-tensors" && q.contains("config_groups") && q["config_groups"].is_object()) {
    for (const auto& [name, group] : q["config_groups"].items()) {
      if (!group.is_object() || !group.contains("weights") || !group["weights"].is_object()) continue;
      const auto& w = group["weights"];
      const int bits = w.value("num_bits", 0);
      const std::string type = w.value("type", std::string("int"));
      if (bits == 4) return type == "float" ? DType::fp4 : DType::int4;
      if (bits == 8) return type == "float" ? DType::fp8 : DType::int8;
    }
  }
  return std::nullopt;
}

}  // namespace

std::uint64_t ModelConfig::moe_layer_count() const noexcept {
  return static_cast<std::uint64_t>(
      std::count_if(layers.begin(), layers.end(), [](const LayerSpec& l) { return l.moe; }));
}

std::uint64_t ModelConfig::windowed_layer_count() const noexcept {
  return static_cast<std::uint64_t>(
      std::count_if(layers.begin(), layers.end(), [](const LayerSpec& l) { return l.kv_window_tokens != 0; }));
}

DType native_weights_dtype(const nlohmann::json& config) {
  const nlohmann::json* text =
      config.contains("text_config") && config["text_config"].is_object() ? &config["text_config"] : nullptr;
  for (const nlohmann::json* where : {&config, text}) {
    if (where && where->contains("quantization_config")) {
      try {
        if (auto d = dtype_from_quantization((*where)["quantization_config"])) return *d;
      } catch (const nlohmann::json::exception&) {
        // An unexpected quantization_config shape: fall back to torch_dtype.
      }
    }
  }
  for (const nlohmann::json* where : {&config, text}) {
    if (!where) continue;
    for (const char* key : {"torch_dtype", "dtype"}) {
      if (where->contains(key) && (*where)[key].is_string()) return dtype_from_torch((*where)[key].get<std::string>());
    }
  }
  return DType::bf16;
}

ModelConfig parse_model_config(const nlohmann::json& config, const std::string& origin) {
  if (!config.is_object())
    throw UsageError(origin + ": config.json must be a JSON object, got " + type_name_of(config));
  const bool nested = config.contains("text_config") && config["text_config"].is_object();
  const ConfigFields top(config, origin, "");
  const ConfigFields f = nested ? ConfigFields(config["text_config"], origin, "text_config.") : top;

  ModelConfig m;
  m.origin = origin;
  m.model_type = f.string_or("model_type", top.string_or("model_type", ""));
  m.hidden_size = f.positive("hidden_size");
  m.num_layers = f.positive("num_hidden_layers");
  m.num_heads = f.positive("num_attention_heads");
  m.vocab_size = f.positive("vocab_size");
  m.num_kv_heads = f.positive_or("num_key_value_heads", m.num_heads);
  if (m.num_heads % m.num_kv_heads != 0)
    f.fail("num_attention_heads (" + std::to_string(m.num_heads) + ") is not a multiple of num_key_value_heads (" +
           std::to_string(m.num_kv_heads) + ")");
  if (f.has("head_dim")) {
    m.head_dim = f.positive("head_dim");
  } else if (m.hidden_size % m.num_heads == 0) {
    m.head_dim = m.hidden_size / m.num_heads;
  } else {
    f.fail("missing field \"" + f.name("head_dim") + "\" (hidden_size is not a multiple of num_attention_heads)");
  }
  m.max_position_embeddings = f.positive_or("max_position_embeddings", 0);
  m.tie_word_embeddings = f.boolean_or("tie_word_embeddings", top.boolean_or("tie_word_embeddings", false));
  m.attention_bias = f.boolean_or("attention_bias", false);
  m.qkv_bias = !m.attention_bias && starts_with(m.model_type, "qwen2");
  m.qk_norm_weights = starts_with(m.model_type, "qwen3");
  m.mtp_layers = f.count_or("num_nextn_predict_layers", 0);

  if (f.has("kv_lora_rank")) {
    MlaDims mla;
    mla.kv_lora_rank = f.positive("kv_lora_rank");
    mla.q_lora_rank = f.count_or("q_lora_rank", 0);
    mla.qk_nope_head_dim = f.positive("qk_nope_head_dim");
    mla.qk_rope_head_dim = f.positive("qk_rope_head_dim");
    mla.v_head_dim = f.positive("v_head_dim");
    m.mla = mla;
  }

  m.layers.resize(m.num_layers);
  read_moe(f, m);
  if (m.moe_layer_count() < m.num_layers) {
    // Llama 4 names its dense MLP width intermediate_size_mlp (intermediate_size is an expert's).
    m.dense_intermediate_size =
        f.positive(f.has("intermediate_size_mlp") ? "intermediate_size_mlp" : "intermediate_size");
  }
  read_windows(f, m);

  if (top.has("vision_config")) {
    if (!config["vision_config"].is_object())
      top.fail("field \"vision_config\" must be an object, got " + type_name_of(config["vision_config"]));
    m.vision_params = estimate_vision(ConfigFields(config["vision_config"], origin, "vision_config."), m.hidden_size);
  }
  m.native_weights_dtype = native_weights_dtype(config);
  return m;
}

ModelConfig load_model_config(const std::string& path) {
  const std::string text = read_input_file(path, "model config", kMaxModelConfigBytes);
  return parse_model_config(parse_json_bounded(text, "model config " + path), path);
}

}  // namespace fabricperf::sizing
