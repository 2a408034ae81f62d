#pragma once
// Termination signals during a multi-rank run. SIGINT/SIGTERM/SIGHUP are blocked process-wide and
// taken by a thread that only raises a flag: the main thread sees it in its next wait (within a
// millisecond), names what it was waiting for and who is missing, writes the partial document and
// exits. If the main thread is busy elsewhere, the fallback runs on the signal thread after a
// grace period (mpirun follows SIGTERM with SIGKILL after about a second).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace fabricperf::collectives {

class SignalGuard {
 public:
  // Construct before any other thread starts (MPI_Init and CUDA start threads).
  SignalGuard();
  ~SignalGuard();
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

  [[nodiscard]] const std::atomic<int>* flag() const noexcept { return &signal_; }
  // `fallback(signal)` runs on the signal thread when the main thread has not called done()
  // within `grace` of the signal (or at once on a second signal); the process then exits 128+signal.
  void set_fallback(std::function<void(int)> fallback, std::chrono::milliseconds grace);
  // The main thread has reported (it is exiting or waiting to be ended): the fallback will not
  // run, and any further signal ends the process at once with 128+signal.
  void done();

 private:
  void loop();
  std::atomic<int> signal_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::function<void(int)> fallback_;
  std::chrono::milliseconds grace_{700};
  bool stop_ = false;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace fabricperf::collectives
