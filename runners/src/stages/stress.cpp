// Stage stress: the fabric under load. Bisection (half the nodes send to the other half, all
// rails at once) and seeded random permutations (every node sends to one and receives from
// another at once), each judged as a whole against the sum of its links' line rates.
#include "fabricperf/runners/judge.hpp"
#include "fabricperf/runners/stage.hpp"

#ifdef FABRICPERF_RUNNERS_HAVE_VERBS
#include "pair_stage.hpp"
#endif

namespace fabricperf::runners {
namespace {

#ifdef FABRICPERF_RUNNERS_HAVE_VERBS
// Per pattern (round) and size: every flow of every rail together.
void add_pattern_aggregates(std::vector<nlohmann::json>& rows) {
  add_aggregates(
      rows,
      [](const nlohmann::json& r) {
        return r.value("pattern", "") + '\n' + std::to_string(r.value("size_bytes", std::uint64_t{0}));
      },
      1, [](nlohmann::json& agg, const Members& flows) { agg["flows"] = flows.size(); });
}
#endif

class StressStage final : public Stage {
 public:
  std::string_view name() const noexcept override { return "stress"; }
  void run(StageContext& ctx) override {
    const auto* schedule = ctx.schedule.find("stress");
    if (!schedule || !schedule->skip_reason.empty()) {
      add_skip(ctx, "stress", schedule ? schedule->skip_reason : "not planned");
      return;
    }
#ifdef FABRICPERF_RUNNERS_HAVE_VERBS
    auto rails = open_rails(ctx);
    PairStagePlan plan;
    plan.stage = "stress";
    plan.schedule = schedule;
    plan.spec.kind = Measure::bandwidth;
    plan.spec.op = ctx.plan.stress.op;
    plan.spec.sizes = {ctx.plan.stress.size};
    plan.spec.iterations = ctx.plan.stress.iterations;
    plan.spec.duration_s = ctx.plan.stress.duration_s;
    plan.spec.timeout_s = ctx.plan.timeout_s;
    plan.tasks = [&](std::size_t, const Round& flows) { return rail_tasks(ctx, *rails, flows); };
    plan.on_root = add_pattern_aggregates;
    const auto rows = run_pair_stage(ctx, plan);
    if (ctx.comm.root())
      for (const auto& c : judge_stress(rows, ctx.plan)) ctx.doc.add_check(c);
#else
    add_skip(ctx, "stress", "fp_suite was built without the verbs engines (fpverbs)");
#endif
  }
};

}  // namespace

std::unique_ptr<Stage> make_stress_stage() {
  return std::make_unique<StressStage>();
}

}  // namespace fabricperf::runners
