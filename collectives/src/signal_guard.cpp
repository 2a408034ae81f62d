#include "fabricperf/collectives/signal_guard.hpp"

#include <pthread.h>

#include <csignal>
#include <cstdlib>

namespace fabricperf::collectives {
namespace {

sigset_t guarded_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGUSR2);  // wakes the thread at destruction
  return set;
}

}  // namespace

SignalGuard::SignalGuard() {
  const sigset_t set = guarded_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::thread([this] { loop(); });
}

SignalGuard::~SignalGuard() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    done_ = true;
  }
  wake_.notify_all();
  pthread_kill(thread_.native_handle(), SIGUSR2);
  thread_.join();
  const sigset_t set = guarded_signals();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

void SignalGuard::set_fallback(std::function<void(int)> fallback, std::chrono::milliseconds grace) {
  std::lock_guard lock(mutex_);
  fallback_ = std::move(fallback);
  grace_ = grace;
}

void SignalGuard::done() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  wake_.notify_all();
}

void SignalGuard::loop() {
  const sigset_t set = guarded_signals();
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    std::unique_lock lock(mutex_);
    if (stop_) return;
    if (sig == SIGUSR2) continue;
    if (done_) std::_Exit(128 + sig);  // the main thread has reported already: just go
    const bool second = signal_.load() != 0;
    signal_.store(sig);
    if (!second && wake_.wait_for(lock, grace_, [this] { return done_; })) continue;  // main thread handles it
    auto fallback = fallback_;
    lock.unlock();
    if (fallback) fallback(sig);
    std::_Exit(128 + sig);
  }
}

}  // namespace fabricperf::collectives
