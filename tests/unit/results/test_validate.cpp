#include <gtest/gtest.h>

#include "fabricperf/results/validate.hpp"
#include "fixtures.hpp"

namespace fabricperf::results {
namespace {

using testing::make_doc;

std::vector<std::string> problems_of(const nlohmann::json& doc) {
  std::vector<std::string> out;
  for (const auto& p : validate_document(doc)) out.push_back(to_string(p));
  return out;
}

TEST(Validate, EmbeddedSchemaIsTheRepositoryFile) {
  std::ifstream in(testing::data_path("../../../results/schema/fabricperf-2.schema.json"));
  EXPECT_EQ(nlohmann::json::parse(in), embedded_schema());
  std::ifstream in_v1(testing::data_path("../../../results/schema/fabricperf-1.schema.json"));
  EXPECT_EQ(nlohmann::json::parse(in_v1), embedded_schema_v1());
}

TEST(Validate, RecordedDocumentsAreValid) {
  for (const char* name : {"bw_sweep.json", "lat.json", "coll.json", "topo.json", "suite.json", "suite_baseline.json",
                           "baseline_bw.json", "regressed_bw.json", "noisy_rerun_bw.json", "escaping.json"})
    EXPECT_TRUE(validate_document(testing::load_fixture(name)).empty()) << name;
}

TEST(Validate, MinimalDocumentIsValid) {
  EXPECT_TRUE(problems_of(make_doc(nlohmann::json::array())).empty());
}

TEST(Validate, ReportsEachProblemWithItsPath) {
  const auto problems = problems_of(testing::load_fixture("invalid_types.json"));
  ASSERT_EQ(problems.size(), 3U);
  EXPECT_EQ(problems[0], "checks/0/status: \"passed\" is not one of [\"pass\",\"fail\",\"warn\",\"skip\"]");
  EXPECT_EQ(problems[1], "hosts/0: missing required property 'kernel'");
  EXPECT_EQ(problems[2], "results/3/size_bytes: expected integer, got string");
}

TEST(Validate, TopLevelShape) {
  auto doc = make_doc(nlohmann::json::array());
  doc.erase("errors");
  doc["surprise"] = 1;
  doc["schema"] = "fabricperf/3";  // judged by the newest schema
  doc["tool"] = "bw";
  const auto problems = problems_of(doc);
  ASSERT_EQ(problems.size(), 4U);
  EXPECT_EQ(problems[0], "(document): missing required property 'errors'");
  EXPECT_EQ(problems[1], "schema: expected \"fabricperf/2\", got \"fabricperf/3\"");
  EXPECT_EQ(problems[2], "(document): unexpected property 'surprise'");
  EXPECT_EQ(problems[3], "tool: \"bw\" does not match ^fp_[a-z_]+$");
}

TEST(Validate, JsonSchemaTypeSemantics) {
  // 1.0 is an integer; booleans are not numbers; null is only allowed where listed.
  auto doc =
      make_doc({{{"size_bytes", 1.0}, {"iterations", true}, {"line_rate_pct", nullptr}, {"bw_avg_gbps", nullptr}}});
  const auto problems = problems_of(doc);
  ASSERT_EQ(problems.size(), 2U);
  EXPECT_EQ(problems[0], "results/0/bw_avg_gbps: expected number, got null");
  EXPECT_EQ(problems[1], "results/0/iterations: expected integer, got boolean");
}

TEST(Validate, PatternsMinimaAndLengths) {
  auto doc = make_doc(
      {{{"bw_avg_gbps", -1}, {"host", ""}}},
      {{{"name", "Bad Name"}, {"status", "pass"}, {"expected", nullptr}, {"measured", nullptr}, {"detail", ""}}});
  doc["started_at"] = "yesterday";
  doc["errors"] = {""};
  const auto problems = problems_of(doc);
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  EXPECT_EQ(problems.size(), 5U) << all;
  EXPECT_NE(all.find("started_at: \"yesterday\" does not match"), std::string::npos) << all;
  EXPECT_NE(all.find("results/0/bw_avg_gbps: value below the minimum 0"), std::string::npos) << all;
  EXPECT_NE(all.find("results/0/host: string shorter than 1 characters"), std::string::npos) << all;
  EXPECT_NE(all.find("checks/0/name: \"Bad Name\" does not match"), std::string::npos) << all;
  EXPECT_NE(all.find("errors/0: string shorter than 1 characters"), std::string::npos) << all;
}

TEST(Validate, CombinatorsAndRefs) {
  const nlohmann::json schema = nlohmann::json::parse(R"({
    "$defs": {"pos": {"type": "integer", "minimum": 1}},
    "type": "object",
    "properties": {
      "a": {"$ref": "#/$defs/pos"},
      "b": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
      "c": {"anyOf": [{"type": "string"}, {"type": "null"}]},
      "d": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"const": 7}}
    }
  })");
  EXPECT_TRUE(validate_against({{"a", 2}, {"b", "x"}, {"c", nullptr}, {"d", {7, 7}}}, schema).empty());
  const auto problems = validate_against({{"a", 0}, {"b", 1.5}, {"c", 3}, {"d", {7, 8, 7}}}, schema);
  std::string all;
  for (const auto& p : problems) all += to_string(p) + "\n";
  EXPECT_EQ(problems.size(), 5U) << all;
  EXPECT_NE(all.find("a: value below the minimum 1"), std::string::npos) << all;
  EXPECT_NE(all.find("b: matches none of the allowed forms (oneOf)"), std::string::npos) << all;
  EXPECT_NE(all.find("c: matches none of the allowed forms (anyOf)"), std::string::npos) << all;
  EXPECT_NE(all.find("d: more than 2 items"), std::string::npos) << all;
  EXPECT_NE(all.find("d/1: expected 7, got 8"), std::string::npos) << all;
}

TEST(Validate, UnicodeLengthCountsCharacters) {
  const nlohmann::json schema = {{"type", "string"}, {"minLength", 2}};
  EXPECT_TRUE(validate_against("ü€", schema).empty());
  EXPECT_FALSE(validate_against("ü", schema).empty());
}

}  // namespace
}  // namespace fabricperf::results
