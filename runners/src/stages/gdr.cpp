// Stage gdr: GPUDirect RDMA per GPU-NIC pair. GPU g of one node writes into GPU g of its peer
// node through the NICs fp_topo pairs them with, every GPU of a node at once, over the rounds
// that cover every node once; judged against the NIC's line rate and against the other GPUs.
#include "fabricperf/runners/judge.hpp"
#include "fabricperf/runners/stage.hpp"

#if defined(FABRICPERF_RUNNERS_HAVE_VERBS) && defined(FABRICPERF_RUNNERS_HAVE_GDR)
#include "fabricperf/gdr/gpu_memory.hpp"
#include "pair_stage.hpp"
#endif

namespace fabricperf::runners {
namespace {

class GdrStage final : public Stage {
 public:
  std::string_view name() const noexcept override { return "gdr"; }
  void run(StageContext& ctx) override {
    const auto* schedule = ctx.schedule.find("gdr");
    if (!schedule || !schedule->skip_reason.empty()) {
      add_skip(ctx, "gdr", schedule ? schedule->skip_reason : "not planned");
      return;
    }
#if defined(FABRICPERF_RUNNERS_HAVE_VERBS) && defined(FABRICPERF_RUNNERS_HAVE_GDR)
    const auto& layout = ctx.discovery.layout;
    const auto me = static_cast<std::size_t>(ctx.comm.rank());
    const int node = layout.node_of_rank[me];
    const int local = layout.local_rank[me];
    // This rank's GPUs: local rank i drives GPU i (one rank per GPU), or all of them (--per-node).
    std::vector<GpuNic> mine;
    const int per = std::max(layout.ranks_per_node, 1);
    for (const auto& g : ctx.discovery.gpus_of_node[static_cast<std::size_t>(node)])
      if (g.gpu < ctx.discovery.gpus_per_node && g.gpu % per == local) mine.push_back(g);

    struct GpuSetup {
      GpuNic gpu;
      std::unique_ptr<verbs::Device> device;
      std::unique_ptr<verbs::MemoryProvider> memory;
      std::string error;
    };
    std::vector<GpuSetup> setups;
    // A failed registration throws (and becomes that GPU's error in the round report).
    verbs::MemoryProviderRegistry registry;
    gdr::add_gpu_memory_providers(registry);
    for (const auto& g : mine) {
      GpuSetup s;
      s.gpu = g;
      try {
        if (g.nic.empty()) throw Error("fp_topo pairs GPU " + std::to_string(g.gpu) + " with no RDMA NIC");
        verbs::DeviceRequest req;
        req.name = g.nic;
        req.port = g.nic_port;
        if (ctx.plan.verbs.gid_index >= 0) req.gid_index = ctx.plan.verbs.gid_index;
        s.device = std::make_unique<verbs::Device>(verbs::open_device(req));
        s.memory = registry.create("cuda:" + std::to_string(g.gpu));
      } catch (const std::exception& e) {
        s.error = e.what();
      }
      setups.push_back(std::move(s));
    }

    PairStagePlan plan;
    plan.stage = "gdr";
    plan.schedule = schedule;
    plan.spec.kind = Measure::bandwidth;
    plan.spec.op = ctx.plan.gdr.op;
    plan.spec.sizes = ctx.plan.gdr.sizes;
    plan.spec.iterations = ctx.plan.gdr.iterations;
    plan.spec.timeout_s = ctx.plan.timeout_s;
    plan.tasks = [&](std::size_t, const Round& round) {
      std::vector<LinkTask> tasks;
      for (const auto& pr : roles_of(node, round)) {
        const int peer = layout.rank_on(pr.peer_node, local);
        for (auto& s : setups) {
          LinkTask t;
          t.slot = s.gpu.gpu;
          t.peer_rank = peer;
          t.role = pr.role;
          t.device = s.device.get();
          t.memory = s.memory.get();
          t.unavailable = s.error;
          t.labels = {{"gpu", s.gpu.gpu}, {"peer_gpu", s.gpu.gpu}, { "memory", "cuda" }};
          if (!s.gpu.pci.empty()) t.labels["gpu_pci"] = s.gpu.pci;
          tasks.push_back(std::move(t));
        }
      }
      return tasks;
    };
    const auto rows = run_pair_stage(ctx, plan);
    if (ctx.comm.root())
      for (const auto& c : judge_bandwidth("gdr", rows, judge_options(ctx.plan, "gdr"))) ctx.doc.add_check(c);
#else
    add_skip(ctx, "gdr", "fp_suite was built without GPUDirect support (needs fpverbs, and fpgdr with CUDA)");
#endif
  }
};

}  // namespace

std::unique_ptr<Stage> make_gdr_stage() {
  return std::make_unique<GdrStage>();
}

}  // namespace fabricperf::runners
