#pragma once
// Windowed bandwidth: the messages a run completed in fixed windows of time (default 100 ms), so
// every run reports its slowest window (bw_min_gbps) and how much the windows vary (bw_cv, the
// coefficient of variation) next to the average and the peak. A link that flaps or stalls for a
// few hundred milliseconds shows here even when its average passes.
//
// The timeline is what the engine sees when it polls completions: (ticks, cumulative messages).
// Messages credited by one poll are spread evenly over the time since the previous poll, so a
// completion that stands for a batch of cq_mod messages is not counted in one window only (a
// stall still shows: the few messages after it are spread thinly over the stalled windows).
// Window k covers [start + k W, start + (k+1) W). Only full windows count, those that end at or
// before the last completion: the partial last window is in the average but never in the minimum
// or the variation (a few milliseconds of it would make the minimum noise). With fewer than two
// full windows there is no minimum and no variation (nullopt, null in JSON): one window is the
// average itself and says nothing about change over time.
//
// Recording costs O(1) memory (running minimum, Welford mean and variance) and, per poll, one
// comparison unless a window boundary was crossed: no allocation in the engine's hot loop.
#include <cstdint>
#include <optional>
#include <span>

#include "fabricperf/verbs/metrics.hpp"

namespace fabricperf::verbs {

inline constexpr double kDefaultWindowMs = 100;

struct WindowFigures {
  double window_s = 0;             // 0: not recorded
  std::uint64_t full_windows = 0;  // windows that ended at or before the last completion
  std::optional<double> min_gbps;  // the slowest full window (>= 2 full windows)
  std::optional<double> min_at_s;  // its start, seconds after the start of the measurement
  std::optional<double> cv;        // population stdev / mean of the full windows' rates (>= 2, mean > 0)
};

class WindowRecorder {
 public:
  // Starts a measurement at (start_ticks, start_messages); window_ticks 0 records nothing.
  void start(std::uint64_t start_ticks, std::uint64_t start_messages, std::uint64_t window_ticks) noexcept;
  // A poll that completed messages: `messages` completed in all as of `ticks`. A point that goes
  // back in time or in count is ignored.
  void add(std::uint64_t ticks, std::uint64_t messages) noexcept {
    if (ticks < prev_ticks_ || messages < prev_messages_) return;
    if (ticks >= next_boundary_ && window_ticks_ > 0) close_windows(ticks, messages);
    prev_ticks_ = ticks;
    prev_messages_ = messages;
  }
  [[nodiscard]] WindowFigures figures(std::uint64_t message_bytes, double ticks_per_second) const noexcept;

 private:
  void close_windows(std::uint64_t ticks, std::uint64_t messages) noexcept;

  std::uint64_t window_ticks_ = 0;
  std::uint64_t next_boundary_ = 0;
  std::uint64_t prev_ticks_ = 0, prev_messages_ = 0;
  double at_last_boundary_ = 0;  // interpolated cumulative messages at the last closed boundary
  std::uint64_t full_ = 0;
  double mean_ = 0, m2_ = 0;  // Welford, in messages per window
  double min_ = 0;
  std::uint64_t min_index_ = 0;
};

// The same figures from a recorded timeline (samples in time order): what the engine computes
// while it runs, as a pure function for tests and offline timelines.
[[nodiscard]] WindowFigures window_figures(std::span<const CompletionSample> timeline, std::uint64_t start_ticks,
                                           std::uint64_t start_messages, std::uint64_t window_ticks,
                                           std::uint64_t message_bytes, double ticks_per_second) noexcept;

}  // namespace fabricperf::verbs
