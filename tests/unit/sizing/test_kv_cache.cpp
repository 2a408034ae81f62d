#include <gtest/gtest.h>

#include "fabricperf/sizing/catalogue.hpp"
#include "fabricperf/sizing/kv_cache.hpp"
#include "sizing_test_util.hpp"

using namespace fabricperf::sizing;
using sizing_test::load;

namespace {
double per_token(const char* name, DType kv = DType::bf16) {
  return kv_bytes_per_token(find_catalogue_entry(name).model, kv);
}
}  // namespace

// tiny_dense: 2 KV heads x head_dim 16 x 2 (K and V) x 2 bytes = 128 B per layer; 2 layers = 256 B.
// With tp = 2 each GPU holds one KV head: 64 B per layer.
TEST(SizingKvCache, HandComputedDense) {
  const ModelConfig m = load("tiny_dense.json");
  EXPECT_DOUBLE_EQ(kv_bytes_per_token_per_layer(m, DType::bf16), 128.0);
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(m, DType::bf16), 256.0);
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(m, DType::fp8), 128.0);
  EXPECT_DOUBLE_EQ(kv_bytes_per_token_per_layer_per_gpu(m, DType::bf16, 2), 64.0);
  // 3 sequences of 100 tokens: 256 x 100 x 3.
  EXPECT_DOUBLE_EQ(kv_cache_bytes(m, DType::bf16, 100, 3), 76800.0);
}

// MLA keeps one latent per token and layer, (kv_lora_rank + qk_rope_head_dim) x bytes, and every
// tensor-parallel rank keeps all of it: tiny_mla_moe (8 + 2) x 2 bytes = 20 B per layer, 60 B per token.
TEST(SizingKvCache, HandComputedMla) {
  const ModelConfig m = load("tiny_mla_moe.json");
  EXPECT_DOUBLE_EQ(kv_bytes_per_token_per_layer(m, DType::bf16), 20.0);
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(m, DType::bf16), 60.0);
  EXPECT_DOUBLE_EQ(kv_bytes_per_token_per_layer_per_gpu(m, DType::bf16, 4), 20.0);
}

// tiny_llama4: 2 KV heads x 8 x 2 x 2 bytes = 64 B per layer. Layers 0-2 keep a 16-token chunk,
// layer 3 the whole context: at 1024 tokens 64 x (3 x 16 + 1024) = 68,608 B; at 8 tokens, below
// the chunk, 64 x 4 x 8 = 2,048 B.
TEST(SizingKvCache, ChunkedLayersKeepTheirWindow) {
  const ModelConfig m = load("tiny_llama4.json");
  EXPECT_DOUBLE_EQ(kv_bytes_per_token(m, DType::bf16), 256.0);
  EXPECT_DOUBLE_EQ(kv_cache_bytes(m, DType::bf16, 1024, 1), 68608.0);
  EXPECT_DOUBLE_EQ(kv_cache_bytes(m, DType::bf16, 8, 1), 2048.0);
}

// The catalogue models by hand:
//   Llama-3.1-70B   80 layers x 8 KV heads x 128 x 2 x 2 B = 327,680 B
//   Llama-3.1-405B 126 x 8 x 128 x 2 x 2                   = 516,096 B
//   Qwen3-235B      94 x 4 x 128 x 2 x 2                   = 192,512 B
//   DeepSeek-V3/R1  61 x (512 + 64) x 2                    =  70,272 B
//   Kimi-K2         61 x (512 + 64) x 2                    =  70,272 B
//   Llama 4         48 x 8 x 128 x 2 x 2                   = 196,608 B (inside the chunk)
TEST(SizingKvCache, CatalogueByHand) {
  EXPECT_DOUBLE_EQ(per_token("Llama-3.1-70B"), 327680.0);
  EXPECT_DOUBLE_EQ(per_token("Llama-3.1-405B-Instruct"), 516096.0);
  EXPECT_DOUBLE_EQ(per_token("Qwen3-235B-A22B"), 192512.0);
  EXPECT_DOUBLE_EQ(per_token("DeepSeek-R1"), 70272.0);
  EXPECT_DOUBLE_EQ(per_token("DeepSeek-V3", DType::fp8), 35136.0);
  EXPECT_DOUBLE_EQ(per_token("Kimi-K2-Instruct"), 70272.0);
  EXPECT_DOUBLE_EQ(per_token("Llama-4-Scout-17B-16E-Instruct"), 196608.0);
  // Llama 4 Scout at its 10M maximum: 12 global layers hold all 10,485,760 tokens, 36 chunked
  // layers 8192 each: 4096 B x (12 x 10,485,760 + 36 x 8192) = 516,604,035,072 B.
  const ModelConfig& scout = find_catalogue_entry("Llama-4-Scout-17B-16E-Instruct").model;
  EXPECT_DOUBLE_EQ(kv_cache_bytes(scout, DType::bf16, 10485760, 1), 516604035072.0);
}
