#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <string>

#include "fabricperf/error.hpp"
#include "fabricperf/input_file.hpp"

namespace fs = std::filesystem;
using fabricperf::parse_json_bounded;
using fabricperf::read_input_file;
using fabricperf::UsageError;

namespace {
fs::path scratch() {
  const fs::path dir = fs::temp_directory_path() / ("fp_input_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}
std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const UsageError& error) {
    return error.what();
  }
  return "(no error)";
}
}  // namespace

TEST(InputFile, ReadsARegularFile) {
  const fs::path file = scratch() / "plain.txt";
  std::ofstream(file) << "hello";
  EXPECT_EQ(read_input_file(file.string(), "test file"), "hello");
}

TEST(InputFile, RefusesSpecialFilesWithoutBlocking) {
  EXPECT_NE(message_of([] { (void)read_input_file("/dev/zero", "hwloc XML"); }).find("character device"),
            std::string::npos);
  EXPECT_NE(message_of([] { (void)read_input_file(scratch().string(), "plan"); }).find("a directory"),
            std::string::npos);
  const fs::path fifo = scratch() / "fifo";
  fs::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // No writer: a plain open would block forever.
  EXPECT_NE(message_of([&] { (void)read_input_file(fifo.string(), "config"); }).find("a FIFO"), std::string::npos);
  EXPECT_NE(message_of([] { (void)read_input_file("", "config"); }).find("empty file name"), std::string::npos);
  EXPECT_NE(message_of([] { (void)read_input_file("/nonexistent/x", "config"); }).find("/nonexistent/x"),
            std::string::npos);
}

TEST(InputFile, RefusesFilesPastTheCap) {
  const fs::path file = scratch() / "big.txt";
  std::ofstream(file) << std::string(1000, 'x');
  EXPECT_EQ(read_input_file(file.string(), "doc", 1000).size(), 1000u);
  EXPECT_NE(message_of([&] { (void)read_input_file(file.string(), "doc", 999); }).find("more than the limit of 999"),
            std::string::npos);
}

TEST(BoundedJson, RefusesDeepNestingWithoutRecursing) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_NE(message_of([&] { (void)parse_json_bounded(deep, "result document"); }).find("nested deeper than 64"),
            std::string::npos);
  const std::string ok = std::string(64, '[') + std::string(64, ']');
  EXPECT_EQ(fabricperf::json_depth(parse_json_bounded(ok, "doc")), 64u);
  const std::string one_more = std::string(65, '[') + std::string(65, ']');
  EXPECT_THROW((void)parse_json_bounded(one_more, "doc"), UsageError);
}

TEST(BoundedJson, TurnsParserErrorsIntoUsageErrors) {
  EXPECT_NE(message_of([] { (void)parse_json_bounded("{\"a\": 1e400}", "doc x.json"); }).find("doc x.json: invalid JSON"),
            std::string::npos);
  EXPECT_THROW((void)parse_json_bounded("{\"a\": 1} trailing", "doc"), UsageError);
  EXPECT_THROW((void)parse_json_bounded("", "doc"), UsageError);
  EXPECT_EQ(parse_json_bounded("{\"a\": [1, 2]}", "doc")["a"][1], 2);
}

TEST(BoundedJson, DepthOfBuiltValues) {
  nlohmann::json value = 1;
  for (int i = 0; i < 5000; ++i) value = nlohmann::json::array({value});
  EXPECT_EQ(fabricperf::json_depth(value), 5000u);
  EXPECT_EQ(fabricperf::json_depth(nlohmann::json::object()), 1u);
  EXPECT_EQ(fabricperf::json_depth(nlohmann::json(3)), 0u);
}

TEST(DirectoryEntries, ListsNamesSortedAndMissingDirectoriesAsEmpty) {
  const fs::path dir = scratch() / "listing";
  fs::create_directories(dir / "mlx5_1");
  fs::create_directories(dir / "mlx5_0");
  std::ofstream(dir / "ib0") << "x";
  EXPECT_EQ(fabricperf::sorted_directory_entries(dir.string()), (std::vector<std::string>{"ib0", "mlx5_0", "mlx5_1"}));
  EXPECT_TRUE(fabricperf::sorted_directory_entries((dir / "absent").string()).empty());
}
