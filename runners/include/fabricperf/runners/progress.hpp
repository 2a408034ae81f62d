#pragma once
// Progress on stderr (rank 0): stage, round, pairs, elapsed and ETA. On a terminal one line is
// rewritten in place; otherwise one line per round (so CI logs stay readable).
#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>

namespace fabricperf::runners {

class Progress {
 public:
  // enabled: rank 0 and not --quiet. total_estimate_s: the dry-run estimate of the whole run.
  Progress(std::ostream& os, bool enabled, double total_estimate_s);

  void begin_stage(const std::string& stage, std::size_t index, std::size_t count, std::size_t rounds,
                   double estimate_s);
  // Round `round` (0-based) of the current stage is starting; `what` names its pairs briefly.
  void round(std::size_t round, const std::string& what);
  void note(const std::string& text);  // a line of its own
  void end_stage(const std::string& summary);

  // Seconds left: the current stage from its own pace, the rest from the estimates scaled by
  // how the finished stages compared with theirs.
  [[nodiscard]] double eta_s() const;

 private:
  void line(const std::string& text, bool final);
  using Clock = std::chrono::steady_clock;
  std::ostream& os_;
  bool enabled_;
  bool tty_;
  double total_estimate_s_;
  double done_estimate_s_ = 0;  // estimates of finished stages
  double done_actual_s_ = 0;    // their actual durations
  std::string stage_;
  std::size_t index_ = 0, count_ = 0, rounds_ = 0, round_ = 0;
  double stage_estimate_s_ = 0;
  Clock::time_point run_start_, stage_start_, round_start_;
  bool open_line_ = false;
};

}  // namespace fabricperf::runners
