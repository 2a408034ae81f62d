#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fabricperf/atomic_file.hpp"
#include "fabricperf/error.hpp"

namespace fs = std::filesystem;

namespace {
std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST(AtomicFile, WritesAndReplaces) {
  const fs::path dir = fs::temp_directory_path() / ("fp_atomic_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path p = dir / "out.json";
  fabricperf::write_file_atomically(p.string(), "first");
  EXPECT_EQ(slurp(p), "first");
  fabricperf::write_file_atomically(p.string(), "second");
  EXPECT_EQ(slurp(p), "second");
  std::size_t leftovers = 0;
  for (const auto& e : fs::directory_iterator(dir)) leftovers += e.path().filename() != "out.json";
  EXPECT_EQ(leftovers, 0U) << "temporary files left behind";
}

TEST(AtomicFile, UnwritableDirectoryNamesThePath) {
  try {
    fabricperf::write_file_atomically("/nonexistent-dir/x.json", "x");
    FAIL();
  } catch (const fabricperf::Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/x.json"), std::string::npos);
  }
}

// A writer killed at random moments never leaves a truncated or mixed file: every read sees
// one complete version.
TEST(AtomicFile, KilledWriterLeavesACompleteVersion) {
  const fs::path dir = fs::temp_directory_path() / ("fp_atomic_kill_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path p = dir / "doc.json";
  const std::string a(1 << 20, 'a');
  const std::string b(1 << 20, 'b');
  fabricperf::write_file_atomically(p.string(), a);
  for (int round = 0; round < 5; ++round) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      for (int i = 0;; ++i) fabricperf::write_file_atomically(p.string(), i % 2 ? a : b);
    }
    ::usleep(20000 + 7000 * round);
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    const std::string content = slurp(p);
    EXPECT_TRUE(content == a || content == b) << "torn file of " << content.size() << " bytes";
  }
}

namespace {
std::string this_host() {
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

// A pid that no longer exists: a child that exited and was reaped.
pid_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  return child;
}

std::size_t entries_other_than(const fs::path& dir, const std::string& keep) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().filename() != keep;
  return n;
}
}  // namespace

// A writer killed by SIGKILL leaves its temporary file; the next write to the same target
// removes it (the temp name carries host and pid, and that pid is gone). Temporary files of
// live processes and of other targets stay.
TEST(AtomicFile, NextWriteRemovesTheTempFileOfAKilledWriter) {
  const fs::path dir = fs::temp_directory_path() / ("fp_atomic_stale_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path p = dir / "doc.json";
  const std::string stale = ".doc.json.tmp." + this_host() + "." + std::to_string(dead_pid()) + ".Ab12Cd";
  const std::string live = ".doc.json.tmp." + this_host() + "." + std::to_string(::getppid()) + ".Ab12Cd";
  const std::string other = ".other.json.tmp." + this_host() + "." + std::to_string(dead_pid()) + ".Ab12Cd";
  for (const auto& name : {stale, live, other}) std::ofstream(dir / name) << std::string(4096, 'x');
  fabricperf::write_file_atomically(p.string(), "new");
  EXPECT_EQ(slurp(p), "new");
  EXPECT_FALSE(fs::exists(dir / stale)) << "stale temporary file of a dead writer left behind";
  EXPECT_TRUE(fs::exists(dir / live)) << "a live writer's temporary file was removed";
  EXPECT_TRUE(fs::exists(dir / other)) << "another target's temporary file was removed";
  fs::remove_all(dir);
}

// Writers killed in the middle of writes leave nothing behind once the next write has run.
TEST(AtomicFile, KilledWritersLeaveNoTempFilesAfterTheNextWrite) {
  const fs::path dir = fs::temp_directory_path() / ("fp_atomic_kills_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path p = dir / "doc.json";
  const std::string big(4 << 20, 'z');
  for (int round = 0; round < 10; ++round) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      for (;;) fabricperf::write_file_atomically(p.string(), big);
    }
    ::usleep(5000 + 3000 * round);
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
  }
  fabricperf::write_file_atomically(p.string(), "done");
  EXPECT_EQ(slurp(p), "done");
  EXPECT_EQ(entries_other_than(dir, "doc.json"), 0U) << "temporary files of killed writers left behind";
  fs::remove_all(dir);
}

TEST(OutputPath, RefusesWhatCannotTakeAFile) {
  const fs::path dir = fs::temp_directory_path() / ("fp_outpath_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  EXPECT_EQ(fabricperf::output_path_problem(""), "empty file name");
  EXPECT_EQ(fabricperf::output_path_problem("-"), "");
  EXPECT_EQ(fabricperf::output_path_problem((dir / "x.json").string()), "");
  EXPECT_EQ(fabricperf::output_path_problem(dir.string()), dir.string() + " is a directory");
  EXPECT_EQ(fabricperf::output_path_problem("/nonexistent-dir/x.json"), "directory /nonexistent-dir does not exist");
  EXPECT_EQ(fabricperf::output_path_problem("/dev/null"), "/dev/null is not a regular file");
  std::ofstream(dir / "file") << "x";
  EXPECT_EQ(fabricperf::output_path_problem((dir / "file" / "x.json").string()),
            (dir / "file").string() + " is not a directory");
  if (::geteuid() != 0) {
    const fs::path ro = dir / "ro";
    fs::create_directories(ro);
    fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
    EXPECT_NE(fabricperf::output_path_problem((ro / "x.json").string()).find("cannot write in directory"),
              std::string::npos);
    fs::permissions(ro, fs::perms::owner_all);
  }
  fs::remove_all(dir);
}
