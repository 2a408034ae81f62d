#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "fabricperf/cli.hpp"
#include "fabricperf/error.hpp"
#include "fabricperf/log.hpp"

namespace fabricperf::log {
namespace {

using std::chrono::system_clock;

TEST(LogLevel, ParsesTheThreeNamesInAnyCase) {
  EXPECT_EQ(parse_level("warn"), Level::warn);
  EXPECT_EQ(parse_level("INFO"), Level::info);
  EXPECT_EQ(parse_level("Trace"), Level::trace);
  EXPECT_EQ(parse_level(""), std::nullopt);
  EXPECT_EQ(parse_level("debug"), std::nullopt);
  EXPECT_EQ(parse_level("info "), std::nullopt);
  EXPECT_EQ(parse_level("tracex"), std::nullopt);
}

TEST(LogLevel, VerboseCountAlone) {
  EXPECT_EQ(requested_level(0, nullptr), Level::warn);
  EXPECT_EQ(requested_level(1, nullptr), Level::info);
  EXPECT_EQ(requested_level(2, nullptr), Level::trace);
  EXPECT_EQ(requested_level(5, nullptr), Level::trace);
  EXPECT_EQ(requested_level(0, ""), Level::warn);  // FABRICPERF_DEBUG= is "not set"
}

TEST(LogLevel, EnvironmentAndFlagTakeTheMoreVerbose) {
  EXPECT_EQ(requested_level(0, "info"), Level::info);
  EXPECT_EQ(requested_level(0, "trace"), Level::trace);
  EXPECT_EQ(requested_level(2, "warn"), Level::trace);
  EXPECT_EQ(requested_level(1, "trace"), Level::trace);
  EXPECT_EQ(requested_level(1, "warn"), Level::info);
}

TEST(LogLevel, BadEnvironmentValueIsAUsageErrorNamingIt) {
  try {
    (void)requested_level(2, "loud");
    FAIL() << "no error for FABRICPERF_DEBUG=loud";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "FABRICPERF_DEBUG=loud is not a log level (warn, info or trace)");
  }
  EXPECT_THROW((void)requested_level(0, "1"), UsageError);
  EXPECT_THROW((void)requested_level(0, "INFO,trace"), UsageError);
  // A huge value is cut in the message (still one line).
  try {
    (void)requested_level(0, std::string(10000, 'x').c_str());
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_LT(std::string(e.what()).size(), 200U);
  }
}

TEST(LogVerboseOption, CountsShortLongAndGroupedFlags) {
  const auto count = [](std::vector<std::string> args) {
    CLI::App app{"t", "t"};
    int n = 0;
    add_verbose_option(app, n);
    std::vector<const char*> argv{"t"};
    for (const auto& a : args) argv.push_back(a.c_str());
    app.parse(static_cast<int>(argv.size()), argv.data());
    return n;
  };
  EXPECT_EQ(count({}), 0);
  EXPECT_EQ(count({"-v"}), 1);
  EXPECT_EQ(count({"-vv"}), 2);
  EXPECT_EQ(count({"-v", "--verbose"}), 2);
  EXPECT_EQ(count({"--verbose", "-vv"}), 3);
}

TEST(LogVerboseOption, SubcommandsTakeItToo) {
  CLI::App app{"t", "t"};
  app.add_subcommand("compare", "c");
  int n = 0;
  add_verbose_option(app, n);
  const char* argv[] = {"t", "-v", "compare", "-vv"};
  app.parse(4, argv);
  EXPECT_EQ(n, 3);
}

TEST(LogLine, FormatIsUtcMicrosecondsHostRankLevelSubsystem) {
  // 2026-12-05T21:40:01.123456Z
  const auto when = system_clock::time_point(std::chrono::seconds(1796506801)) + std::chrono::microseconds(123456);
  EXPECT_EQ(format_line(when, "node1", 0, Level::info, "bootstrap", "connected to node2:18515"),
            "2026-12-05T21:40:01.123456Z node1[0] INFO bootstrap: connected to node2:18515");
  EXPECT_EQ(format_line(when, "node2", 13, Level::trace, "verbs", "x"),
            "2026-12-05T21:40:01.123456Z node2[13] TRACE verbs: x");
  EXPECT_EQ(format_line(when, "h", -1, Level::warn, "topology", "y"),
            "2026-12-05T21:40:01.123456Z h[-] WARN topology: y");
  // Microseconds keep their leading zeros.
  const auto early = system_clock::time_point(std::chrono::seconds(1796506801)) + std::chrono::microseconds(7);
  EXPECT_EQ(format_line(early, "h", 1, Level::info, "s", "m").substr(0, 27), "2026-12-05T21:40:01.000007Z");
}

TEST(Logger, WritesWholeLinesToItsStreamAtOrBelowItsLevel) {
  std::ostringstream sink;
  Logger logger(sink, Level::info, "nodeA", 3);
  FP_LOG_TO(logger, warn, "core") << "disk " << 90 << "% full";
  FP_LOG_TO(logger, info, "bootstrap") << "listening on port " << 18515;
  FP_LOG_TO(logger, trace, "verbs") << "not shown";
  const std::string text = sink.str();
  const std::regex line(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z nodeA\[3\] (WARN|INFO) [a-z]+: .*)");
  std::istringstream lines(text);
  std::vector<std::string> got;
  for (std::string l; std::getline(lines, l);) got.push_back(l);
  ASSERT_EQ(got.size(), 2U) << text;
  EXPECT_TRUE(std::regex_match(got[0], line)) << got[0];
  EXPECT_NE(got[0].find(" WARN core: disk 90% full"), std::string::npos);
  EXPECT_NE(got[1].find(" INFO bootstrap: listening on port 18515"), std::string::npos);
  EXPECT_EQ(text.back(), '\n');
}

TEST(Logger, RankAndLevelChangeAfterConstruction) {
  std::ostringstream sink;
  Logger logger(sink, Level::warn, "n");
  FP_LOG_TO(logger, info, "s") << "hidden";
  EXPECT_EQ(sink.str(), "");
  logger.set_level(Level::trace);
  logger.set_rank(7);
  FP_LOG_TO(logger, trace, "s") << "shown";
  EXPECT_NE(sink.str().find(" n[7] TRACE s: shown"), std::string::npos) << sink.str();
}

int evaluations = 0;
int counted() {
  ++evaluations;
  return 42;
}

TEST(Logger, OffLevelNeverEvaluatesTheArguments) {
  std::ostringstream sink;
  Logger logger(sink, Level::warn, "n");
  evaluations = 0;
  FP_LOG_TO(logger, info, "s") << counted();
  FP_LOG_TO(logger, trace, "s") << counted() << counted();
  EXPECT_EQ(evaluations, 0);
  EXPECT_EQ(sink.str(), "");
  logger.set_level(Level::info);
  FP_LOG_TO(logger, info, "s") << counted();
  FP_LOG_TO(logger, trace, "s") << counted();
  EXPECT_EQ(evaluations, 1);
}

TEST(Logger, SafeInAnUnbracedIfElse) {
  std::ostringstream sink;
  Logger logger(sink, Level::info, "n");
  bool else_taken = false;
  const bool condition = false;
  if (condition)
    FP_LOG_TO(logger, info, "s") << "then";
  else
    else_taken = true;
  EXPECT_TRUE(else_taken);
  EXPECT_EQ(sink.str(), "");
}

TEST(Logger, LinesOfManyThreadsNeverMix) {
  std::ostringstream sink;
  Logger logger(sink, Level::trace, "n", 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&logger, t] {
      for (int i = 0; i < 200; ++i) FP_LOG_TO(logger, trace, "lane") << "thread " << t << " line " << i << " end";
    });
  for (auto& t : threads) t.join();
  std::istringstream lines(sink.str());
  int count = 0;
  const std::regex whole(R"(\S+Z n\[0\] TRACE lane: thread \d line \d+ end)");
  for (std::string l; std::getline(lines, l); ++count) ASSERT_TRUE(std::regex_match(l, whole)) << l;
  EXPECT_EQ(count, 800);
}

TEST(ProcessLogger, WritesToStderrNotStdout) {
  Logger& logger = process_logger();
  const Level before = logger.level();
  logger.set_level(Level::info);
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  FP_LOG(info, "test") << "to stderr";
  const std::string out = testing::internal::GetCapturedStdout();
  const std::string err = testing::internal::GetCapturedStderr();
  logger.set_level(before);
  EXPECT_EQ(out, "");
  EXPECT_NE(err.find(" INFO test: to stderr\n"), std::string::npos) << err;
}

TEST(CommandLine, HidesTheRunSecret) {
  const char* argv[] = {"fp_bw", "--token", "s3cret", "-s", "64K", "--token=other", "node2"};
  const auto words = command_line(7, argv);
  EXPECT_EQ(words, (std::vector<std::string>{"fp_bw", "--token", "***", "-s", "64K", "--token=***", "node2"}));
}

}  // namespace
}  // namespace fabricperf::log
