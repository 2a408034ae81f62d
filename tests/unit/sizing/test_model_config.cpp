#include <gtest/gtest.h>

#include <string>

#include "fabricperf/error.hpp"
#include "fabricperf/sizing/model_config.hpp"
#include "sizing_test_util.hpp"

using namespace fabricperf::sizing;
using nlohmann::json;
using sizing_test::data_path;
using sizing_test::load;

namespace {

// The one-line message a UsageError from parsing `config` carries.
std::string error_of(const json& config) {
  try {
    (void)parse_model_config(config, "cfg.json");
  } catch (const fabricperf::UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string load_error(const std::string& name) {
  try {
    (void)load(name);
  } catch (const fabricperf::UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

json dense_base() {
  return json{{"model_type", "llama"},    {"hidden_size", 64},
              {"intermediate_size", 128}, {"num_hidden_layers", 4},
              {"num_attention_heads", 4}, {"num_key_value_heads", 2},
              {"vocab_size", 100},        {"max_position_embeddings", 256}};
}

std::vector<bool> moe_pattern(const ModelConfig& m) {
  std::vector<bool> out;
  for (const LayerSpec& l : m.layers) out.push_back(l.moe);
  return out;
}

}  // namespace

TEST(SizingModelConfig, ReadsADenseConfig) {
  const ModelConfig m = load("tiny_dense.json");
  EXPECT_EQ(m.model_type, "llama");
  EXPECT_EQ(m.hidden_size, 64U);
  EXPECT_EQ(m.num_layers, 2U);
  EXPECT_EQ(m.num_heads, 4U);
  EXPECT_EQ(m.num_kv_heads, 2U);
  EXPECT_EQ(m.head_dim, 16U);  // hidden_size / num_attention_heads
  EXPECT_EQ(m.dense_intermediate_size, 128U);
  EXPECT_EQ(m.max_position_embeddings, 256U);
  EXPECT_FALSE(m.is_moe());
  EXPECT_FALSE(m.mla.has_value());
  EXPECT_EQ(m.native_weights_dtype, DType::bf16);
}

TEST(SizingModelConfig, KvHeadsDefaultToAttentionHeads) {
  json c = dense_base();
  c.erase("num_key_value_heads");
  EXPECT_EQ(parse_model_config(c, "cfg.json").num_kv_heads, 4U);
}

TEST(SizingModelConfig, ReadsMlaAndDeepSeekMoe) {
  const ModelConfig m = load("tiny_mla_moe.json");
  ASSERT_TRUE(m.mla.has_value());
  EXPECT_EQ(m.mla->kv_lora_rank, 8U);
  EXPECT_EQ(m.mla->qk_rope_head_dim, 2U);
  EXPECT_EQ(m.moe.routed_experts, 4U);
  EXPECT_EQ(m.moe.experts_per_token, 2U);
  EXPECT_EQ(m.moe.shared_intermediate_size, 16U);
  EXPECT_TRUE(m.moe.router_bias);
  EXPECT_EQ(moe_pattern(m), (std::vector<bool>{false, true, true}));  // first_k_dense_replace = 1
  EXPECT_EQ(m.native_weights_dtype, DType::fp8);                      // quantization_config
}

TEST(SizingModelConfig, DeepSeekMoeLayerFrequency) {
  json c = dense_base();
  c["num_hidden_layers"] = 6;
  c.update(json{{"n_routed_experts", 8},
                {"moe_intermediate_size", 16},
                {"num_experts_per_tok", 2},
                {"first_k_dense_replace", 1},
                {"moe_layer_freq", 2}});
  // MoE where i >= 1 and i % 2 == 0: layers 2 and 4.
  EXPECT_EQ(moe_pattern(parse_model_config(c, "cfg.json")),
            (std::vector<bool>{false, false, true, false, true, false}));
}

TEST(SizingModelConfig, QwenSparseStepAndMlpOnlyLayers) {
  json c = dense_base();
  c["model_type"] = "qwen3_moe";
  c["num_hidden_layers"] = 6;
  c.update(json{{"num_experts", 8},
                {"moe_intermediate_size", 16},
                {"num_experts_per_tok", 2},
                {"decoder_sparse_step", 2},
                {"mlp_only_layers", json::array({3})}});
  // MoE where (i+1) % 2 == 0 and i not in mlp_only_layers: layers 1 and 5 (3 is forced dense).
  const ModelConfig m = parse_model_config(c, "cfg.json");
  EXPECT_EQ(moe_pattern(m), (std::vector<bool>{false, true, false, false, false, true}));
  EXPECT_TRUE(m.qk_norm_weights);
  EXPECT_EQ(m.dense_intermediate_size, 128U);
}

TEST(SizingModelConfig, MixtralIsMoeOnEveryLayer) {
  json c = dense_base();
  c["model_type"] = "mixtral";
  c.update(json{{"num_local_experts", 8}, {"num_experts_per_tok", 2}});
  const ModelConfig m = parse_model_config(c, "cfg.json");
  EXPECT_EQ(m.moe_layer_count(), 4U);
  EXPECT_EQ(m.moe.expert_intermediate_size, 128U);
  EXPECT_EQ(m.moe.shared_intermediate_size, 0U);
}

TEST(SizingModelConfig, Llama4NestedInterleavedChunked) {
  const ModelConfig m = load("tiny_llama4.json");
  EXPECT_EQ(m.model_type, "llama4_text");
  EXPECT_EQ(m.hidden_size, 32U);
  // interleave_moe_layer_step 2: MoE on layers 1 and 3 (step-1, then every step).
  EXPECT_EQ(moe_pattern(m), (std::vector<bool>{false, true, false, true}));
  EXPECT_EQ(m.moe.expert_intermediate_size, 16U);
  EXPECT_EQ(m.moe.shared_intermediate_size, 16U);
  EXPECT_EQ(m.dense_intermediate_size, 64U);  // intermediate_size_mlp
  // Chunked attention on RoPE layers: all but every 4th (layer 3 is the global NoPE layer).
  EXPECT_EQ(m.layers[0].kv_window_tokens, 16U);
  EXPECT_EQ(m.layers[2].kv_window_tokens, 16U);
  EXPECT_EQ(m.layers[3].kv_window_tokens, 0U);
  EXPECT_EQ(m.windowed_layer_count(), 3U);
}

TEST(SizingModelConfig, Llama4ExplicitMoeLayers) {
  json c = json::parse(R"({"text_config": {"model_type": "llama4_text", "hidden_size": 32, "intermediate_size": 16,
    "intermediate_size_mlp": 64, "num_hidden_layers": 4, "num_attention_heads": 4, "vocab_size": 10,
    "num_local_experts": 4, "num_experts_per_tok": 1, "moe_layers": [0, 2]}})");
  EXPECT_EQ(moe_pattern(parse_model_config(c, "cfg.json")), (std::vector<bool>{true, false, true, false}));
  c["text_config"]["moe_layers"] = json::array({7});
  EXPECT_NE(error_of(c).find("text_config.moe_layers"), std::string::npos);
}

TEST(SizingModelConfig, LayerTypesGiveSlidingWindows) {
  json c = dense_base();
  c["layer_types"] = {"sliding_attention", "full_attention", "sliding_attention", "full_attention"};
  c["sliding_window"] = 32;
  const ModelConfig m = parse_model_config(c, "cfg.json");
  EXPECT_EQ(m.layers[0].kv_window_tokens, 32U);
  EXPECT_EQ(m.layers[1].kv_window_tokens, 0U);
  c["layer_types"] = {"linear_attention", "full_attention", "full_attention", "full_attention"};
  EXPECT_NE(error_of(c).find("linear_attention"), std::string::npos);
}

TEST(SizingModelConfig, NativeDtypeFromQuantizationConfig) {
  EXPECT_EQ(native_weights_dtype(json{{"torch_dtype", "bfloat16"}}), DType::bf16);
  EXPECT_EQ(native_weights_dtype(json{{"torch_dtype", "float16"}}), DType::fp16);
  EXPECT_EQ(native_weights_dtype(json::object()), DType::bf16);
  EXPECT_EQ(native_weights_dtype(json{{"quantization_config", {{"quant_method", "fp8"}}}}), DType::fp8);
  EXPECT_EQ(native_weights_dtype(json{{"quantization_config", {{"quant_method", "awq"}, {"bits", 4}}}}), DType::int4);
  EXPECT_EQ(native_weights_dtype(json::parse(R"({"quantization_config": {"quant_method": "compressed-tensors",
      "config_groups": {"group_0": {"weights": {"num_bits": 4, "type": "int"}}}}})")),
            DType::int4);
  // An odd quantization_config falls back to torch_dtype rather than failing.
  EXPECT_EQ(native_weights_dtype(json{{"torch_dtype", "float16"},
                                      {"quantization_config", {{"quant_method", "gptq"}, {"bits", "four"}}}}),
            DType::fp16);
  EXPECT_EQ(native_weights_dtype(json{{"text_config", {{"quantization_config", {{"quant_method", "mxfp4"}}}}}}),
            DType::fp4);
}

// Malformed configs: one line naming the file and the field.
TEST(SizingModelConfig, MissingFieldIsNamed) {
  const std::string e = load_error("missing_field.json");
  EXPECT_NE(e.find("missing field \"hidden_size\""), std::string::npos) << e;
  EXPECT_NE(e.find("missing_field.json"), std::string::npos) << e;
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
}

TEST(SizingModelConfig, MissingMoeFieldIsNamed) {
  const std::string e = load_error("moe_missing_field.json");
  EXPECT_NE(e.find("missing field \"moe_intermediate_size\""), std::string::npos) << e;
}

TEST(SizingModelConfig, MissingNestedFieldNamesItsPath) {
  json c = json::parse(R"({"text_config": {"hidden_size": 32, "num_attention_heads": 4, "vocab_size": 10}})");
  EXPECT_NE(error_of(c).find("missing field \"text_config.num_hidden_layers\""), std::string::npos);
}

TEST(SizingModelConfig, WrongTypeIsNamed) {
  const std::string e = load_error("wrong_type.json");
  EXPECT_NE(e.find("field \"num_hidden_layers\" must be a positive integer"), std::string::npos) << e;
  EXPECT_NE(e.find("string"), std::string::npos) << e;
  json c = dense_base();
  c["hidden_size"] = 64.5;
  EXPECT_NE(error_of(c).find("\"hidden_size\" must be a positive integer"), std::string::npos);
  c = dense_base();
  c["hidden_size"] = 0;
  EXPECT_NE(error_of(c).find("\"hidden_size\" must be a positive integer"), std::string::npos);
  c = dense_base();
  c["tie_word_embeddings"] = "yes";
  EXPECT_NE(error_of(c).find("\"tie_word_embeddings\" must be true or false"), std::string::npos);
}

TEST(SizingModelConfig, NotJsonAndNotAnObject) {
  const std::string e = load_error("not_json.json");
  EXPECT_NE(e.find("invalid JSON"), std::string::npos) << e;
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
  EXPECT_NE(load_error("not_object.json").find("must be a JSON object"), std::string::npos);
  EXPECT_NE(load_error("no_such_file.json").find("No such file"), std::string::npos);
}

TEST(SizingModelConfig, InconsistentHeadsAreRejected) {
  json c = dense_base();
  c["num_key_value_heads"] = 3;
  EXPECT_NE(error_of(c).find("not a multiple of num_key_value_heads"), std::string::npos);
  c = dense_base();
  c.update(json{{"num_local_experts", 2}, {"num_experts_per_tok", 4}});
  EXPECT_NE(error_of(c).find("exceeds the number of experts"), std::string::npos);
}
