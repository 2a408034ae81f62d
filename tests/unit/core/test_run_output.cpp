#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fabricperf/atomic_file.hpp"
#include "fabricperf/run_output.hpp"

namespace fs = std::filesystem;
using fabricperf::CheckpointThrottle;
using fabricperf::RunOutput;
using fabricperf::RunStatus;

namespace {

// Counts whole-document writes (each one an fsync) and the bytes they carry.
struct CountingWriter {
  std::size_t writes = 0;
  std::size_t bytes = 0;
  fabricperf::FileWriter writer() {
    return [this](const std::string& path, std::string_view content) {
      ++writes;
      bytes += content.size();
      fabricperf::write_file_atomically(path, content);
    };
  }
};

nlohmann::json read_doc(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("fp_runout_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

}  // namespace

// 4,000 rows cost O(rows) in writes, not one whole-document rewrite and fsync per row.
TEST(RunOutput, ManyRowsCheckpointAFewTimesAndTheFinalDocumentHasAll) {
  const fs::path p = scratch("many.json");
  CountingWriter counter;
  RunOutput out("fp_test", {"fp_test"}, p.string(), /*handle_signals=*/false, counter.writer());
  std::size_t first_size = 0;
  for (int i = 0; i < 4000; ++i) {
    out.add_result({{"row", i}, {"payload", "0123456789abcdef"}});
    if (i == 0) first_size = counter.bytes;
  }
  const std::size_t checkpoints = counter.writes;
  EXPECT_GE(checkpoints, 1U) << "no partial document while running";
  EXPECT_LE(checkpoints, 40U) << "a write per row";
  // Rows written in all stay within a small multiple of the final document (O(N), not O(N^2)).
  EXPECT_GE(out.finish(RunStatus::ok), 0);
  const auto doc = read_doc(p);
  EXPECT_EQ(doc["results"].size(), 4000U);
  EXPECT_EQ(doc["status"], "ok");
  EXPECT_LT(counter.bytes - first_size, 5 * fs::file_size(p));
}

// The checkpoint that a crash leaves holds the first row at once, and the signal path's
// snapshot always holds every row.
TEST(RunOutput, FirstRowIsCheckpointedAndSnapshotHasEveryRow) {
  const fs::path p = scratch("first.json");
  CountingWriter counter;
  RunOutput out("fp_test", {"fp_test"}, p.string(), false, counter.writer());
  out.add_result({{"row", 0}});
  EXPECT_EQ(counter.writes, 1U);
  EXPECT_EQ(read_doc(p)["results"].size(), 1U);
  EXPECT_EQ(read_doc(p)["partial"], true);
  for (int i = 1; i < 100; ++i) out.add_result({{"row", i}});
  EXPECT_EQ(out.snapshot(RunStatus::aborted, true)["results"].size(), 100U);
  EXPECT_EQ(out.abort("stopped"), 1);
  EXPECT_EQ(read_doc(p)["results"].size(), 100U);
}

TEST(CheckpointThrottle, DueOnDoublingOrAfterTheInterval) {
  using namespace std::chrono_literals;
  CheckpointThrottle t(2s);
  const auto t0 = CheckpointThrottle::Clock::time_point{} + 1h;
  EXPECT_TRUE(t.due(1, t0));
  t.wrote(1, t0, t0 + 1ms);
  EXPECT_TRUE(t.due(2, t0 + 2ms));
  t.wrote(2, t0 + 2ms, t0 + 3ms);
  EXPECT_FALSE(t.due(3, t0 + 4ms));
  EXPECT_TRUE(t.due(4, t0 + 4ms));
  t.wrote(4, t0, t0 + 10ms);
  EXPECT_FALSE(t.due(5, t0 + 1s));
  EXPECT_TRUE(t.due(5, t0 + 10ms + 2s)) << "a slow run's checkpoint must not go stale";
  EXPECT_FALSE(t.due(4, t0 + 1h)) << "nothing new to write";
  // A slow write (1 s) waits 10 x as long before the time rule writes again.
  t.wrote(5, t0, t0 + 1s);
  EXPECT_FALSE(t.due(6, t0 + 1s + 5s));
  EXPECT_TRUE(t.due(6, t0 + 1s + 10s));
}

// A failed write while aborting is reported, not thrown: the caller's real cause stays the
// message the tool prints.
TEST(RunOutput, AbortDoesNotReplaceTheCauseWithAWriteError) {
  const fs::path dir = scratch("a_dir");
  fs::create_directories(dir);
  RunOutput out("fp_test", {"fp_test"}, dir.string(), false);
  EXPECT_THROW(
      {
        try {
          (void)out.abort_on_exception(std::make_exception_ptr(std::runtime_error("no RDMA devices found")));
        } catch (const std::runtime_error& e) {
          EXPECT_STREQ(e.what(), "no RDMA devices found");
          throw;
        }
      },
      std::runtime_error);
}
