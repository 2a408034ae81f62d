#include "fabricperf/verbs/windows.hpp"

#include <algorithm>
#include <cmath>

namespace fabricperf::verbs {

void WindowRecorder::start(std::uint64_t start_ticks, std::uint64_t start_messages,
                           std::uint64_t window_ticks) noexcept {
  *this = WindowRecorder{};
  window_ticks_ = window_ticks;
  next_boundary_ = start_ticks + window_ticks;
  prev_ticks_ = start_ticks;
  prev_messages_ = start_messages;
  at_last_boundary_ = static_cast<double>(start_messages);
}

void WindowRecorder::close_windows(std::uint64_t ticks, std::uint64_t messages) noexcept {
  // Invariant: prev_ticks_ < next_boundary_ <= ticks, so the span below is never 0.
  const double span = static_cast<double>(ticks - prev_ticks_);
  const double credited = static_cast<double>(messages - prev_messages_);
  while (next_boundary_ <= ticks) {
    const double at =
        static_cast<double>(prev_messages_) + credited * static_cast<double>(next_boundary_ - prev_ticks_) / span;
    const double in_window = std::max(0.0, at - at_last_boundary_);
    at_last_boundary_ = at;
    ++full_;
    const double delta = in_window - mean_;
    mean_ += delta / static_cast<double>(full_);
    m2_ += delta * (in_window - mean_);
    if (full_ == 1 || in_window < min_) {
      min_ = in_window;
      min_index_ = full_ - 1;
    }
    next_boundary_ += window_ticks_;
  }
}

WindowFigures WindowRecorder::figures(std::uint64_t message_bytes, double ticks_per_second) const noexcept {
  WindowFigures f;
  if (window_ticks_ == 0 || ticks_per_second <= 0) return f;
  f.window_s = static_cast<double>(window_ticks_) / ticks_per_second;
  f.full_windows = full_;
  if (full_ < 2) return f;
  f.min_gbps = min_ * static_cast<double>(message_bytes) * 8.0 / f.window_s / 1e9;
  f.min_at_s = static_cast<double>(min_index_) * f.window_s;
  if (mean_ > 0) f.cv = std::sqrt(std::max(0.0, m2_) / static_cast<double>(full_)) / mean_;
  return f;
}

WindowFigures window_figures(std::span<const CompletionSample> timeline, std::uint64_t start_ticks,
                             std::uint64_t start_messages, std::uint64_t window_ticks, std::uint64_t message_bytes,
                             double ticks_per_second) noexcept {
  WindowRecorder recorder;
  recorder.start(start_ticks, start_messages, window_ticks);
  for (const auto& s : timeline) recorder.add(s.ticks, s.messages);
  return recorder.figures(message_bytes, ticks_per_second);
}

}  // namespace fabricperf::verbs
