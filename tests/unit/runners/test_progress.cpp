// fp_suite's remaining-time estimate: refined from the stages measured so far, without the jumps
// of the old "stage pace + plan x (done actual / done planned)" (issue 17: plan 50.2 s, then
// 4.5 -> 23.6 -> 14.2 -> 35.5 -> 8.2 s for a run of 16.7 s).
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "fabricperf/runners/progress.hpp"

namespace fr = fabricperf::runners;

namespace {

struct StageRun {
  double planned, actual;
};

// The estimate at the start of every stage (nothing of it measured yet).
std::vector<double> etas_at_stage_starts(const std::vector<StageRun>& stages) {
  fr::EtaInputs in;
  for (const auto& s : stages) in.planned_total_s += s.planned;
  std::vector<double> out;
  for (const auto& s : stages) {
    in.stage_planned_s = s.planned;
    in.stage_elapsed_s = 0;
    out.push_back(fr::remaining_estimate_s(in));
    in.planned_done_s += s.planned;
    in.actual_done_s += s.actual;
  }
  return out;
}

// Remaining actual time at the start of every stage.
std::vector<double> truth_at_stage_starts(const std::vector<StageRun>& stages) {
  std::vector<double> out;
  double left = 0;
  for (const auto& s : stages) left += s.actual;
  for (const auto& s : stages) {
    out.push_back(left);
    left -= s.actual;
  }
  return out;
}

// The demo's shape: planned 50.2 s, ran 16.7 s; a tiny preflight, a skipped gdr, collectives
// slower than the stages before them suggested.
const std::vector<StageRun> kDemo = {{1.0, 0.5}, {12.0, 4.4}, {8.0, 1.0}, {6.0, 0.1}, {15.0, 8.0}, {8.2, 2.7}};

}  // namespace

TEST(Eta, StartsAtThePlan) {
  const auto etas = etas_at_stage_starts(kDemo);
  EXPECT_NEAR(etas.front(), 50.2, 1e-9);
}

TEST(Eta, DemoSequenceFallsStageByStage) {
  const auto etas = etas_at_stage_starts(kDemo);
  for (std::size_t i = 1; i < etas.size(); ++i)
    EXPECT_LE(etas[i], etas[i - 1]) << "stage " << i << ": the ETA rose from " << etas[i - 1] << " s to " << etas[i]
                                    << " s";
  // The last stage: its estimate scaled by what the run has shown, not the raw plan.
  const auto truth = truth_at_stage_starts(kDemo);
  EXPECT_LT(etas.back(), kDemo.back().planned);
  EXPECT_NEAR(etas.back(), truth.back(), 1.5);
}

TEST(Eta, ConvergesOnAUniformlySlowerRun) {
  std::vector<StageRun> slow;
  for (const double p : {2.0, 10.0, 8.0, 10.0, 12.0, 8.0}) slow.push_back({p, 2 * p});
  const auto etas = etas_at_stage_starts(slow);
  const auto truth = truth_at_stage_starts(slow);
  for (std::size_t i = 1; i < etas.size(); ++i) {
    double planned_left = 0;
    for (std::size_t j = i; j < slow.size(); ++j) planned_left += slow[j].planned;
    EXPECT_GT(etas[i], planned_left) << "stage " << i << ": slower than planned, yet the ETA is below the plan";
    EXPECT_LT(etas[i], truth[i]);  // the prior (the plan) pulls towards 1x ...
  }
  EXPECT_NEAR(etas.back(), truth.back(), 0.25 * truth.back());  // ... less and less
}

TEST(Eta, InsideAStageThePaceTakesOverAsRoundsComplete) {
  fr::EtaInputs in;
  in.planned_total_s = 30;
  in.stage_planned_s = 30;
  in.rounds = 3;
  // Round 1 took 3 s where 10 s were planned: the stage will not take 30 s.
  in.stage_elapsed_s = 3;
  in.rounds_done = 1;
  const double after_one = fr::remaining_estimate_s(in);
  EXPECT_LT(after_one, 27);
  EXPECT_GT(after_one, 6);  // not all pace yet: one round of three
  in.stage_elapsed_s = 6;
  in.rounds_done = 2;
  const double after_two = fr::remaining_estimate_s(in);
  EXPECT_LT(after_two, after_one);
  EXPECT_NEAR(after_two, (1.0 / 3) * 30 + (2.0 / 3) * 9 - 6, 1e-9);
}

TEST(Eta, DisplayFallsFreelyAndRisesHalfWay) {
  fr::EtaDisplay d;
  EXPECT_DOUBLE_EQ(d.show(0, 50), 50);
  EXPECT_DOUBLE_EQ(d.show(10, 20), 20);  // fell: shown at once
  // Projected 20 - 5 = 15 at t=15; a new estimate of 35 shows half-way up.
  EXPECT_DOUBLE_EQ(d.show(15, 35), 25);
  EXPECT_DOUBLE_EQ(d.show(16, 10), 10);
}

TEST(Eta, StageTimingsWithOverrunNeverJumpUpAtDisplay) {
  // Sample the display every second through the demo run: the shown ETA may rise (a stage
  // overran), but never by more than half of the rise of the estimate, and it never rises
  // above the previous shown value by more than 30 % of the plan.
  fr::EtaDisplay d;
  fr::EtaInputs in;
  for (const auto& s : kDemo) in.planned_total_s += s.planned;
  double now = 0, last = -1;
  for (const auto& s : kDemo) {
    in.stage_planned_s = s.planned;
    for (double t = 0; t < s.actual; t += 0.25) {
      in.stage_elapsed_s = t;
      const double shown = d.show(now + t, fr::remaining_estimate_s(in));
      if (last >= 0) {
        EXPECT_LE(shown - last, 0.3 * in.planned_total_s) << "at " << now + t << " s";
      }
      last = shown;
    }
    now += s.actual;
    in.planned_done_s += s.planned;
    in.actual_done_s += s.actual;
  }
}
