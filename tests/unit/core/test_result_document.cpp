#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "fabricperf/error.hpp"
#include "fabricperf/run_output.hpp"

using namespace fabricperf;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir() {
  fs::path dir = fs::temp_directory_path() / ("fp_doc_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

// Validates with the reference JSON Schema validator (Debian python3-jsonschema).
int validate_with_schema(const fs::path& doc) {
  const std::string cmd = std::string("/usr/bin/python3 ") + FABRICPERF_SOURCE_DIR +
                          "/tests/tools/validate_document.py " + doc.string();
  return std::system(cmd.c_str());
}

}  // namespace

TEST(ResultDocument, HasEveryRequiredFieldAndValidatesAgainstSchema) {
  const fs::path path = temp_dir() / "doc.json";
  {
    RunOutput out("fp_test", {"fp_test", "-s", "64K"}, path.string(), /*handle_signals=*/false);
    out.set_params({{"size_bytes", 65536}});
    out.add_host({{"hostname", "node1"}, {"kernel", "6.1.0"}, {"rdma_devices", nlohmann::json::array()}});
    out.add_result({{"device", "rxe0"}, {"op", "write"}, {"size_bytes", 65536}, {"bw_avg_gbps", 1.5}});
    out.add_check({"bw_line_rate", CheckStatus::pass, 90.0, 95.2, "95.2% of line rate", {{"device", "rxe0"}}});
    EXPECT_EQ(out.finish(RunStatus::ok), 0);
  }
  const auto doc = read_json(path);
  EXPECT_EQ(doc["schema"], "fabricperf/2");
  EXPECT_EQ(doc["tool"], "fp_test");
  EXPECT_EQ(doc["status"], "ok");
  EXPECT_EQ(doc["partial"], false);
  EXPECT_EQ(doc["results"].size(), 1U);
  EXPECT_EQ(doc["checks"][0]["status"], "pass");
  EXPECT_EQ(doc["checks"][0]["labels"]["device"], "rxe0");
  EXPECT_EQ(doc["command_line"][2], "64K");
  EXPECT_EQ(validate_with_schema(path), 0);
}

TEST(ResultDocument, SchemaRejectsBrokenDocuments) {
  const fs::path dir = temp_dir();
  RunOutput out("fp_test", {"fp_test"}, "", false);
  auto good = out.snapshot(RunStatus::ok, false);
  for (const auto& [name, mutate] : std::vector<std::pair<std::string, std::function<void(nlohmann::json&)>>>{
           {"bad_status", [](nlohmann::json& d) { d["status"] = "fine"; }},
           {"missing_hosts", [](nlohmann::json& d) { d.erase("hosts"); }},
           {"bad_check", [](nlohmann::json& d) { d["checks"] = {{{"name", "x"}, {"status", "maybe"}}}; }},
           {"negative_bw", [](nlohmann::json& d) { d["results"] = {{{"bw_avg_gbps", -1}}}; }},
           {"bad_time", [](nlohmann::json& d) { d["started_at"] = "yesterday"; }}}) {
    auto doc = good;
    mutate(doc);
    const fs::path p = dir / (name + ".json");
    std::ofstream(p) << doc.dump();
    EXPECT_NE(validate_with_schema(p), 0) << name;
  }
}

TEST(RunOutput, FailedCheckOrErrorGivesExitOne) {
  RunOutput a("fp_test", {"fp_test"}, "", false);
  a.add_check({"x", CheckStatus::fail, nullptr, nullptr, "bad"});
  EXPECT_EQ(a.finish(RunStatus::ok), 1);
  RunOutput b("fp_test", {"fp_test"}, "", false);
  b.add_check({"x", CheckStatus::warn, nullptr, nullptr, "meh"});
  EXPECT_EQ(b.finish(RunStatus::ok), 0);
  RunOutput c("fp_test", {"fp_test"}, "", false);
  c.add_error("something went wrong");
  EXPECT_EQ(c.finish(RunStatus::ok), 1);
  EXPECT_EQ(c.snapshot(RunStatus::ok, false)["errors"][0], "something went wrong");
}

TEST(RunOutput, CheckpointsOnDoublingLeavePartialAbortedDocuments) {
  const fs::path path = temp_dir() / "partial.json";
  RunOutput out("fp_test", {"fp_test"}, path.string(), false);
  out.add_result({{"size_bytes", 2}});
  auto doc = read_json(path);
  EXPECT_EQ(doc["status"], "aborted");
  EXPECT_EQ(doc["partial"], true);
  EXPECT_EQ(doc["results"].size(), 1U);
  out.add_result({{"size_bytes", 4}});
  // Rows 1 and 2 are both checkpoints (the first row, then a doubling); abort writes all.
  EXPECT_EQ(read_json(path)["results"].size(), 2U);
  EXPECT_EQ(out.abort("rank 1 on node2 died during write"), 1);
  doc = read_json(path);
  EXPECT_EQ(doc["status"], "aborted");
  EXPECT_EQ(doc["errors"][0], "rank 1 on node2 died during write");
  EXPECT_EQ(validate_with_schema(path), 0);
}

TEST(RunOutput, SigtermWritesPartialDocumentAndExits) {
  const fs::path path = temp_dir() / "sigterm.json";
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    RunOutput out("fp_test", {"fp_test"}, path.string(), true);
    out.add_result({{"size_bytes", 8}});
    (void)::write(ready[1], "r", 1);
    for (;;) ::pause();
  }
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::kill(child, SIGTERM);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);
  const auto doc = read_json(path);
  EXPECT_EQ(doc["status"], "aborted");
  EXPECT_EQ(doc["partial"], true);
  EXPECT_EQ(doc["results"].size(), 1U);
  EXPECT_NE(doc["errors"][0].get<std::string>().find("TERM"), std::string::npos);
  ::close(ready[0]);
  ::close(ready[1]);
}

TEST(ReadResultDocument, ClearErrors) {
  const fs::path dir = temp_dir();
  std::ofstream(dir / "notjson.json") << "{nope";
  std::ofstream(dir / "wrongschema.json") << R"({"schema":"other/2"})";
  EXPECT_THROW((void)read_result_document((dir / "missing.json").string()), UsageError);
  EXPECT_THROW((void)read_result_document((dir / "notjson.json").string()), UsageError);
  try {
    (void)read_result_document((dir / "wrongschema.json").string());
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("other/2"), std::string::npos);
  }
}

TEST(RunOutput, AbortOnExceptionSortsTheErrorKinds) {
  const fs::path path = temp_dir() / "abort-kinds.json";
  {
    RunOutput out("fp_test", {"fp_test"}, path.string(), false);
    out.add_result({{"size_bytes", 8}});
    const int rc = out.abort_on_exception(std::make_exception_ptr(PeerError("rank 1", "no progress from rank 1")));
    EXPECT_EQ(rc, 1);
    const auto doc = read_json(path);
    EXPECT_EQ(doc["status"], "aborted");
    EXPECT_EQ(doc["errors"][0], "no progress from rank 1");
    EXPECT_EQ(doc["results"].size(), 1U);
  }
  {
    fs::remove(path);
    RunOutput out("fp_test", {"fp_test"}, path.string(), false);
    EXPECT_THROW((void)out.abort_on_exception(std::make_exception_ptr(UsageError("bad -s"))), UsageError);
    EXPECT_FALSE(fs::exists(path));  // a usage error is not a run: no document
  }
  {
    RunOutput out("fp_test", {"fp_test"}, path.string(), false);
    EXPECT_THROW((void)out.abort_on_exception(std::make_exception_ptr(std::runtime_error("ibv_reg_mr failed"))),
                 std::runtime_error);
    EXPECT_EQ(read_json(path)["errors"][0], "ibv_reg_mr failed");
  }
}
