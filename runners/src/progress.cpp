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

double remaining_estimate_s(const EtaInputs& in) {
  const double prior = std::max(1.0, kEtaPriorShare * in.planned_total_s);
  const double ratio = std::clamp((in.actual_done_s + prior) / (in.planned_done_s + prior), 0.05, 20.0);
  double stage_total = in.stage_planned_s * ratio;
  if (in.rounds > 0 && in.rounds_done > 0) {
    const double done = std::min(1.0, static_cast<double>(in.rounds_done) / static_cast<double>(in.rounds));
    stage_total = (1 - done) * stage_total + done * (in.stage_elapsed_s / done);
  }
  const double stage_left = std::max(0.0, stage_total - in.stage_elapsed_s);
  const double later = std::max(0.0, in.planned_total_s - in.planned_done_s - in.stage_planned_s) * ratio;
  return stage_left + later;
}

double EtaDisplay::show(double now_s, double estimate_s) {
  if (shown_) {
    const double projected = std::max(0.0, last_s_ - (now_s - at_s_));
    if (estimate_s > projected) estimate_s = projected + (estimate_s - projected) / 2;
  }
  shown_ = true;
  last_s_ = estimate_s;
  at_s_ = now_s;
  return estimate_s;
}

double Progress::eta_s() {
  const auto now = Clock::now();
  EtaInputs in;
  in.planned_total_s = total_estimate_s_;
  in.planned_done_s = done_estimate_s_;
  in.actual_done_s = done_actual_s_;
  in.stage_planned_s = stage_estimate_s_;
  in.stage_elapsed_s = std::chrono::duration<double>(now - stage_start_).count();
  in.rounds = rounds_;
  in.rounds_done = round_;
  return display_.show(std::chrono::duration<double>(now - run_start_).count(), remaining_estimate_s(in));
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
