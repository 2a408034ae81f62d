#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "fabricperf/atomic_file.hpp"
#include "fabricperf/runners/suite_document.hpp"

namespace fs = std::filesystem;
using fabricperf::runners::SuiteDocument;

namespace {

// Forks a process holding a SuiteDocument (writer or not) with one result, in the middle of
// `context`; SIGTERMs it and returns its exit status.
int sigterm_a_suite(const fs::path& path, bool writer) {
  int ready[2];
  if (::pipe(ready) != 0) return -1;
  const pid_t child = ::fork();
  if (child == 0) {
    SuiteDocument doc({"fp_suite", "--preset", "quick"}, path.string());
    doc.set_writer(writer);
    doc.set_context("verbs_bw round 3/7");
    doc.add_result({{"stage", "verbs_bw"}, {"size_bytes", 65536}});
    (void)::write(ready[1], "r", 1);
    for (;;) ::pause();
  }
  char c = 0;
  if (child < 0 || ::read(ready[0], &c, 1) != 1) return -1;
  ::kill(child, SIGTERM);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  return status;
}

fs::path scratch(const char* name) {
  const fs::path dir = fs::temp_directory_path() / ("fp-suite-doc-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::remove(dir / name);
  return dir / name;
}

}  // namespace

TEST(SuiteDocument, SigtermOnTheWriterLeavesAPartialDocumentNamingTheStage) {
  const fs::path path = scratch("writer.json");
  const int status = sigterm_a_suite(path, true);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  const auto doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc["status"], "aborted");
  EXPECT_EQ(doc["partial"], true);
  EXPECT_EQ(doc["results"].size(), 1U);
  const std::string error = doc["errors"].at(0);
  EXPECT_NE(error.find("SIGTERM during verbs_bw round 3/7"), std::string::npos) << error;
}

TEST(SuiteDocument, SigtermOnAnotherRankExitsWithoutWriting) {
  const fs::path path = scratch("other.json");
  const int status = sigterm_a_suite(path, false);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);
  EXPECT_FALSE(fs::exists(path));
}

// The suite writes through core's throttled sink: a checkpoint after every round of a
// 1,000-round run costs a bounded number of whole-document writes, O(rows) bytes in all, and the
// final document has every row. Another rank writes nothing.
TEST(SuiteDocument, ThousandRoundsCostABoundedNumberOfWrites) {
  const fs::path path = scratch("many.json");
  std::size_t writes = 0;
  std::size_t bytes = 0;
  SuiteDocument doc({"fp_suite"}, path.string(), [&](const std::string& p, std::string_view content) {
    ++writes;
    bytes += content.size();
    fabricperf::write_file_atomically(p, content);
  });
  doc.set_writer(true);
  for (int round = 0; round < 1000; ++round) {
    doc.add_results({{{"stage", "verbs_bw"}, {"round", round}}});
    doc.checkpoint();
  }
  EXPECT_GE(writes, 1U);
  EXPECT_LE(writes, 20U) << "a write per round";
  EXPECT_EQ(doc.finish(fabricperf::RunStatus::ok), 0);
  EXPECT_EQ(nlohmann::json::parse(std::ifstream(path))["results"].size(), 1000U);
  EXPECT_LT(bytes, 5 * fs::file_size(path));

  const fs::path other = scratch("other-rank.json");
  std::size_t other_writes = 0;
  SuiteDocument quiet({"fp_suite"}, other.string(), [&](const std::string&, std::string_view) { ++other_writes; });
  quiet.add_results({{{"stage", "verbs_bw"}}});
  quiet.checkpoint(true);
  EXPECT_EQ(quiet.finish(fabricperf::RunStatus::ok), 0);
  EXPECT_EQ(other_writes, 0U);
  EXPECT_NE(&quiet.human(), &std::cout);  // a silent human stream
}
