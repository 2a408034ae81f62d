// Stage verbs_lat: latency between every pair of nodes on every rail, same rounds as verbs_bw.
#include "fabricperf/runners/judge.hpp"
#include "fabricperf/runners/stage.hpp"

#ifdef FABRICPERF_RUNNERS_HAVE_VERBS
#include "pair_stage.hpp"
#endif

namespace fabricperf::runners {
namespace {

class VerbsLatStage final : public Stage {
 public:
  std::string_view name() const noexcept override { return "verbs_lat"; }
  void run(StageContext& ctx) override {
    const auto* schedule = ctx.schedule.find("verbs_lat");
    if (!schedule || !schedule->skip_reason.empty()) {
      add_skip(ctx, "verbs_lat", schedule ? schedule->skip_reason : "not planned");
      return;
    }
#ifdef FABRICPERF_RUNNERS_HAVE_VERBS
    auto rails = open_rails(ctx);
    PairStagePlan plan;
    plan.stage = "verbs_lat";
    plan.schedule = schedule;
    plan.spec.kind = Measure::latency;
    plan.spec.op = ctx.plan.verbs.lat.op;
    plan.spec.sizes = ctx.plan.verbs.lat.sizes;
    plan.spec.iterations = ctx.plan.verbs.lat.iterations;
    plan.spec.timeout_s = ctx.plan.timeout_s;
    plan.tasks = [&](std::size_t, const Round& round) { return rail_tasks(ctx, *rails, round); };
    const auto rows = run_pair_stage(ctx, plan);
    if (ctx.comm.root())
      for (const auto& c : judge_latency("verbs_lat", rows, judge_options(ctx.plan, "verbs_lat"))) ctx.doc.add_check(c);
#else
    add_skip(ctx, "verbs_lat", "fp_suite was built without the verbs engines (fpverbs)");
#endif
  }
};

}  // namespace

std::unique_ptr<Stage> make_verbs_lat_stage() {
  return std::make_unique<VerbsLatStage>();
}

}  // namespace fabricperf::runners
