#pragma once
// Every wait on other ranks goes through a Watchdog: it bounds the wait by --timeout, notices a
// termination signal, and keeps answering liveness pings from other ranks while it waits, so that
// a rank that dies or hangs is found and named instead of freezing the job.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "fabricperf/error.hpp"

namespace fabricperf::collectives {

using Clock = std::chrono::steady_clock;

// Nothing completed within the timeout.
class StallError : public Error {
 public:
  StallError(std::string what, std::chrono::milliseconds timeout)
      : Error(what + " did not complete within " + format_seconds(timeout)), timeout_(timeout) {}
  [[nodiscard]] std::chrono::milliseconds timeout() const noexcept { return timeout_; }
  [[nodiscard]] static std::string format_seconds(std::chrono::milliseconds ms);

 private:
  std::chrono::milliseconds timeout_;
};

// A termination signal arrived (e.g. the launcher ends the job because a rank exited).
class Interrupted : public Error {
 public:
  explicit Interrupted(int signal);
  [[nodiscard]] int signal() const noexcept { return signal_; }

 private:
  int signal_;
};

// What a liveness probe found out after a stall.
struct ProbeReport {
  std::vector<int> unresponsive;          // process ranks that did not answer
  std::vector<std::int64_t> progress;     // per process rank: last operation number it reported (-1: unknown)
  std::string detail;                     // a probe's own words (e.g. the bootstrap naming a peer)
};

// Asks the other processes whether they are alive. The MPI implementation uses point-to-point
// ping/pong on its own communicator; without MPI the bootstrap's all_gather names a dead peer.
class LivenessProbe {
 public:
  virtual ~LivenessProbe() = default;
  // Answers pending pings with this process's progress; called often from wait loops. Cheap.
  virtual void service(std::int64_t progress) = 0;
  // Pings every other process and waits up to `grace` for answers (still answering others).
  [[nodiscard]] virtual ProbeReport diagnose(std::chrono::milliseconds grace, std::int64_t progress) = 0;
};

// A probe that knows nobody (single process).
class NullProbe final : public LivenessProbe {
 public:
  void service(std::int64_t /*progress*/) override {}
  ProbeReport diagnose(std::chrono::milliseconds /*grace*/, std::int64_t /*progress*/) override { return {}; }
};

class Watchdog {
 public:
  Watchdog(std::chrono::milliseconds timeout, const std::atomic<int>* signal, LivenessProbe* probe) noexcept
      : timeout_(timeout), signal_(signal), probe_(probe) {}

  [[nodiscard]] std::chrono::milliseconds timeout() const noexcept { return timeout_; }
  [[nodiscard]] Clock::time_point deadline() const noexcept { return Clock::now() + timeout_; }
  // Throws Interrupted when a signal arrived; answers liveness pings. Call every ~1 ms in waits.
  void poll();
  // The operation number this process is at (reported to probing peers).
  void set_progress(std::int64_t seq) noexcept { progress_.store(seq, std::memory_order_relaxed); }
  [[nodiscard]] std::int64_t progress() const noexcept { return progress_.load(std::memory_order_relaxed); }
  [[nodiscard]] LivenessProbe* probe() const noexcept { return probe_; }
  [[nodiscard]] int pending_signal() const noexcept { return signal_ ? signal_->load() : 0; }

  // Spins on done() (which should be a cheap non-blocking test) until it returns true; polls the
  // watchdog about every millisecond and throws StallError(what) past the deadline.
  template <typename Done>
  void wait_until(Done&& done, const std::string& what) {
    const auto limit = deadline();
    auto next_poll = Clock::now();
    for (unsigned spins = 0;; ++spins) {
      if (done()) return;
      if ((spins & 63U) == 0) {
        const auto now = Clock::now();
        if (now >= next_poll) {
          poll();
          next_poll = now + std::chrono::microseconds(500);
        }
        if (now > limit) throw StallError(what, timeout_);
      }
    }
  }

 private:
  std::chrono::milliseconds timeout_;
  const std::atomic<int>* signal_;
  LivenessProbe* probe_;
  std::atomic<std::int64_t> progress_{0};
};

}  // namespace fabricperf::collectives
