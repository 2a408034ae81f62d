#pragma once
// A model's architecture as read from a Hugging Face config.json, normalised across the families
// fp_sizing knows: Llama (dense, GQA), DeepSeek-V2/V3 and Kimi-K2 (MLA + MoE), Qwen2/Qwen3 (dense
// and MoE), Mixtral, and Llama 4 (MoE with interleaved dense layers, chunked attention, vision).
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fabricperf/sizing/dtype.hpp"

namespace fabricperf::sizing {

// Multi-head latent attention (DeepSeek-V2/V3, Kimi-K2): the KV cache holds one latent of
// kv_lora_rank + qk_rope_head_dim values per token and layer.
struct MlaDims {
  std::uint64_t q_lora_rank = 0;  // 0: queries projected directly from the hidden state
  std::uint64_t kv_lora_rank = 0;
  std::uint64_t qk_nope_head_dim = 0;
  std::uint64_t qk_rope_head_dim = 0;
  std::uint64_t v_head_dim = 0;
};

struct MoeSpec {
  std::uint64_t routed_experts = 0;     // 0: a dense model
  std::uint64_t experts_per_token = 0;  // top-k
  std::uint64_t expert_intermediate_size = 0;
  std::uint64_t shared_intermediate_size = 0;  // all shared experts together; 0: none
  bool shared_expert_gate = false;             // Qwen2-MoE: a 1-output gate on the shared expert
  bool router_bias = false;                    // DeepSeek noaux_tc: e_score_correction_bias
};

struct LayerSpec {
  bool moe = false;                    // routed experts in this layer (else a dense MLP)
  std::uint64_t kv_window_tokens = 0;  // 0: attends to the whole context; else a chunk/sliding window
};

struct ModelConfig {
  std::string origin;      // the file or catalogue entry it came from (used in messages)
  std::string model_type;  // as in config.json (text_config's when nested)
  std::uint64_t hidden_size = 0;
  std::uint64_t num_layers = 0;
  std::uint64_t num_heads = 0;
  std::uint64_t num_kv_heads = 0;
  std::uint64_t head_dim = 0;
  std::uint64_t vocab_size = 0;
  std::uint64_t dense_intermediate_size = 0;  // 0 when no layer has a dense MLP
  std::uint64_t max_position_embeddings = 0;  // 0 when the config does not say
  bool tie_word_embeddings = false;
  bool attention_bias = false;   // q/k/v/o biases
  bool qkv_bias = false;         // q/k/v biases only (Qwen2)
  bool qk_norm_weights = false;  // per-head RMSNorm on q and k (Qwen3)
  std::optional<MlaDims> mla;
  MoeSpec moe;
  std::vector<LayerSpec> layers;    // num_layers entries
  std::uint64_t vision_params = 0;  // estimated vision tower + projector, 0 for text-only models
  std::uint64_t mtp_layers = 0;     // DeepSeek num_nextn_predict_layers (not counted in weights)
  DType native_weights_dtype = DType::bf16;

  [[nodiscard]] bool is_moe() const noexcept { return moe.routed_experts > 0; }
  [[nodiscard]] std::uint64_t moe_layer_count() const noexcept;
  [[nodiscard]] std::uint64_t windowed_layer_count() const noexcept;
};

// Normalises a parsed config.json. `origin` names it in errors. Throws UsageError with one line
// naming the field: missing ("missing field \"hidden_size\""), of the wrong type, or inconsistent.
[[nodiscard]] ModelConfig parse_model_config(const nlohmann::json& config, const std::string& origin);

// Size cap of a config.json: real ones are a few KB (the largest in sizing/catalogue ~6 KB).
inline constexpr std::size_t kMaxModelConfigBytes = std::size_t{4} << 20;  // 4 MiB

// Reads and parses a config.json through core's read_input_file and parse_json_bounded: an
// empty path, a missing file, a directory, a FIFO, a device, a file above kMaxModelConfigBytes,
// invalid JSON, JSON nested deeper than 64 levels or a number outside double's range is a
// UsageError naming the path.
[[nodiscard]] ModelConfig load_model_config(const std::string& path);

// The weight format a released checkpoint ships in: quantization_config (fp8, compressed-tensors
// int4/fp8, NVFP4/MXFP4) when present, else torch_dtype, else bf16.
[[nodiscard]] DType native_weights_dtype(const nlohmann::json& config);

}  // namespace fabricperf::sizing
