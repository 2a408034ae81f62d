#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/sizing/catalogue.hpp"
#include "fabricperf/sizing/plan.hpp"
#include "sizing_test_util.hpp"

using namespace fabricperf::sizing;
using sizing_test::load;
using sizing_test::toy_request;

namespace {

SizingRequest catalogue_request(const ModelConfig& m, const char* server) {
  SizingRequest r;
  r.server = builtin_server(server);
  r.weights_dtype = m.native_weights_dtype;
  r.kv_dtype = DType::bf16;
  r.context_tokens = m.max_position_embeddings;
  return r;
}

std::uint64_t min_servers(const char* model, const char* server) {
  const ModelConfig& m = find_catalogue_entry(model).model;
  const SizingPlan plan = plan_deployment(m, catalogue_request(m, server));
  EXPECT_TRUE(plan.best.has_value()) << model << " on " << server << ": " << plan.no_fit_reason;
  return plan.best ? plan.best->servers : 0;
}

}  // namespace

TEST(SizingPlan, TensorParallelDividesHeadsKvHeadsAndTheServer) {
  EXPECT_EQ(choose_tensor_parallel(load("tiny_dense.json"), 2), 2U);
  EXPECT_EQ(choose_tensor_parallel(load("tiny_dense.json"), 8), 2U);                                       // 2 KV heads
  EXPECT_EQ(choose_tensor_parallel(find_catalogue_entry("Qwen3-235B-A22B").model, 8), 4U);                 // 4 KV heads
  EXPECT_EQ(choose_tensor_parallel(find_catalogue_entry("Llama-4-Scout-17B-16E-Instruct").model, 8), 8U);  // 40 heads
  EXPECT_EQ(choose_tensor_parallel(find_catalogue_entry("DeepSeek-R1").model, 8), 8U);
  EXPECT_EQ(choose_tensor_parallel(find_catalogue_entry("Llama-3.1-70B").model, 6), 2U);  // 6 does not divide 64
}

TEST(SizingPlan, SplitsLayersLikeVllm) {
  EXPECT_EQ(split_layers(61, 2), (std::vector<std::uint64_t>{31, 30}));
  EXPECT_EQ(split_layers(126, 4), (std::vector<std::uint64_t>{31, 32, 32, 31}));
  EXPECT_EQ(split_layers(48, 5), (std::vector<std::uint64_t>{9, 10, 10, 10, 9}));
  EXPECT_EQ(split_layers(4, 4), (std::vector<std::uint64_t>{1, 1, 1, 1}));
}

// tiny_dense in bf16 (173,696 B of weights, 256 B of KV per token) on toy servers of 2 GPUs with
// 100,000 B each, all usable, no reserve. tp = 2 (2 KV heads).
//   context 64, one server: weights 173,696 / 2 = 86,848 per GPU; KV 64 B/layer/GPU x 2 layers x 64
//   tokens = 8,192; free 100,000 - 86,848 - 8,192 = 4,960.
TEST(SizingPlan, HandComputedOneServer) {
  const SizingPlan plan = plan_deployment(load("tiny_dense.json"), toy_request(100000, 2, 64));
  ASSERT_TRUE(plan.best);
  EXPECT_EQ(plan.best->servers, 1U);
  EXPECT_EQ(plan.best->layout.tp, 2U);
  EXPECT_EQ(plan.best->layout.pp, 1U);
  EXPECT_DOUBLE_EQ(plan.best->worst_gpu.weights, 86848.0);
  EXPECT_DOUBLE_EQ(plan.best->worst_gpu.kv_cache, 8192.0);
  EXPECT_DOUBLE_EQ(plan.best->worst_gpu.free(), 4960.0);
  EXPECT_DOUBLE_EQ(plan.weights.total(), 173696.0);
}

//   context 256: one server would need 86,848 + 64 x 2 x 256 = 119,616 > 100,000, so two servers,
//   tp 2 x pp 2, one layer per stage. Stage 1 is the fuller: layer 73,984 + lm_head 12,800 + norm
//   128 = 86,912 / 2 = 43,456 of weights + 64 x 256 = 16,384 of KV; free 40,160.
TEST(SizingPlan, HandComputedPipelineAcrossServers) {
  const SizingPlan plan = plan_deployment(load("tiny_dense.json"), toy_request(100000, 2, 256));
  ASSERT_TRUE(plan.best);
  EXPECT_EQ(plan.best->servers, 2U);
  EXPECT_EQ(plan.best->gpus, 4U);
  EXPECT_EQ(plan.best->layout.mode, ParallelMode::pipeline);
  EXPECT_EQ(plan.best->layout.pp, 2U);
  EXPECT_DOUBLE_EQ(plan.best->worst_gpu.weights, 43456.0);
  EXPECT_DOUBLE_EQ(plan.best->worst_gpu.kv_cache, 16384.0);
  EXPECT_DOUBLE_EQ(plan.best->worst_gpu.free(), 40160.0);
}

TEST(SizingPlan, GpuUtilAndReserveCount) {
  // 86,848 + 8,192 = 95,040 needed; at 95% of 100,000 with a 1,000 B reserve only 94,000 is left.
  SizingRequest r = toy_request(100000, 2, 64);
  r.gpu_util = 0.95;
  r.reserve_bytes = 1000;
  const SizingPlan plan = plan_deployment(load("tiny_dense.json"), r);
  ASSERT_TRUE(plan.best);
  EXPECT_EQ(plan.best->servers, 2U);
  EXPECT_DOUBLE_EQ(plan.best->worst_gpu.usable, 95000.0);
  EXPECT_DOUBLE_EQ(plan.best->worst_gpu.reserve, 1000.0);
}

TEST(SizingPlan, NothingFitsSaysWhy) {
  // One layer per stage still needs 59,840 B per GPU.
  const SizingPlan plan = plan_deployment(load("tiny_dense.json"), toy_request(30000, 2, 256));
  EXPECT_FALSE(plan.best);
  EXPECT_NE(plan.no_fit_reason.find("does not fit"), std::string::npos);
  EXPECT_NE(plan.no_fit_reason.find("pp=2"), std::string::npos) << plan.no_fit_reason;
}

// tiny_mla_moe in bf16 on one toy server of 2 GPUs (tp 2): routed experts 2 layers x 6,144 x 2 B
// = 24,576 B, everything else 59,696 - 24,576 = 35,120 B. Expert parallel: ep 2, 2 of the 4
// experts per GPU -> 12,288 + 35,120 / 2 = 29,848 B. KV: 20 B per layer (MLA, not split) x 3
// layers x 16 tokens = 960 B.
TEST(SizingPlan, HandComputedExpertParallel) {
  const ModelConfig m = load("tiny_mla_moe.json");
  const SizingRequest r = toy_request(1e6, 2, 16);
  const ModelWeightBytes w = weight_bytes(count_parameters(m), DType::bf16);
  const auto c = evaluate_layout(m, r, w, ParallelMode::expert, 1);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->layout.ep, 2U);
  EXPECT_EQ(c->layout.experts_per_gpu, 2U);
  EXPECT_EQ(c->layout.dp_attention, 1U);
  EXPECT_DOUBLE_EQ(c->worst_gpu.weights, 29848.0);
  EXPECT_DOUBLE_EQ(c->worst_gpu.kv_cache, 960.0);
  // Both modes fit on one server; MoE models prefer expert parallelism on a tie.
  const SizingPlan plan = plan_deployment(m, r);
  ASSERT_TRUE(plan.best);
  EXPECT_EQ(plan.best->layout.mode, ParallelMode::expert);
  ASSERT_EQ(plan.alternatives.size(), 1U);
  EXPECT_EQ(plan.alternatives[0].layout.mode, ParallelMode::pipeline);
  // Dense models have no expert layout.
  EXPECT_FALSE(evaluate_layout(load("tiny_dense.json"), r, w, ParallelMode::expert, 1));
}

TEST(SizingPlan, SequencesSpreadOverAttentionReplicas) {
  // 4 sequences over 2 servers of tiny_mla_moe with tp 2: 2 replicas, 2 sequences each.
  const ModelConfig m = load("tiny_mla_moe.json");
  SizingRequest r = toy_request(1e6, 2, 16);
  r.sequences = 4;
  const auto c = evaluate_layout(m, r, weight_bytes(count_parameters(m), DType::bf16), ParallelMode::expert, 2);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->layout.dp_attention, 2U);
  EXPECT_DOUBLE_EQ(c->worst_gpu.kv_cache, 2 * 960.0);
}

TEST(SizingPlan, BadRequestsAreUsageErrors) {
  const ModelConfig m = load("tiny_dense.json");
  SizingRequest r = toy_request(100000, 2, 0);
  EXPECT_THROW((void)plan_deployment(m, r), fabricperf::UsageError);
  r = toy_request(100000, 2, 64);
  r.gpu_util = 1.5;
  EXPECT_THROW((void)plan_deployment(m, r), fabricperf::UsageError);
  r = toy_request(100000, 2, 64);
  r.reserve_bytes = 100000;
  EXPECT_THROW((void)plan_deployment(m, r), fabricperf::UsageError);
}

// The known results: at full context, DeepSeek-R1 (FP8, 163,840 tokens) and Llama-3.1-405B
// (BF16, 131,072 tokens) each need at least two 8xH100 HGX servers.
//   DeepSeek-R1: ~673 GB of weights > 8 x 85.5 GB x 0.90 - 8 x 4 GB = 584 GB on one server.
//   Llama-3.1-405B: 811.7 GB of weights alone exceed one server.
TEST(SizingPlan, KnownResultDeepSeekR1NeedsTwoH100Servers) {
  EXPECT_EQ(min_servers("DeepSeek-R1", "h100"), 2U);
}

TEST(SizingPlan, KnownResultLlama405BNeedsTwoH100Servers) {
  EXPECT_EQ(min_servers("Llama-3.1-405B-Instruct", "h100"), 2U);
}

TEST(SizingPlan, OneH200ServerHoldsEither) {
  // 8 x 150.8 GB x 0.9 - 32 GB = 1,053 GB usable: R1's 673 GB + 11.5 GB KV per GPU fit, and so
  // do 405B's 812 GB + 67.6 GB of KV.
  EXPECT_EQ(min_servers("DeepSeek-R1", "h200"), 1U);
  EXPECT_EQ(min_servers("Llama-3.1-405B-Instruct", "h200"), 1U);
}

TEST(SizingPlan, FewerServersInFp8) {
  const ModelConfig& m = find_catalogue_entry("Llama-3.1-405B-Instruct").model;
  SizingRequest r = catalogue_request(m, "h100");
  r.weights_dtype = DType::fp8;
  const SizingPlan plan = plan_deployment(m, r);
  ASSERT_TRUE(plan.best);
  EXPECT_EQ(plan.best->servers, 1U);
}

// Every catalogue model on every built-in server at its native format and full context: a plan,
// a fitting worst GPU, and a layout that uses the servers it claims.
TEST(SizingPlan, EveryCatalogueModelOnEveryServer) {
  for (const CatalogueEntry& e : catalogue()) {
    for (const ServerSpec& s : builtin_servers()) {
      const SizingPlan plan = plan_deployment(e.model, catalogue_request(e.model, s.key.c_str()));
      ASSERT_TRUE(plan.best) << e.name << " on " << s.key << ": " << plan.no_fit_reason;
      const Candidate& c = *plan.best;
      EXPECT_TRUE(c.fits()) << e.name << " on " << s.key;
      EXPECT_GT(c.gpus, (c.servers - 1) * s.gpus) << e.name << " on " << s.key;
      EXPECT_LE(c.gpus, c.servers * s.gpus) << e.name << " on " << s.key;
      EXPECT_EQ(e.model.num_heads % c.layout.tp, 0U) << e.name;
      EXPECT_EQ(e.model.num_kv_heads % c.layout.tp, 0U) << e.name;
      EXPECT_EQ(s.gpus % c.layout.tp, 0U) << e.name;
      // Memory never drops as servers shrink: B200 needs no more servers than H200, nor H200 than H100.
    }
    const auto servers_on = [&](const char* s) {
      const SizingPlan p = plan_deployment(e.model, catalogue_request(e.model, s));
      return p.best ? p.best->servers : 0;
    };
    EXPECT_LE(servers_on("b200"), servers_on("h200")) << e.name;
    EXPECT_LE(servers_on("h200"), servers_on("h100")) << e.name;
  }
}
