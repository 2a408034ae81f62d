#pragma once
// Progress on stderr (rank 0): stage, round, pairs, elapsed and ETA. On a terminal one line is
// rewritten in place; otherwise one line per round (so CI logs stay readable).
#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>

namespace fabricperf::runners {

// What the remaining-time estimate knows at one moment of a run.
struct EtaInputs {
  double planned_total_s = 0;  // the dry-run estimate of the whole plan
  double planned_done_s = 0;   // the estimates of the finished stages
  double actual_done_s = 0;    // their measured durations
  double stage_planned_s = 0;  // the current stage's estimate (0 between stages)
  double stage_elapsed_s = 0;  // time spent in it so far
  std::size_t rounds = 0;      // the current stage's rounds (0: not counted in rounds)
  std::size_t rounds_done = 0;
};

// Seconds left. The plan's estimates are scaled by measured/planned of the finished stages,
// with the plan itself counted as a prior worth kEtaPriorShare of its total (so one tiny first
// stage does not scale the rest to nothing, and the ratio settles as stages finish); inside a
// stage, the scaled estimate gives way to the stage's own pace as its rounds complete.
inline constexpr double kEtaPriorShare = 0.1;
[[nodiscard]] double remaining_estimate_s(const EtaInputs& in);

// The ETA as shown: it falls as fast as the estimate does, but rises only half-way to a higher
// estimate per update, so a slow round does not make it jump up and back down.
class EtaDisplay {
 public:
  [[nodiscard]] double show(double now_s, double estimate_s);

 private:
  bool shown_ = false;
  double last_s_ = 0, at_s_ = 0;
};

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

  // Seconds left (remaining_estimate_s), as shown (EtaDisplay).
  [[nodiscard]] double eta_s();

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
  EtaDisplay display_;
  bool open_line_ = false;
};

}  // namespace fabricperf::runners
