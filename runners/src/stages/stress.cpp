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
  std::map<std::pair<std::string, std::uint64_t>, nlohmann::json> sums;
  for (const auto& r : rows) {
    if (r.value("aggregate", false) || !r.contains("bw_avg_gbps")) continue;
    auto& s = sums[{r.value("pattern", ""), r.value("size_bytes", std::uint64_t{0})}];
    if (s.is_null())
      s = {{"stage", "stress"},
           {"pattern", r.value("pattern", "")},
           {"size_bytes", r["size_bytes"]},
           {"op", r.value("op", "write")},
           {"aggregate", true},
           {"flows", 0},
           {"bw_avg_gbps", 0.0},
           {"line_rate_gbps", 0.0},
           {"round", r.value("round", 0)}};
    s["flows"] = s["flows"].get<int>() + 1;
    s["bw_avg_gbps"] = s["bw_avg_gbps"].get<double>() + r["bw_avg_gbps"].get<double>();
    if (r.contains("line_rate_gbps"))
      s["line_rate_gbps"] = s["line_rate_gbps"].get<double>() + r["line_rate_gbps"].get<double>();
    else
      s["line_unknown"] = true;
    if (r.value("soft_rdma", false)) s["soft_rdma"] = true;
  }
  for (auto& [key, s] : sums) {
    if (!s.value("line_unknown", false) && s["line_rate_gbps"].get<double>() > 0)
      s["line_rate_pct"] = 100.0 * s["bw_avg_gbps"].get<double>() / s["line_rate_gbps"].get<double>();
    else
      s.erase("line_rate_gbps");
    s.erase("line_unknown");
    rows.push_back(std::move(s));
  }
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
