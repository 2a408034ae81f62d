#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
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
