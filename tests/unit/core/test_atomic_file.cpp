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
