// Numbers from a config.json and sizing requests past sane limits (issue 14 row 9): refused with a
// UsageError naming the file, the field and the value, instead of wrapping the parameter count,
// exhausting memory or searching for ever.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "fabricperf/error.hpp"
#include "fabricperf/sizing/model_config.hpp"
#include "fabricperf/sizing/plan.hpp"
#include "fabricperf/sizing/server.hpp"
#include "sizing_test_util.hpp"

using namespace fabricperf::sizing;
using nlohmann::json;

namespace {

template <typename Body>
std::string usage_error(Body body) {
  try {
    body();
  } catch (const fabricperf::UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string config_error(const json& config) {
  return usage_error([&] { (void)parse_model_config(config, "cfg.json"); });
}

json moe_base() {
  return json{{"model_type", "deepseek_v3"},   {"hidden_size", 32},        {"intermediate_size", 64},
              {"moe_intermediate_size", 16},   {"num_hidden_layers", 3},   {"num_attention_heads", 4},
              {"n_routed_experts", 4},         {"num_experts_per_tok", 2}, {"vocab_size", 50},
              {"max_position_embeddings", 128}};
}

TEST(SizingConfigLimits, HugeCountsAreRefusedNamingFileFieldAndValue) {
  struct Case {
    const char* field;
    std::uint64_t value;
  };
  for (const Case& c : {Case{"num_hidden_layers", 1000000000}, Case{"n_routed_experts", UINT64_MAX},
                        Case{"hidden_size", std::uint64_t{1} << 32}, Case{"vocab_size", std::uint64_t{1} << 40},
                        Case{"moe_intermediate_size", std::uint64_t{1} << 40},
                        Case{"max_position_embeddings", std::uint64_t{1} << 40}}) {
    json config = moe_base();
    config[c.field] = c.value;
    const std::string e = config_error(config);
    EXPECT_NE(e.find("cfg.json"), std::string::npos) << e;
    EXPECT_NE(e.find(std::string("field \"") + c.field + "\" is " + std::to_string(c.value)), std::string::npos) << e;
  }
}

TEST(SizingConfigLimits, LargestAllowedValuesDoNotWrap) {
  // Every count at its limit: the parameter count stays exact (no 64-bit wrap to "0.0M").
  json config = moe_base();
  config["num_hidden_layers"] = 1024;
  config["hidden_size"] = 65536;
  config["num_attention_heads"] = 1024;
  config["moe_intermediate_size"] = 1 << 20;
  config["intermediate_size"] = 1 << 20;
  config["n_routed_experts"] = 4096;
  config["n_shared_experts"] = 4096;
  config["vocab_size"] = 1 << 23;
  const ModelConfig m = parse_model_config(config, "cfg.json");
  const ParamCount p = count_parameters(m);
  const double routed = 1024.0 * 4096 * 3 * 65536 * (1 << 20);
  EXPECT_GT(static_cast<double>(p.total()), routed);
  EXPECT_LT(static_cast<double>(p.total()), 9.3e18);
}

TEST(SizingConfigLimits, LongListsAndOddRatiosAreRefused) {
  json config = moe_base();
  config["model_type"] = "qwen3_moe";
  config.erase("n_routed_experts");
  config["num_experts"] = 4;
  config["mlp_only_layers"] = json::array();
  for (int i = 0; i < 5000; ++i) config["mlp_only_layers"].push_back(0);
  EXPECT_NE(config_error(config).find("\"mlp_only_layers\" has 5000 entries"), std::string::npos);

  json vision = moe_base();
  vision["vision_config"] = {{"hidden_size", 64},        {"intermediate_size", 64},
                             {"num_hidden_layers", 2},   {"pixel_shuffle_ratio", 1e-300},
                             {"projector_input_dim", 8}, {"projector_output_dim", 8}};
  EXPECT_NE(config_error(vision).find("pixel_shuffle_ratio"), std::string::npos);
}

TEST(SizingConfigLimits, RequestsPastTheLimitsAreRefused) {
  const ModelConfig m = parse_model_config(moe_base(), "cfg.json");
  SizingRequest r = sizing_test::toy_request(1e12, 8, 128);
  r.sequences = UINT64_MAX;
  EXPECT_NE(usage_error([&] { (void)plan_deployment(m, r); }).find("--sequences"), std::string::npos);
  r = sizing_test::toy_request(1e12, std::uint64_t{1} << 63, 128);
  EXPECT_NE(usage_error([&] { (void)plan_deployment(m, r); }).find("--gpus-per-server"), std::string::npos);
  r = sizing_test::toy_request(1e12, 8, std::uint64_t{1} << 40);
  EXPECT_NE(usage_error([&] { (void)plan_deployment(m, r); }).find("context length"), std::string::npos);
  EXPECT_NE(usage_error([] { (void)custom_server(1e300, 8); }).find("--gpu-mem-gb"), std::string::npos);
}

TEST(SizingConfigLimits, SpecialAndDeepFilesAreRefused) {
  EXPECT_NE(usage_error([] { (void)load_model_config("/dev/zero"); }).find("not a regular file"), std::string::npos);
  EXPECT_NE(usage_error([] { (void)load_model_config(""); }).find("empty file name"), std::string::npos);
  EXPECT_NE(usage_error([] {
              (void)load_model_config(sizing_test::data_path("huge_layers.json"));
            }).find("\"num_hidden_layers\" is 1000000000"),
            std::string::npos);
}

}  // namespace
