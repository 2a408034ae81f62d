// Issue 14 rows 2 and 11: every report format refuses documents nested too deep (instead of
// recursing until the stack runs out), and reading a document refuses directories, deep text and
// numbers outside double's range with one UsageError naming the file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "fabricperf/error.hpp"
#include "fabricperf/results/compare.hpp"
#include "fabricperf/results/csv.hpp"
#include "fabricperf/results/document.hpp"
#include "fabricperf/results/html_report.hpp"
#include "fabricperf/results/merge.hpp"
#include "fabricperf/results/prometheus.hpp"
#include "fixtures.hpp"

namespace fabricperf::results {
namespace {

// A valid-looking document whose first row holds `depth` nested arrays, built in place (copying
// or dumping it would itself recurse).
nlohmann::json deep_document(std::size_t depth) {
  nlohmann::json doc = testing::make_doc(nlohmann::json::array({testing::bw_row("mlx5_0", 65536, 97.5)}));
  nlohmann::json* cur = &doc["results"][0]["x"];
  *cur = nlohmann::json::array();
  for (std::size_t i = 1; i < depth; ++i) {
    cur->push_back(nlohmann::json::array());
    cur = &cur->back();
  }
  return doc;
}

std::string message_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no UsageError)";
}

TEST(HostileInput, EveryFormatRefusesDeepDocuments) {
  const nlohmann::json deep = deep_document(100'000);
  const nlohmann::json ok = testing::make_doc(nlohmann::json::array({testing::bw_row("mlx5_0", 65536, 97.5)}));
  EXPECT_NE(message_of([&] { (void)to_csv(deep); }).find("nested 100"), std::string::npos);
  EXPECT_NE(message_of([&] { (void)to_csv(deep, CsvTable::checks); }).find("deeper than 64"), std::string::npos);
  EXPECT_NE(message_of([&] { (void)to_prometheus(deep); }).find("deeper than 64"), std::string::npos);
  EXPECT_NE(message_of([&] { (void)html_report(deep, {}); }).find("deeper than 64"), std::string::npos);
  HtmlOptions with_baseline;
  with_baseline.baseline = &deep;
  EXPECT_NE(message_of([&] { (void)html_report(ok, with_baseline); }).find("baseline document"), std::string::npos);
  EXPECT_NE(message_of([&] { (void)compare_documents(ok, deep, {}); }).find("new document"), std::string::npos);
  std::vector<MergeInput> inputs;
  inputs.push_back({"a.json", ok});
  inputs.push_back({"deep.json", deep_document(100'000)});  // moved in: a copy would recurse
  EXPECT_NE(message_of([&] { (void)merge_documents(inputs, {}); }).find("deep.json"), std::string::npos);
}

TEST(HostileInput, MergeRefusesAnOutputItsReadersWouldRefuse) {
  nlohmann::json doc = testing::make_doc(nlohmann::json::array());
  nlohmann::json* cur = &doc["params"]["p"];
  for (std::size_t i = 1; i < kMaxJsonDepth - 1; ++i) cur = &(*cur)["p"];  // the input itself is within the cap
  *cur = 1;
  ASSERT_LE(json_depth(doc), kMaxJsonDepth);
  EXPECT_NE(message_of([&] {
              (void)merge_documents({{"a.json", doc}}, {});
            }).find("merged document"),
            std::string::npos);
}

TEST(HostileInput, DumpDocumentIndentsOnlyShallowDocuments) {
  const nlohmann::json shallow = testing::make_doc(nlohmann::json::array());
  EXPECT_EQ(dump_document(shallow), shallow.dump(2) + "\n");
  const nlohmann::json deep = deep_document(40);
  EXPECT_EQ(dump_document(deep), deep.dump() + "\n");  // no 2 x depth spaces per line
}

class HostileFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("fp_results_hostile_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  std::filesystem::path dir_;
};

TEST_F(HostileFiles, LoadDocumentRefusesWithOneLineNamingTheFile) {
  const std::string deep = write("deep.json", std::string(100'000, '[') + std::string(100'000, ']'));
  EXPECT_NE(message_of([&] { (void)load_document(deep); }).find("deep.json: JSON nested deeper than 64"),
            std::string::npos);
  EXPECT_NE(message_of([&] { (void)read_document_json(dir_.string()); }).find("a directory, not a regular file"),
            std::string::npos);
  const std::string huge = write("huge.json", R"({"schema": "fabricperf/1", "x": 1e400})");
  EXPECT_NE(message_of([&] { (void)load_document(huge); }).find("huge.json: invalid JSON"), std::string::npos);
  const std::string other = write("other.json", R"({"schema": "fabricperf/3"})");
  EXPECT_NE(message_of([&] { (void)load_document(other); }).find("not a fabricperf/2 or fabricperf/1 result document"),
            std::string::npos);
  for (const auto& path : {deep, huge, other}) {
    const std::string message = message_of([&] { (void)load_document(path); });
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(HostileInput, ParseDocumentChecksTheSchema) {
  const nlohmann::json doc = testing::make_doc(nlohmann::json::array());
  EXPECT_EQ(parse_document(doc.dump(), "x.json"), doc);
  EXPECT_THROW((void)parse_document(R"({"schema": "fabricperf/1"})", "x.json"), UsageError);
  EXPECT_THROW((void)parse_document("[1, 2", "x.json"), UsageError);
}

}  // namespace
}  // namespace fabricperf::results
