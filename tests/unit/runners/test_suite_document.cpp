#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

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
