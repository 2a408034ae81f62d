#include <gtest/gtest.h>

#include <set>

#include "fabricperf/error.hpp"
#include "fabricperf/sizing/catalogue.hpp"
#include "fabricperf/sizing/report.hpp"

using namespace fabricperf::sizing;

TEST(SizingCatalogue, HasTheModelsTheIssueNames) {
  for (const char* name : {"Llama-3.1-405B-Instruct", "Llama-3.1-70B", "DeepSeek-R1", "DeepSeek-V3", "Qwen3-235B-A22B",
                           "Kimi-K2", "Llama-4-Scout", "Llama-4-Maverick"}) {
    EXPECT_NO_THROW((void)find_catalogue_entry(name)) << name;
  }
  EXPECT_EQ(catalogue().size(), 8U);
}

TEST(SizingCatalogue, EntriesAreCompleteAndUnique) {
  std::set<std::string> names;
  for (const CatalogueEntry& e : catalogue()) {
    EXPECT_TRUE(names.insert(e.name).second) << "duplicate " << e.name;
    EXPECT_NE(e.source.find("huggingface.co/" + e.hf_repo), std::string::npos) << e.name << " source: " << e.source;
    EXPECT_FALSE(e.published_params_source.empty()) << e.name;
    EXPECT_GT(e.model.max_position_embeddings, 0U) << e.name;
  }
}

TEST(SizingCatalogue, LookupIsCaseInsensitiveAndByAlias) {
  EXPECT_EQ(find_catalogue_entry("deepseek-r1").name, "DeepSeek-R1");
  EXPECT_EQ(find_catalogue_entry("moonshotai/Kimi-K2-Instruct").name, "Kimi-K2-Instruct");
  EXPECT_EQ(find_catalogue_entry("LLAMA-4-SCOUT").name, "Llama-4-Scout-17B-16E-Instruct");
  try {
    (void)find_catalogue_entry("gpt-5");
    FAIL();
  } catch (const fabricperf::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("DeepSeek-R1"), std::string::npos);
  }
}

TEST(SizingCatalogue, NativeFormatsAndContexts) {
  EXPECT_EQ(find_catalogue_entry("DeepSeek-R1").model.native_weights_dtype, DType::fp8);
  EXPECT_EQ(find_catalogue_entry("DeepSeek-V3").model.native_weights_dtype, DType::fp8);
  EXPECT_EQ(find_catalogue_entry("Kimi-K2").model.native_weights_dtype, DType::fp8);
  EXPECT_EQ(find_catalogue_entry("Llama-3.1-405B-Instruct").model.native_weights_dtype, DType::bf16);
  EXPECT_EQ(find_catalogue_entry("Qwen3-235B-A22B").model.native_weights_dtype, DType::bf16);
  EXPECT_EQ(find_catalogue_entry("DeepSeek-R1").model.max_position_embeddings, 163840U);
  EXPECT_EQ(find_catalogue_entry("Llama-3.1-405B-Instruct").model.max_position_embeddings, 131072U);
  EXPECT_EQ(find_catalogue_entry("Qwen3-235B-A22B").model.max_position_embeddings, 40960U);
  EXPECT_EQ(find_catalogue_entry("Kimi-K2").model.max_position_embeddings, 131072U);
  EXPECT_EQ(find_catalogue_entry("Llama-4-Scout").model.max_position_embeddings, 10485760U);
  EXPECT_EQ(find_catalogue_entry("Llama-4-Maverick").model.max_position_embeddings, 1048576U);
  // MLA on the DeepSeek-V3 family only.
  EXPECT_TRUE(find_catalogue_entry("Kimi-K2").model.mla.has_value());
  EXPECT_FALSE(find_catalogue_entry("Qwen3-235B-A22B").model.mla.has_value());
}

TEST(SizingCatalogue, BadEntriesAreRejected) {
  EXPECT_THROW((void)parse_catalogue_entry("x.json", "{"), fabricperf::UsageError);
  EXPECT_THROW((void)parse_catalogue_entry("x.json", R"({"name": "x"})"), fabricperf::UsageError);
  try {
    (void)parse_catalogue_entry("x.json", R"({"name": "x", "hf_repo": "a/x", "source": "s",
        "published_params_source": "p", "published_params": 1e9, "config": {"hidden_size": 8}})");
    FAIL();
  } catch (const fabricperf::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("num_hidden_layers"), std::string::npos) << e.what();
  }
}

// The result entry carries what the issue asks for.
TEST(SizingReport, ResultEntryShape) {
  const CatalogueEntry& e = find_catalogue_entry("DeepSeek-R1");
  SizingRequest r;
  r.server = builtin_server("h100");
  r.weights_dtype = e.model.native_weights_dtype;
  r.context_tokens = e.model.max_position_embeddings;
  const nlohmann::json j = to_json(size_model(e.name, e.published_params, e.model, r));
  EXPECT_EQ(j["min_servers"], 2);
  EXPECT_EQ(j["gpus_total"], 16);
  for (const char* key : {"tp", "pp", "ep"}) EXPECT_TRUE(j["layout"][key].is_number_unsigned()) << key;
  for (const char* key : {"weights", "kv_cache", "reserve", "free"})
    EXPECT_TRUE(j["per_gpu_bytes"][key].is_number()) << key;
  EXPECT_EQ(j["kv_bytes_per_token"], 70272);
  EXPECT_GT(j["weights_bytes"].get<double>(), 6.7e11);
  EXPECT_TRUE(j["fabric"]["collectives"].is_array());
  EXPECT_TRUE(j["fabric"]["per_token"]["inter_node_bytes"].is_number());
  EXPECT_EQ(j["weights_dtype"], "fp8");
  EXPECT_EQ(j["fits"], true);
}

TEST(SizingReport, FormatsBytes) {
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(70272), "70.3 kB");
  EXPECT_EQ(format_bytes(673.2e9), "673.2 GB");
  EXPECT_EQ(format_bytes(1.03e12), "1.03 TB");
}
