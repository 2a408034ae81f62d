#pragma once
// SIGINT, SIGTERM and SIGHUP taken by a dedicated thread (sigwait) instead of a handler, so the
// code reacting to them may lock, allocate and write files. Two ways to use it:
//
//  - Callback (RunOutput): SignalWatch(on_signal). on_signal runs on the signal thread at once;
//    returning true ends the process with 128 + signal, false stops watching (the owner is done;
//    that signal is dropped).
//  - Flag with a grace period (multi-rank runs, fp_coll): SignalWatch(). A signal only raises
//    flag(); the main thread sees it in its next wait, reports (names who is missing, writes the
//    partial document) and calls done(). If it has not within the grace period, because it is
//    busy elsewhere, the fallback set by set_fallback runs on the signal thread (at once on a
//    second signal) and the process exits 128 + signal (mpirun follows SIGTERM with SIGKILL
//    after about a second). After done(), any further signal ends the process at once.
//
// Construct it before any other thread starts (MPI_Init and CUDA start threads): the signals are
// blocked process-wide (threads inherit the mask). The destructor stops the thread and unblocks them.
#include <atomic>
#include <chrono>
#include <csignal>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace fabricperf {

class SignalWatch {
 public:
  static constexpr std::chrono::milliseconds kDefaultGrace{700};

  SignalWatch();  // flag mode, grace kDefaultGrace, no fallback
  explicit SignalWatch(std::function<bool(int signal)> on_signal);
  ~SignalWatch();
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;

  // The last signal received (0: none yet).
  [[nodiscard]] const std::atomic<int>* flag() const noexcept { return &signal_; }
  // `fallback(signal)` runs on the signal thread when done() has not been called within `grace`
  // of a signal (or at once on a second signal); the process then exits 128 + signal.
  void set_fallback(std::function<void(int signal)> fallback, std::chrono::milliseconds grace);
  // The main thread has reported: the fallback will not run, and any further signal ends the
  // process at once with 128 + signal.
  void done();

 private:
  void loop();
  // The next watched signal; 0 when `deadline` passed first, -1 when interrupted.
  static int next_signal(const sigset_t& set, std::optional<std::chrono::steady_clock::time_point> deadline);

  std::atomic<int> signal_{0};
  std::mutex mutex_;
  std::function<bool(int)> handler_;  // true: exit 128 + signal; false: stop watching
  std::chrono::milliseconds grace_{0};
  bool stop_ = false;
  bool done_ = false;
  std::thread thread_;  // last: starts after the rest is set up
};

}  // namespace fabricperf
