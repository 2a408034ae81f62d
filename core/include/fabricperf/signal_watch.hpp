#pragma once
// SIGINT, SIGTERM and SIGHUP taken by a dedicated thread (sigwait) instead of a handler, so the
// code reacting to them may lock, allocate and write files. For each such signal the owner's
// callback runs on that thread: returning true ends the process with 128 + signal, false stops
// watching (the owner is done; that signal is dropped).
//
// Construct it before any other thread starts: the signals are blocked process-wide (threads
// inherit the mask). The destructor stops the thread and unblocks them.
#include <functional>
#include <thread>

namespace fabricperf {

class SignalWatch {
 public:
  explicit SignalWatch(std::function<bool(int signal)> on_signal);
  ~SignalWatch();
  SignalWatch(const SignalWatch&) = delete;
  SignalWatch& operator=(const SignalWatch&) = delete;

 private:
  void loop();

  std::function<bool(int)> on_signal_;
  std::thread thread_;
};

}  // namespace fabricperf
