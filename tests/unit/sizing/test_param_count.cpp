#include <gtest/gtest.h>

#include "fabricperf/sizing/catalogue.hpp"
#include "fabricperf/sizing/param_count.hpp"
#include "sizing_test_util.hpp"

using namespace fabricperf::sizing;
using sizing_test::load;

// tiny_dense.json: hidden 64, 2 layers, 4 heads of 16, 2 KV heads, intermediate 128, vocab 100.
//   attention  q 64x64 = 4096, k and v 64x(2x16) = 2048 each, o 64x64 = 4096     = 12288
//   MLP        gate/up/down 3 x 64 x 128                                          = 24576
//   norms      2 x 64                                                             =   128
//   per layer 36992, x2 layers = 73984; embedding 100x64 = 6400, lm_head 6400, final norm 64
//   total 73984 + 6400 + 6400 + 64 = 86848
TEST(SizingParams, HandComputedDense) {
  const ParamCount p = count_parameters(load("tiny_dense.json"));
  ASSERT_EQ(p.layers.size(), 2U);
  EXPECT_EQ(p.layers[0].attention, 12288U);
  EXPECT_EQ(p.layers[0].dense_mlp, 24576U);
  EXPECT_EQ(p.layers[0].norms, 128U);
  EXPECT_EQ(p.layers[0].total(), 36992U);
  EXPECT_EQ(p.embedding, 6400U);
  EXPECT_EQ(p.lm_head, 6400U);
  EXPECT_EQ(p.total(), 86848U);
}

// tiny_mla_moe.json: hidden 32, 3 layers (layer 0 dense), 4 heads, q_lora 8, kv_lora 8, nope 4,
// rope 2, v 4, intermediate 64, 4 routed experts of 16 + 1 shared, top-2, noaux_tc, vocab 50.
//   attention  q_a 32x8 = 256, q_b 8x4x(4+2) = 192, kv_a 32x(8+2) = 320,
//              kv_b 8x4x(4+4) = 256, o 4x4x32 = 512                                 = 1536
//   norms      2x32 + q_a_layernorm 8 + kv_a_layernorm 8                            =   80
//   layer 0    dense MLP 3x32x64 = 6144                     -> 1536 + 80 + 6144     = 7760
//   layers 1,2 routed 4x3x32x16 = 6144, shared 3x32x16 = 1536, router 32x4 + bias 4 = 132
//                                                  -> 1536 + 80 + 6144 + 1536 + 132 = 9428
//   embedding 50x32 = 1600, lm_head 1600, final norm 32
//   total 7760 + 2x9428 + 1600 + 1600 + 32 = 29848
//   active: lm_head 1600 + norm 32 + layer 0 7760 + 2 x (1536+80+1536+132 + 6144/4x2) = 22104
TEST(SizingParams, HandComputedMlaMoe) {
  const ParamCount p = count_parameters(load("tiny_mla_moe.json"));
  EXPECT_EQ(p.layers[0].attention, 1536U);
  EXPECT_EQ(p.layers[0].norms, 80U);
  EXPECT_EQ(p.layers[0].total(), 7760U);
  EXPECT_EQ(p.layers[1].routed_experts, 6144U);
  EXPECT_EQ(p.layers[1].shared_experts, 1536U);
  EXPECT_EQ(p.layers[1].router, 132U);
  EXPECT_EQ(p.layers[1].total(), 9428U);
  EXPECT_EQ(p.total(), 29848U);
  EXPECT_EQ(p.active_per_token, 22104U);
}

// tiny_llama4.json: hidden 32, 4 layers (1 and 3 MoE), 4 heads, 2 KV heads of 8, experts of 16,
// dense MLP 64, vocab 100.
//   attention  q 32x32 = 1024, k and v 32x16 = 512 each, o 32x32 = 1024            = 3072
//   dense layer   3072 + norms 64 + MLP 3x32x64 = 6144                              = 9280
//   MoE layer     3072 + 64 + routed 4x3x32x16 = 6144 + shared 3x32x16 = 1536
//                 + router 32x4 = 128                                                = 10944
//   total 2x9280 + 2x10944 + embedding 3200 + lm_head 3200 + norm 32 = 46880
TEST(SizingParams, HandComputedLlama4) {
  const ParamCount p = count_parameters(load("tiny_llama4.json"));
  EXPECT_EQ(p.layers[0].total(), 9280U);
  EXPECT_EQ(p.layers[1].total(), 10944U);
  EXPECT_EQ(p.total(), 46880U);
}

// Weight bytes: linear layers in the chosen format, the rest in bf16.
// tiny_mla_moe in fp8: linear = 3 x 1536 attention + 6144 dense + 2 x (6144 + 1536) experts = 26112
//   unquantized = 3 x 80 norms + 2 x 132 routers + 1600 + 1600 + 32 = 3736
//   bytes = 26112 x (1 + 4/16384) + 3736 x 2
TEST(SizingParams, WeightBytesQuantizeOnlyLinearLayers) {
  const ParamCount p = count_parameters(load("tiny_mla_moe.json"));
  const ModelWeightBytes fp8 = weight_bytes(p, DType::fp8);
  EXPECT_DOUBLE_EQ(fp8.total(), 26112.0 * (1.0 + 4.0 / 16384.0) + 3736.0 * 2.0);
  EXPECT_DOUBLE_EQ(fp8.routed_experts(), 2 * 6144.0 * (1.0 + 4.0 / 16384.0));
  const ModelWeightBytes bf16 = weight_bytes(p, DType::bf16);
  EXPECT_DOUBLE_EQ(bf16.total(), 29848.0 * 2.0);
}

// DeepSeek-V3, by hand from its config.json (hidden h = 7168):
//   attention/layer  q_a 7168x1536 = 11,010,048 + q_b 1536x128x192 = 37,748,736
//                    + kv_a 7168x576 = 4,128,768 + kv_b 512x128x256 = 16,777,216
//                    + o 16384x7168 = 117,440,512                          = 187,105,280
//   norms/layer      2x7168 + 1536 + 512                                   =      16,384
//   dense MLP x3     3 x 7168 x 18432                                      = 396,361,728 each
//   MoE layers x58   routed 256 x 3 x 7168 x 2048 = 11,274,289,152; shared 44,040,192;
//                    router 7168x256 + 256 = 1,835,264
//   embedding and lm_head 129280 x 7168 = 926,679,040 each; final norm 7168
//   total = 61x(187,105,280 + 16,384) + 3x396,361,728 + 58x(11,274,289,152 + 44,040,192 + 1,835,264)
//         + 2x926,679,040 + 7168 = 671,026,419,200
TEST(SizingParams, DeepSeekV3ByHand) {
  const ParamCount p = count_parameters(find_catalogue_entry("DeepSeek-V3").model);
  EXPECT_EQ(p.layers[0].attention, 187105280U);
  EXPECT_EQ(p.layers[0].dense_mlp, 396361728U);
  EXPECT_EQ(p.layers[3].routed_experts, 11274289152U);
  EXPECT_EQ(p.total(), 671026419200U);
  // "Activation parameters: 36.7B (including 0.9B for the output Head)" (README_WEIGHTS.md).
  EXPECT_NEAR(static_cast<double>(p.active_per_token) / 1e9, 36.7, 0.5);
}

// Llama-3.1-405B by hand: per layer attention 16384x16384x2 + 2x16384x1024 = 570,425,344,
// MLP 3x16384x53248 = 2,617,245,696, norms 32,768 -> 3,187,703,808 x 126 = 401,650,679,808;
// embedding + lm_head 2 x 128256 x 16384 = 4,202,692,608; final norm 16,384 -> 405,853,388,800.
TEST(SizingParams, Llama405BByHand) {
  EXPECT_EQ(count_parameters(find_catalogue_entry("Llama-3.1-405B-Instruct").model).total(), 405853388800U);
}

// Every catalogue model against its published total, within 3%. The published figures are
// written here independently of the catalogue files.
TEST(SizingParams, CatalogueMatchesPublishedTotals) {
  const std::vector<std::pair<std::string, double>> published{
      {"DeepSeek-V3", 671e9},
      {"DeepSeek-R1", 671e9},
      {"Llama-3.1-405B-Instruct", 405e9},
      {"Llama-3.1-70B", 70.6e9},
      {"Qwen3-235B-A22B", 235e9},
      {"Kimi-K2-Instruct", 1.03e12},
      {"Llama-4-Scout-17B-16E-Instruct", 109e9},
      {"Llama-4-Maverick-17B-128E-Instruct", 400e9},
  };
  ASSERT_EQ(published.size(), catalogue().size()) << "a catalogue model has no published total here";
  for (const auto& [name, total] : published) {
    const double counted = static_cast<double>(count_parameters(find_catalogue_entry(name).model).total());
    EXPECT_NEAR(counted / total, 1.0, 0.03) << name << ": counted " << counted / 1e9 << "B";
  }
}

// Active parameters per token against the published "A" figures, within 10% (the conventions
// for what counts as active differ: embedding, vision tower).
TEST(SizingParams, CatalogueActiveParameters) {
  const std::vector<std::pair<std::string, double>> active{{"DeepSeek-V3", 37e9},
                                                           {"Qwen3-235B-A22B", 22e9},
                                                           {"Kimi-K2-Instruct", 32e9},
                                                           {"Llama-4-Scout-17B-16E-Instruct", 17e9},
                                                           {"Llama-4-Maverick-17B-128E-Instruct", 17e9}};
  for (const auto& [name, value] : active) {
    const double counted = static_cast<double>(count_parameters(find_catalogue_entry(name).model).active_per_token);
    EXPECT_NEAR(counted / value, 1.0, 0.10) << name << ": counted " << counted / 1e9 << "B active";
  }
}
