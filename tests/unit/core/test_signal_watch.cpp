#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>

#include "fabricperf/signal_watch.hpp"

using fabricperf::SignalWatch;

namespace {

// In a death-test child: the callback says which signal it saw on stderr, then the watch exits.
[[noreturn]] void run_until_signalled(int sig) {
  SignalWatch watch([](int s) {
    std::fprintf(stderr, "saw signal %d\n", s);
    return true;
  });
  ::kill(::getpid(), sig);  // process-directed (raise() would aim at this thread): the watch takes it
  for (;;) pause();
}

}  // namespace

TEST(SignalWatchDeathTest, CallbackRunsThenTheProcessExitsWith128PlusSignal) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(run_until_signalled(SIGTERM), testing::ExitedWithCode(128 + SIGTERM), "saw signal 15");
  EXPECT_EXIT(run_until_signalled(SIGINT), testing::ExitedWithCode(128 + SIGINT), "saw signal 2");
  EXPECT_EXIT(run_until_signalled(SIGHUP), testing::ExitedWithCode(128 + SIGHUP), "saw signal 1");
}

TEST(SignalWatch, DeclinedSignalIsDroppedAndTheProcessGoesOn) {
  std::atomic<int> seen{0};
  {
    SignalWatch watch([&seen](int s) {
      seen = s;
      return false;
    });
    ::kill(::getpid(), SIGHUP);
    for (int i = 0; i < 2000 && seen == 0; ++i) usleep(1000);
  }
  EXPECT_EQ(seen.load(), SIGHUP);
}

TEST(SignalWatch, DestroyedWithoutSignalsLeavesThemUnblocked) {
  {
    SignalWatch watch([](int) { return true; });
  }
  sigset_t now;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, nullptr, &now), 0);
  EXPECT_FALSE(sigismember(&now, SIGTERM));
  EXPECT_FALSE(sigismember(&now, SIGINT));
}

// Flag mode (multi-rank runs): the main thread gets the grace period to report; the fallback
// runs on the signal thread only when it has not.
namespace {

[[noreturn]] void signal_and_never_report(std::chrono::milliseconds grace) {
  SignalWatch watch;
  watch.set_fallback([&watch](int s) { std::fprintf(stderr, "fallback for %d, flag %d\n", s, watch.flag()->load()); },
                     grace);
  ::kill(::getpid(), SIGTERM);
  for (;;) pause();
}

[[noreturn]] void signal_twice_within_a_long_grace() {
  SignalWatch watch;
  watch.set_fallback([](int) { std::fprintf(stderr, "fallback ran\n"); }, std::chrono::seconds(60));
  ::kill(::getpid(), SIGTERM);
  while (watch.flag()->load() == 0) usleep(1000);
  ::kill(::getpid(), SIGINT);
  for (;;) pause();
}

[[noreturn]] void signal_after_done() {
  SignalWatch watch;
  watch.set_fallback([](int) { std::fprintf(stderr, "fallback ran\n"); }, std::chrono::seconds(60));
  watch.done();
  ::kill(::getpid(), SIGHUP);
  for (;;) pause();
}

bool exited_with_sigterm_or_sigint(int status) {
  return WIFEXITED(status) && (WEXITSTATUS(status) == 128 + SIGTERM || WEXITSTATUS(status) == 128 + SIGINT);
}

}  // namespace

TEST(SignalWatchDeathTest, FallbackRunsAfterTheGraceWhenTheMainThreadDoesNotReport) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(signal_and_never_report(std::chrono::milliseconds(50)), testing::ExitedWithCode(128 + SIGTERM),
              "fallback for 15, flag 15");
}

TEST(SignalWatchDeathTest, SecondSignalRunsTheFallbackAtOnce) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EXIT(signal_twice_within_a_long_grace(), exited_with_sigterm_or_sigint, "fallback ran");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

TEST(SignalWatchDeathTest, AfterDoneASignalEndsTheProcessWithoutTheFallback) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(signal_after_done(), testing::ExitedWithCode(128 + SIGHUP), testing::Not(testing::HasSubstr("fallback")));
}

TEST(SignalWatch, MainThreadReportingWithinTheGraceKeepsTheProcessAlive) {
  std::atomic<bool> fallback_ran{false};
  {
    SignalWatch watch;
    watch.set_fallback([&fallback_ran](int) { fallback_ran = true; }, std::chrono::seconds(20));
    ::kill(::getpid(), SIGHUP);
    for (int i = 0; i < 5000 && watch.flag()->load() == 0; ++i) usleep(1000);
    EXPECT_EQ(watch.flag()->load(), SIGHUP);
    watch.done();
  }
  EXPECT_FALSE(fallback_ran.load());
}
