// Stage reach: the reachability mesh. Every rail of every node connects an RC QP to the same
// rail of every other node (the circle-method rounds of verbs_bw, all rails at once) and
// exchanges one data-checked write each way with fp_lat's engine (one ping-pong: one latency
// sample); each end writes a row with its port's state, GID, MTU and rate as verbs' device
// selection read them. Unreachable peers are findings (rows and checks), not run errors.
#include "fabricperf/runners/reach.hpp"

#include "fabricperf/runners/stage.hpp"

#ifdef FABRICPERF_RUNNERS_HAVE_VERBS
#include "fabricperf/host_info.hpp"
#include "fabricperf/verbs/gid.hpp"
#include "fabricperf/verbs/rate.hpp"
#include "pair_stage.hpp"
#endif

namespace fabricperf::runners {
namespace {

#ifdef FABRICPERF_RUNNERS_HAVE_VERBS

constexpr unsigned long kRailTableStep = 600000;  // Comm step of the rail table (rounds use 5xxxxx)

// Rank 0 decides the rails from the fingerprints; every rank gets the same table.
ReachRails agree_rails(StageContext& ctx) {
  std::string table;
  if (ctx.comm.root())
    table = to_json(reach_rails(ctx.discovery.fingerprints, ctx.plan.verbs.devices, ctx.plan.verbs.rails)).dump();
  ctx.comm.begin_step(kRailTableStep);
  const auto text = ctx.comm.broadcast(table, round_wait(ctx.plan, 0), "reach: waiting for the rail table");
  return reach_rails_from_json(nlohmann::json::parse(text));
}

// This node's rails with their ports' state as of now (sysfs; the table has start-up's).
std::vector<RailPort> live_ports(std::vector<RailPort> ports) {
  const auto devices = list_rdma_devices();
  for (auto& p : ports)
    for (const auto& dev : devices)
      if (dev.value("name", "") == p.device)
        for (const auto& port : dev.value("ports", nlohmann::json::array()))
          if (port.value("port", 0) == p.port) p.state = port.value("state", p.state);
  return ports;
}

ReachPortFacts facts_of(const verbs::PortSelection& s) {
  ReachPortFacts f;
  f.link_layer = s.ethernet ? "Ethernet" : "InfiniBand";
  f.gid = verbs::format_gid(s.gid.gid);
  f.gid_index = static_cast<int>(s.gid.index);
  f.gid_type = verbs::to_string(s.gid.type);
  f.active_mtu_bytes = verbs::mtu_to_bytes(s.active_mtu);
  f.line_rate_gbps = s.line_rate_gbps;
  f.rate = s.rate_name;
  f.lane_speed_gbps = s.lane_speed_gbps;
  f.width_lanes = static_cast<int>(s.width_lanes);
  return f;
}

ReachStep step_of(TaskPhase phase) {
  switch (phase) {
    case TaskPhase::ok:
      return ReachStep::ok;
    case TaskPhase::setup:
      return ReachStep::setup;
    case TaskPhase::peer:
      return ReachStep::peer;
    case TaskPhase::connect:
      return ReachStep::connect;
    case TaskPhase::measure:
      return ReachStep::exchange;
  }
  return ReachStep::ok;
}

// One row per task of this rank's round.
std::vector<nlohmann::json> reach_rows(const StageContext& ctx, const ReachRails& rails,
                                       const std::vector<RailPort>& my_ports, const std::vector<TaskReport>& tasks) {
  const auto& comm = ctx.comm;
  std::vector<nlohmann::json> rows;
  for (const auto& t : tasks) {
    const int rail = t.task->slot;
    const int peer = t.task->peer_rank;
    const auto peer_node = static_cast<std::size_t>(ctx.discovery.layout.node_of_rank[static_cast<std::size_t>(peer)]);
    ReachEnd e;
    e.host = comm.hostnames()[static_cast<std::size_t>(comm.rank())];
    e.rank = comm.rank();
    e.rail = rail;
    e.port = my_ports[static_cast<std::size_t>(rail)];
    if (t.port) e.facts = facts_of(*t.port);
    e.peer_host = comm.hostnames()[static_cast<std::size_t>(peer)];
    e.peer_rank = peer;
    e.peer_device =
        t.peer_device.empty() ? rails.ports_of_node[peer_node][static_cast<std::size_t>(rail)].device : t.peer_device;
    e.failure = classify_reach_failure(step_of(t.failed_in), t.error, e.port.state);
    if (t.failed_in == TaskPhase::ok) {
      const auto& v = t.latency.validation;
      if (v.enabled && v.messages_checked > 0) {
        e.data_ok = v.passed();
        if (!v.passed()) e.data_detail = v.describe();
      }
      if (t.latency.measured && !t.latency.samples_us.empty()) e.latency_us = t.latency.samples_us.front();
    }
    rows.push_back(reach_row(e));
  }
  return rows;
}

void measure_mesh(StageContext& ctx, const StageSchedule& schedule) {
  const ReachRails rails = agree_rails(ctx);
  if (ctx.comm.root() && !rails.unused.empty()) {
    std::string list;
    for (const auto& u : rails.unused) list += (list.empty() ? "" : ", ") + u;
    Check c;
    c.name = "reach_unused_ports";
    c.status = CheckStatus::skip;
    c.detail = "left out, ACTIVE on no node: " + list;
    c.labels = {{"stage", "reach"}};
    ctx.doc.add_check(c);
  }
  if (rails.rails == 0) {
    add_skip(ctx, "reach", "no RDMA port is ACTIVE on any node");
    return;
  }
  const auto node =
      static_cast<std::size_t>(ctx.discovery.layout.node_of_rank[static_cast<std::size_t>(ctx.comm.rank())]);
  const auto my_ports = live_ports(rails.ports_of_node.at(node));
  auto setup = open_rails(ctx, my_ports, rails.rails);

  PairStagePlan plan;
  plan.stage = "reach";
  plan.schedule = &schedule;
  plan.spec.kind = Measure::latency;
  plan.spec.op = "write";
  plan.spec.sizes = {kReachMessageBytes};
  plan.spec.iterations = 1;
  plan.spec.validate = true;
  plan.spec.timeout_s = ctx.plan.timeout_s;
  plan.spec.engine_timeout_s = ctx.plan.reach.connect_timeout_s;
  plan.tasks = [&](std::size_t, const Round& round) { return rail_tasks(ctx, *setup, round, rails.rails); };
  plan.on_outcome = [&](RoundOutcome& outcome) {
    outcome.rows = reach_rows(ctx, rails, my_ports, outcome.tasks);
    outcome.errors.clear();  // an unreachable peer is a row (and a check), not a failed run
  };
  const auto rows = run_pair_stage(ctx, plan);
  if (ctx.comm.root())
    for (const auto& c : judge_reach(rows)) ctx.doc.add_check(c);
}

#endif

// The mesh when it is planned and fpverbs is built; otherwise a skip check saying why.
void run_mesh(StageContext& ctx) {
  const auto* schedule = ctx.schedule.find("reach");
  if (!schedule || !schedule->skip_reason.empty()) {
    add_skip(ctx, "reach", schedule ? schedule->skip_reason : "not planned");
    return;
  }
#ifdef FABRICPERF_RUNNERS_HAVE_VERBS
  measure_mesh(ctx, *schedule);
#else
  add_skip(ctx, "reach", "fp_suite was built without the verbs engines (fpverbs)");
#endif
}

class ReachStage final : public Stage {
 public:
  std::string_view name() const noexcept override { return "reach"; }
  void run(StageContext& ctx) override { run_mesh(ctx); }
};

}  // namespace

std::unique_ptr<Stage> make_reach_stage() {
  return std::make_unique<ReachStage>();
}

}  // namespace fabricperf::runners
