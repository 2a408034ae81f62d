#include "fabricperf/signal_watch.hpp"

#include <pthread.h>

#include <csignal>
#include <cstdlib>

namespace fabricperf {
namespace {

// SIGUSR2 only wakes the thread when the watch goes away.
sigset_t watched_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR2);
  return set;
}

}  // namespace

SignalWatch::SignalWatch(std::function<bool(int)> on_signal) : on_signal_(std::move(on_signal)) {
  const sigset_t set = watched_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::thread([this] { loop(); });
}

SignalWatch::~SignalWatch() {
  if (thread_.joinable()) {
    pthread_kill(thread_.native_handle(), SIGUSR2);
    thread_.join();
  }
  const sigset_t set = watched_signals();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

void SignalWatch::loop() {
  const sigset_t set = watched_signals();
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGUSR2) return;
    if (!on_signal_(sig)) return;
    std::_Exit(128 + sig);
  }
}

}  // namespace fabricperf
