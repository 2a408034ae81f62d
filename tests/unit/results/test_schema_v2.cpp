// fabricperf/2: every tool's rows typed by the schema, bandwidth rows' arithmetic checked, on the
// recorded documents of tests/data/results/v2 (generate.py: the fabricperf/2 reading of real runs).
#include <gtest/gtest.h>

#include "fabricperf/result_document.hpp"
#include "fabricperf/results/row_arithmetic.hpp"
#include "fabricperf/results/validate.hpp"
#include "fixtures.hpp"

namespace fabricperf::results {
namespace {

std::string all_problems(const nlohmann::json& doc) {
  std::string all;
  for (const auto& p : validate_document(doc)) all += to_string(p) + "\n";
  return all;
}

nlohmann::json v2(const std::string& name) {
  return testing::load_fixture("v2/" + name);
}

// The first single-device bandwidth row of v2/bw.json.
std::size_t first_bw_row(const nlohmann::json& doc) {
  for (std::size_t i = 0; i < doc["results"].size(); ++i)
    if (!doc["results"][i].contains("aggregate") && doc["results"][i]["size_bytes"] == 65536) return i;
  ADD_FAILURE() << "no 64 KiB row";
  return 0;
}

TEST(SchemaV2, ToolsWriteTheNewVersion) {
  EXPECT_EQ(kSchemaId, "fabricperf/2");
  EXPECT_EQ(embedded_schema()["properties"]["schema"]["const"], "fabricperf/2");
  EXPECT_EQ(embedded_schema_v1()["properties"]["schema"]["const"], "fabricperf/1");
}

TEST(SchemaV2, RecordedDocumentsAreValid) {
  for (const char* name : {"bw.json", "lat.json", "suite_golive.json"}) {
    const auto doc = v2(name);
    ASSERT_EQ(doc["schema"], "fabricperf/2") << name;
    EXPECT_EQ(all_problems(doc), "") << name;
  }
}

TEST(SchemaV2, BandwidthRowWithAWrongTypeOrAMissingFieldIsRejected) {
  auto doc = v2("bw.json");
  const std::size_t i = first_bw_row(doc);
  const std::string at = "results/" + std::to_string(i);
  doc["results"][i]["bytes"] = "1";
  doc["results"][i].erase("messages");
  doc["results"][i]["op"] = "rdma_write";
  const std::string all = all_problems(doc);
  EXPECT_NE(all.find(at + "/bytes: expected integer, got string\n"), std::string::npos) << all;
  EXPECT_NE(all.find(at + ": missing required property 'messages'\n"), std::string::npos) << all;
  EXPECT_NE(all.find(at + "/op: \"rdma_write\" is not one of"), std::string::npos) << all;
}

TEST(SchemaV2, EveryToolsRowsAreTyped) {
  auto lat = v2("lat.json");
  lat["results"][0]["half_round_trip"] = true;  // the old encodings are gone
  lat["results"][1].erase("latency");
  lat["results"][2]["line_rate_gbps"] = 400;  // no line rate on latency rows
  std::string all = all_problems(lat);
  EXPECT_NE(all.find("results/0/half_round_trip: not allowed here"), std::string::npos) << all;
  EXPECT_NE(all.find("results/1: missing required property 'latency'"), std::string::npos) << all;
  EXPECT_NE(all.find("results/2/line_rate_gbps: not allowed here"), std::string::npos) << all;

  auto suite = v2("suite_golive.json");
  for (auto& row : suite["results"]) {
    if (row["stage"] == "collectives") row["coll"] = "allreduce";  // README's old spelling
    if (row["stage"] == "verbs_bw" && !row.contains("aggregate")) row["bidirectional"] = "no";
    if (row["stage"] == "preflight") row.erase("nics");
  }
  all = all_problems(suite);
  EXPECT_NE(all.find("/coll: \"allreduce\" is not one of"), std::string::npos) << all;
  EXPECT_NE(all.find("/bidirectional: expected boolean, got string"), std::string::npos) << all;
  EXPECT_NE(all.find(": missing required property 'nics'"), std::string::npos) << all;

  // fp_info writes no rows; fp_report rows name what they are.
  auto info = testing::make_doc({{{"host", "n1"}}}, nlohmann::json::array(), "fp_info");
  info["schema"] = "fabricperf/2";
  EXPECT_NE(all_problems(info).find("results/0: not allowed here"), std::string::npos);
  auto report = testing::make_doc({{{"host", "n1"}}}, nlohmann::json::array(), "fp_report");
  report["schema"] = "fabricperf/2";
  EXPECT_NE(all_problems(report).find("results/0: matches none of the allowed forms (anyOf)"), std::string::npos);
}

TEST(SchemaV2, MergedRowsAreTypedByTheirOwnTool) {
  auto doc = v2("bw.json");
  doc["tool"] = "fp_report";
  for (auto& row : doc["results"]) row["tool"] = "fp_bw";
  EXPECT_EQ(all_problems(doc), "");
  doc["results"][0]["tool"] = "fp_lat";  // a bandwidth row claiming to be a latency row
  EXPECT_NE(all_problems(doc).find("results/0: missing required property 't_typical_us'"), std::string::npos);
}

TEST(SchemaV2, RowArithmeticNamesTheRowAndTheField) {
  auto doc = v2("bw.json");
  const std::size_t i = first_bw_row(doc);
  const std::string at = "results/" + std::to_string(i);
  auto& row = doc["results"][i];
  row["bytes"] = row["bytes"].get<std::uint64_t>() + 1;
  row["bw_avg_gbps"] = row["bw_avg_gbps"].get<double>() * 1.25;  // suite rows were 24 % off
  row["bw_peak_gbps"] = row["bw_avg_gbps"].get<double>() / 2;
  const std::string all = all_problems(doc);
  EXPECT_NE(all.find(at + "/bytes: " + row["bytes"].dump() +
                     " is not messages x size_bytes = " + row["messages"].dump() + " x 65536"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find(at + "/bw_avg_gbps: "), std::string::npos) << all;
  EXPECT_NE(all.find("but bytes x 8 / duration_s / 1e9 = "), std::string::npos) << all;
  EXPECT_NE(all.find(at + "/bw_peak_gbps: "), std::string::npos) << all;
  EXPECT_EQ(check_row_arithmetic(v2("bw.json")).size(), 0U);
}

TEST(SchemaV2, RowArithmeticToleratesRoundingOnlyBelowOnePPM) {
  auto doc = v2("bw.json");
  const std::size_t i = first_bw_row(doc);
  auto& row = doc["results"][i];
  const double bw = row["bw_avg_gbps"].get<double>();
  row["bw_avg_gbps"] = bw * (1 + 5e-7);
  EXPECT_EQ(check_row_arithmetic(doc).size(), 0U);
  row["bw_avg_gbps"] = bw * (1 + 5e-6);
  ASSERT_EQ(check_row_arithmetic(doc).size(), 1U);
  row["bw_avg_gbps"] = bw;
  row["duration_s"] = 0;  // nothing measured: no rate to check
  row["msg_rate_mpps"] = 0;
  EXPECT_EQ(check_row_arithmetic(doc).size(), 0U);
}

TEST(SchemaV2, FabricperfOneDocumentsAreJudgedByTheirOwnSchema) {
  // A fabricperf/1 suite document (recorded go-live run) stays valid, arithmetic not applied
  // (its rows counted iterations differently); the same text saying fabricperf/2 is not.
  std::ifstream in(std::string(FABRICPERF_SOURCE_DIR) + "/tests/data/runners/golive-baseline.json");
  auto doc = nlohmann::json::parse(in);
  EXPECT_EQ(all_problems(doc), "");
  doc["schema"] = "fabricperf/2";
  const std::string all = all_problems(doc);
  EXPECT_NE(all.find("missing required property 'messages'"), std::string::npos) << all;
  EXPECT_NE(all.find("/round_trip: not allowed here"), std::string::npos) << all;
}

TEST(SchemaV2, IfThenElseAndNot) {
  const nlohmann::json schema = nlohmann::json::parse(R"({
    "type": "object",
    "if": {"properties": {"kind": {"const": "a"}}, "required": ["kind"]},
    "then": {"required": ["x"]},
    "else": {"required": ["y"]},
    "properties": {"z": {"not": {"type": "string"}}}
  })");
  EXPECT_TRUE(validate_against({{"kind", "a"}, {"x", 1}}, schema).empty());
  EXPECT_TRUE(validate_against({{"kind", "b"}, {"y", 1}}, schema).empty());
  const auto a = validate_against({{"kind", "a"}, {"y", 1}, {"z", "s"}}, schema);
  ASSERT_EQ(a.size(), 2U);
  EXPECT_EQ(to_string(a[0]), "z: matches a form that is not allowed here (not)");
  EXPECT_EQ(to_string(a[1]), "(document): missing required property 'x'");
  const auto b = validate_against({{"x", 1}}, schema);
  ASSERT_EQ(b.size(), 1U);
  EXPECT_EQ(to_string(b[0]), "(document): missing required property 'y'");
}

}  // namespace
}  // namespace fabricperf::results
