#include <gtest/gtest.h>

#include "fabricperf/sizing/catalogue.hpp"
#include "fabricperf/sizing/fabric.hpp"
#include "sizing_test_util.hpp"

using namespace fabricperf::sizing;
using sizing_test::load;
using sizing_test::toy_request;

namespace {
const Collective* find(const FabricTraffic& t, const std::string& name) {
  for (const Collective& c : t.collectives) {
    if (c.name == name) return &c;
  }
  return nullptr;
}
}  // namespace

// tiny_dense over two toy servers (tp 2 x pp 2, context 256): the hidden state is 64 x 2 B =
// 128 B per token; the one stage boundary is a node boundary, so 128 B per token cross the
// fabric, 128 x 256 = 32,768 B for one prefill. TP all-reduces of 128 B, 2 per layer x 2 layers,
// stay inside the nodes.
TEST(SizingFabric, HandComputedPipeline) {
  const ModelConfig m = load("tiny_dense.json");
  const SizingRequest r = toy_request(100000, 2, 256);
  const SizingPlan plan = plan_deployment(m, r);
  ASSERT_TRUE(plan.best);
  const FabricTraffic t = fabric_traffic(m, r, *plan.best);
  EXPECT_DOUBLE_EQ(t.activation_bytes_per_token, 128.0);
  EXPECT_EQ(t.pipeline_boundaries, 1U);
  EXPECT_DOUBLE_EQ(t.inter_node_bytes_per_token, 128.0);
  EXPECT_DOUBLE_EQ(t.inter_node_bytes_per_step, 128.0);
  EXPECT_DOUBLE_EQ(t.inter_node_bytes_per_prefill, 32768.0);
  const Collective* ar = find(t, "tp_all_reduce");
  ASSERT_NE(ar, nullptr);
  EXPECT_FALSE(ar->crosses_fabric);
  EXPECT_DOUBLE_EQ(ar->size_bytes, 128.0);
  EXPECT_EQ(ar->count_per_step, 4U);
  const Collective* pp = find(t, "pp_send_recv");
  ASSERT_NE(pp, nullptr);
  EXPECT_TRUE(pp->crosses_fabric);
  EXPECT_DOUBLE_EQ(pp->inter_node_fraction, 1.0);
}

// With tp 4 on 8-GPU servers two stages share a node: pp 4 over 2 servers has stages on nodes
// 0,0,1,1, so one of the three boundaries crosses the fabric.
TEST(SizingFabric, OnlyNodeBoundariesCrossTheFabric) {
  const ModelConfig& m = find_catalogue_entry("Qwen3-235B-A22B").model;
  SizingRequest r;
  r.server = builtin_server("h100");
  r.context_tokens = 1000;
  r.sequences = 3;
  Candidate c;
  c.servers = 2;
  c.gpus = 16;
  c.layout.mode = ParallelMode::pipeline;
  c.layout.tp = 4;
  c.layout.pp = 4;
  c.layout.layers_per_stage = split_layers(m.num_layers, 4);
  const FabricTraffic t = fabric_traffic(m, r, c);
  EXPECT_EQ(t.pipeline_boundaries, 1U);
  // 4096 x 2 B per token, x3 tokens per decode step.
  EXPECT_DOUBLE_EQ(t.inter_node_bytes_per_token, 8192.0);
  EXPECT_DOUBLE_EQ(t.inter_node_bytes_per_step, 3 * 8192.0);
  const Collective* pp = find(t, "pp_send_recv");
  ASSERT_NE(pp, nullptr);
  EXPECT_DOUBLE_EQ(pp->size_bytes, 3 * 8192.0);
  EXPECT_EQ(pp->count_per_step, 3U);
  EXPECT_NEAR(pp->inter_node_fraction, 1.0 / 3.0, 1e-12);
}

// DeepSeek-R1 on two H100 servers, expert parallel: each of the 58 MoE layers dispatches a
// token's hidden state to 8 experts and combines 8 results: 8 x 7168 x 2 B = 114,688 B each way.
// Experts are spread over both nodes, so half of it crosses: per token
// 2 x 58 x 114,688 x 0.5 = 6,651,904 B.
TEST(SizingFabric, HandComputedExpertAllToAll) {
  const ModelConfig& m = find_catalogue_entry("DeepSeek-R1").model;
  SizingRequest r;
  r.server = builtin_server("h100");
  r.weights_dtype = DType::fp8;
  r.context_tokens = m.max_position_embeddings;
  const SizingPlan plan = plan_deployment(m, r);
  ASSERT_TRUE(plan.best);
  ASSERT_EQ(plan.best->layout.mode, ParallelMode::expert);
  ASSERT_EQ(plan.best->servers, 2U);
  EXPECT_EQ(plan.best->layout.ep, 16U);
  const FabricTraffic t = fabric_traffic(m, r, *plan.best);
  const Collective* dispatch = find(t, "ep_dispatch");
  ASSERT_NE(dispatch, nullptr);
  EXPECT_DOUBLE_EQ(dispatch->size_bytes, 114688.0);
  EXPECT_EQ(dispatch->count_per_step, 58U);
  EXPECT_DOUBLE_EQ(dispatch->inter_node_fraction, 0.5);
  EXPECT_TRUE(dispatch->crosses_fabric);
  EXPECT_DOUBLE_EQ(t.ep_all_to_all_bytes_per_token, 6651904.0);
  EXPECT_DOUBLE_EQ(t.inter_node_bytes_per_token, 6651904.0);
  // Attention all-reduce inside the node: 61 after attention + 3 after the dense MLPs.
  const Collective* ar = find(t, "tp_all_reduce");
  ASSERT_NE(ar, nullptr);
  EXPECT_EQ(ar->count_per_step, 64U);
  EXPECT_DOUBLE_EQ(ar->size_bytes, 14336.0);
}

TEST(SizingFabric, OneServerSendsNothingAcrossNodes) {
  const ModelConfig m = load("tiny_dense.json");
  const SizingRequest r = toy_request(100000, 2, 64);
  const SizingPlan plan = plan_deployment(m, r);
  ASSERT_TRUE(plan.best);
  const FabricTraffic t = fabric_traffic(m, r, *plan.best);
  EXPECT_DOUBLE_EQ(t.inter_node_bytes_per_token, 0.0);
  for (const Collective& c : t.collectives) EXPECT_FALSE(c.crosses_fabric) << c.name;
}
