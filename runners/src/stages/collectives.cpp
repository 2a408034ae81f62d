// Stage collectives: nccl-tests style collectives across every rank of the job with fp_coll's
// harness — NCCL on the GPUs when there are GPUs, the MPI host-memory backend otherwise —
// judged against busbw floors; the harness's own checks (data, stragglers) come along.
#include <algorithm>
#include <optional>

#include "fabricperf/error.hpp"
#include "fabricperf/runners/judge.hpp"
#include "fabricperf/runners/stage.hpp"
#include "fabricperf/sizes.hpp"

#ifdef FABRICPERF_RUNNERS_HAVE_COLLECTIVES
#include "fabricperf/collectives/bootstrap_probe.hpp"
#include "fabricperf/collectives/collective.hpp"
#include "fabricperf/collectives/harness.hpp"
#include "fabricperf/collectives/types.hpp"
#ifdef FABRICPERF_RUNNERS_HAVE_COLL_MPI
#include "fabricperf/collectives/mpi_backend.hpp"
#endif
#ifdef FABRICPERF_RUNNERS_HAVE_COLL_NCCL
#include "fabricperf/collectives/nccl_backend.hpp"
#endif
#endif

namespace fabricperf::runners {
namespace {

#ifdef FABRICPERF_RUNNERS_HAVE_COLLECTIVES
namespace coll = fabricperf::collectives;

// "nccl", "mpi", or "" with `why` when neither can run here.
std::string choose_backend(const StageContext& ctx, std::string& why) {
  const std::string want = ctx.plan.collectives.backend;
  bool nccl_ok = false, mpi_ok = false;
#ifdef FABRICPERF_RUNNERS_HAVE_COLL_NCCL
  nccl_ok = ctx.discovery.gpus_per_node > 0 && coll::visible_cuda_devices() > 0;
#endif
#ifdef FABRICPERF_RUNNERS_HAVE_COLL_MPI
  mpi_ok = ctx.comm.bootstrap().kind() == "mpi";
#endif
  if (want == "nccl" || (want == "auto" && nccl_ok)) {
    if (nccl_ok) return "nccl";
    why = "the NCCL backend needs GPUs and fp_suite built with NCCL";
    return "";
  }
  if (mpi_ok) return "mpi";
  why = "the MPI backend needs the job launched by mpirun/srun (and fp_suite built with MPI)";
  return "";
}
#endif

class CollectivesStage final : public Stage {
 public:
  std::string_view name() const noexcept override { return "collectives"; }
  void run(StageContext& ctx) override {
    const auto* schedule = ctx.schedule.find("collectives");
    if (!schedule || !schedule->skip_reason.empty()) {
      add_skip(ctx, "collectives", schedule ? schedule->skip_reason : "not planned");
      return;
    }
#ifdef FABRICPERF_RUNNERS_HAVE_COLLECTIVES
    std::string why;
    const std::string backend_name = choose_backend(ctx, why);
    if (backend_name.empty()) {
      add_skip(ctx, "collectives", why);
      return;
    }
    ctx.doc.set_context("collectives (" + backend_name + ")");
    if (ctx.comm.root()) ctx.progress.round(0, backend_name + " across " + std::to_string(ctx.comm.size()) + " ranks");
    auto& bootstrap = ctx.comm.bootstrap();
    const auto timeout = std::chrono::milliseconds(static_cast<long long>(ctx.plan.timeout_s * 1000));
    std::unique_ptr<coll::LivenessProbe> probe;
#ifdef FABRICPERF_RUNNERS_HAVE_COLL_MPI
    if (backend_name == "mpi" || bootstrap.kind() == "mpi") probe = coll::make_mpi_probe();
#endif
    if (!probe) probe = coll::make_bootstrap_probe(bootstrap);
    coll::Watchdog watchdog(timeout, nullptr, probe.get());

    coll::BenchConfig cfg;
    cfg.colls.clear();
    for (const auto& op : ctx.plan.collectives.ops) cfg.colls.push_back(coll::parse_collective(op));
    cfg.types = {coll::parse_data_type(ctx.plan.collectives.dtype)};
    SizeSweep sweep;
    sweep.min_bytes = ctx.plan.collectives.min_bytes;
    sweep.max_bytes = ctx.plan.collectives.max_bytes;
    sweep.factor = ctx.plan.collectives.factor;
    cfg.sizes = sweep.sizes();
    cfg.iters = static_cast<int>(ctx.plan.collectives.iterations);
    cfg.warmup_iters = static_cast<int>(ctx.plan.collectives.warmup);

    std::vector<std::string> errors;
    std::optional<coll::HarnessOutput> measured;
    try {
      std::unique_ptr<coll::Backend> backend;
#ifdef FABRICPERF_RUNNERS_HAVE_COLL_NCCL
      if (backend_name == "nccl") {
        coll::NcclBackendConfig nc;
        const auto& layout = ctx.discovery.layout;
        const auto me = static_cast<std::size_t>(ctx.comm.rank());
        nc.local_rank = layout.local_rank[me];
        nc.gpus_per_process = ctx.discovery.per_node ? ctx.discovery.gpus_per_node : 1;
        for (const auto& g : ctx.discovery.gpus_of_node[static_cast<std::size_t>(layout.node_of_rank[me])])
          if (!g.nic.empty()) nc.nic_map.by_device[g.gpu] = g.nic + ":" + std::to_string(g.nic_port);
        backend = coll::make_nccl_backend(nc, bootstrap, watchdog);
      }
#endif
#ifdef FABRICPERF_RUNNERS_HAVE_COLL_MPI
      if (backend_name == "mpi") backend = coll::make_mpi_backend();
#endif
      if (!backend) throw Error("no " + backend_name + " backend in this build");
      coll::Harness harness(cfg, bootstrap, *backend, watchdog, ctx.doc.human());
      try {
        measured = harness.run();
      } catch (...) {
        measured = harness.output();  // what was measured before the failure
        throw;
      }
    } catch (const std::exception& e) {
      errors.push_back("collectives (" + backend_name + "): " + ctx.comm.describe(ctx.comm.rank()) + ": " + e.what());
    }
    // Every rank's harness measured the same rows (times are gathered); rank 0's are the stage's.
    std::vector<nlohmann::json> rows;
    if (ctx.comm.root() && measured) {
      for (auto& row : measured->rows) {
        row["stage"] = "collectives";
        rows.push_back(row);
      }
      for (auto check : measured->checks) {
        check.name = "collectives_" + check.name;
        check.labels["stage"] = "collectives";
        ctx.doc.add_check(check);
      }
    }
    ctx.comm.begin_step(500000);
    // Errors of every rank reach the document; the rows are rank 0's already.
    finish_round(ctx, "collectives", rows, errors, round_wait(ctx.plan, schedule->estimated_s));
    if (ctx.comm.root()) {
      const double node_line = ctx.discovery.min_line_rate_gbps * std::max(ctx.discovery.rails, 1);
      for (const auto& c : judge_collectives(nlohmann::json(rows), ctx.plan.expect, node_line)) ctx.doc.add_check(c);
    }
#else
    add_skip(ctx, "collectives", "fp_suite was built without the collectives library (fpcollectives)");
#endif
  }
};

}  // namespace

std::unique_ptr<Stage> make_collectives_stage() {
  return std::make_unique<CollectivesStage>();
}

}  // namespace fabricperf::runners
