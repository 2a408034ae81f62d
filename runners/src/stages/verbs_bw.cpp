// Stage verbs_bw: bandwidth between every pair of nodes on every rail (NIC i <-> NIC i), rounds
// of disjoint pairs at once, all rails of a pair at once (their sum is the node aggregate); or,
// in go-live's adaptive mode, a few full-rate permutation rounds and retests until each fault is
// attributed (runners/README.md, "Adaptive go-live").
#include "fabricperf/runners/judge.hpp"
#include "fabricperf/runners/stage.hpp"

#ifdef FABRICPERF_RUNNERS_HAVE_VERBS
#include "pair_stage.hpp"
#include "verbs_probes.hpp"
#endif

namespace fabricperf::runners {
namespace {

#ifdef FABRICPERF_RUNNERS_HAVE_VERBS
// Go-live's adaptive mode: the planned full-rate rounds, then retests of whatever fell below
// expectation until it is attributed (attribution.hpp); rank 0 decides each round, the others follow.
void run_adaptive(StageContext& ctx, RailSetup& rails, const StageSchedule& schedule, const MeasureSpec& spec) {
  // The plan's own estimate (software RDMA has its own cost model), per full round: a bound for the waits.
  const double per_round =
      schedule.rounds.empty() ? 0 : schedule.estimated_s / static_cast<double>(schedule.rounds.size());
  VerbsProbeBackend backend(ctx, rails, spec, per_round);
  if (!ctx.comm.root()) {
    backend.follow();
    return;
  }
  const auto report = run_adaptive_bandwidth(backend, NamedRounds{schedule.rounds, schedule.round_names},
                                             attribution_options(ctx.plan, fabric_shape(ctx.plan, ctx.schedule.shape)));
  backend.finish();
  for (const auto& c : judge_bandwidth("verbs_bw", backend.full_rows(), judge_options(ctx.plan, "verbs_bw")))
    ctx.doc.add_check(c);
  for (const auto& c : attribution_checks("verbs_bw", report, backend)) ctx.doc.add_check(c);
}
#endif

class VerbsBwStage final : public Stage {
 public:
  std::string_view name() const noexcept override { return "verbs_bw"; }
  void run(StageContext& ctx) override {
    const auto* schedule = ctx.schedule.find("verbs_bw");
    if (!schedule || !schedule->skip_reason.empty()) {
      add_skip(ctx, "verbs_bw", schedule ? schedule->skip_reason : "not planned");
      return;
    }
#ifdef FABRICPERF_RUNNERS_HAVE_VERBS
    auto rails = open_rails(ctx);
    PairStagePlan plan;
    plan.stage = "verbs_bw";
    plan.schedule = schedule;
    plan.spec.kind = Measure::bandwidth;
    plan.spec.op = ctx.plan.verbs.bw.op;
    plan.spec.sizes = ctx.plan.verbs.bw.sizes;
    plan.spec.iterations = ctx.plan.verbs.bw.iterations;
    plan.spec.duration_s = ctx.plan.verbs.bw.duration_s;
    plan.spec.bidirectional = ctx.plan.verbs.bw.bidirectional;
    plan.spec.qps = ctx.plan.verbs.bw.qps;
    plan.spec.window_ms = ctx.plan.verbs.bw.window_ms;
    plan.spec.timeout_s = ctx.plan.timeout_s;
    if (ctx.plan.verbs.mode == "adaptive") {
      run_adaptive(ctx, *rails, *schedule, plan.spec);
      return;
    }
    plan.tasks = [&](std::size_t, const Round& round) { return rail_tasks(ctx, *rails, round); };
    plan.on_root = add_rail_aggregates;
    const auto rows = run_pair_stage(ctx, plan);
    if (ctx.comm.root())
      for (const auto& c : judge_bandwidth("verbs_bw", rows, judge_options(ctx.plan, "verbs_bw"))) ctx.doc.add_check(c);
#else
    add_skip(ctx, "verbs_bw", "fp_suite was built without the verbs engines (fpverbs)");
#endif
  }
};

}  // namespace

std::unique_ptr<Stage> make_verbs_bw_stage() {
  return std::make_unique<VerbsBwStage>();
}

}  // namespace fabricperf::runners
