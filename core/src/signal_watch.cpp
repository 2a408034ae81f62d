#include "fabricperf/signal_watch.hpp"

#include <pthread.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <ctime>

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

void block_watched_signals() {
  const sigset_t set = watched_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace

SignalWatch::SignalWatch() : grace_(kDefaultGrace) {
  block_watched_signals();
  thread_ = std::thread([this] { loop(); });
}

SignalWatch::SignalWatch(std::function<bool(int)> on_signal) : handler_(std::move(on_signal)) {
  block_watched_signals();
  thread_ = std::thread([this] { loop(); });
}

SignalWatch::~SignalWatch() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    done_ = true;
  }
  pthread_kill(thread_.native_handle(), SIGUSR2);
  thread_.join();
  const sigset_t set = watched_signals();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

void SignalWatch::set_fallback(std::function<void(int)> fallback, std::chrono::milliseconds grace) {
  std::lock_guard lock(mutex_);
  handler_ = [fallback = std::move(fallback)](int sig) {
    if (fallback) fallback(sig);
    return true;
  };
  grace_ = grace;
}

void SignalWatch::done() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  pthread_kill(thread_.native_handle(), SIGUSR2);  // ends a grace period under way
}

int SignalWatch::next_signal(const sigset_t& set, std::optional<std::chrono::steady_clock::time_point> deadline) {
  if (!deadline) {
    int sig = 0;
    return sigwait(&set, &sig) == 0 ? sig : -1;
  }
  const auto left = *deadline - std::chrono::steady_clock::now();
  if (left <= std::chrono::steady_clock::duration::zero()) return 0;
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
  const timespec timeout{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
  const int sig = sigtimedwait(&set, nullptr, &timeout);
  return sig > 0 ? sig : (errno == EAGAIN ? 0 : -1);
}

void SignalWatch::loop() {
  const sigset_t set = watched_signals();
  // While a grace period runs, the signal thread keeps taking signals (a second one ends it).
  std::optional<std::chrono::steady_clock::time_point> deadline;
  for (;;) {
    const int sig = next_signal(set, deadline);  // 0: the grace period is over; -1: interrupted
    std::unique_lock lock(mutex_);
    if (stop_) return;
    if (deadline && done_) deadline.reset();  // the main thread reported in time
    if (sig < 0 || sig == SIGUSR2 || (sig == 0 && !deadline)) continue;
    int exit_signal = sig;
    if (sig == 0) {
      exit_signal = signal_.load();  // the main thread did not report within the grace period
    } else {
      if (done_) std::_Exit(128 + sig);  // the main thread has reported already: just go
      const bool second = signal_.exchange(sig) != 0;
      if (!second && grace_.count() > 0) {
        deadline = std::chrono::steady_clock::now() + grace_;
        continue;
      }
    }
    auto handler = handler_;
    lock.unlock();
    if (handler && !handler(exit_signal)) return;
    std::_Exit(128 + exit_signal);
  }
}

}  // namespace fabricperf
