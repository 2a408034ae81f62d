#include "fabricperf/runners/progress.hpp"

#include <unistd.h>

#include <algorithm>

#include "fabricperf/runners/suite_plan.hpp"

namespace fabricperf::runners {

Progress::Progress(std::ostream& os, bool enabled, double total_estimate_s)
    : os_(os),
      enabled_(enabled),
      tty_(::isatty(STDERR_FILENO) == 1),
      total_estimate_s_(total_estimate_s),
      run_start_(Clock::now()) {}

double Progress::eta_s() const {
  const double in_stage = std::chrono::duration<double>(Clock::now() - stage_start_).count();
  double stage_left = std::max(0.0, stage_estimate_s_ - in_stage);
  if (rounds_ > 0 && round_ > 0)
    stage_left = in_stage / static_cast<double>(round_) * static_cast<double>(rounds_ - round_);
  const double scale = done_estimate_s_ > 0 ? done_actual_s_ / done_estimate_s_ : 1.0;
  const double later = std::max(0.0, total_estimate_s_ - done_estimate_s_ - stage_estimate_s_) * scale;
  return stage_left + later;
}

void Progress::line(const std::string& text, bool final) {
  if (!enabled_) return;
  if (tty_) {
    os_ << "\r\033[K" << text;
    if (final) os_ << '\n';
    open_line_ = !final;
  } else {
    os_ << text << '\n';
  }
  os_.flush();
}

void Progress::begin_stage(const std::string& stage, std::size_t index, std::size_t count, std::size_t rounds,
                           double estimate_s) {
  stage_ = stage;
  index_ = index;
  count_ = count;
  rounds_ = rounds;
  round_ = 0;
  stage_estimate_s_ = estimate_s;
  stage_start_ = round_start_ = Clock::now();
  line("fp_suite: [" + std::to_string(index + 1) + "/" + std::to_string(count) + "] " + stage + ": starting" +
           (rounds ? " (" + std::to_string(rounds) + " round" + (rounds == 1 ? "" : "s") + ")" : "") + ", ETA " +
           format_duration(eta_s()),
       !tty_);
}

void Progress::round(std::size_t round, const std::string& what) {
  round_ = round;
  round_start_ = Clock::now();
  const double elapsed = std::chrono::duration<double>(Clock::now() - run_start_).count();
  const std::string where = rounds_ > 0 ? " round " + std::to_string(round + 1) + "/" + std::to_string(rounds_) : "";
  line("fp_suite: [" + std::to_string(index_ + 1) + "/" + std::to_string(count_) + "] " + stage_ + where + ": " + what +
           " | elapsed " + format_duration(elapsed) + ", ETA " + format_duration(eta_s()),
       false);
}

void Progress::note(const std::string& text) {
  line("fp_suite: " + text, true);
}

void Progress::end_stage(const std::string& summary) {
  const double took = std::chrono::duration<double>(Clock::now() - stage_start_).count();
  done_estimate_s_ += stage_estimate_s_;
  done_actual_s_ += took;
  stage_estimate_s_ = 0;
  rounds_ = 0;
  line("fp_suite: [" + std::to_string(index_ + 1) + "/" + std::to_string(count_) + "] " + stage_ + ": " + summary +
           " (" + format_duration(took) + ")",
       true);
}

}  // namespace fabricperf::runners
