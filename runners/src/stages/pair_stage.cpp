#include "pair_stage.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "fabricperf/error.hpp"
#include "fabricperf/log.hpp"
#include "fabricperf/verbs/rows.hpp"

namespace fabricperf::runners {

std::vector<PairRole> roles_of(int node, const Round& round) {
  std::vector<PairRole> out;
  for (const auto& p : round.pairs) {
    if (p.a == node) out.push_back({p.b, verbs::Role::target});
    if (p.b == node) out.push_back({p.a, verbs::Role::initiator});
  }
  return out;
}

std::string describe_round(const Round& round, const ClusterLayout& layout, std::size_t named) {
  std::string text;
  for (std::size_t i = 0; i < round.pairs.size() && i < named; ++i) {
    const auto& p = round.pairs[i];
    text += (i ? ", " : "") + layout.nodes[static_cast<std::size_t>(p.b)] + "->" +
            layout.nodes[static_cast<std::size_t>(p.a)];
  }
  if (round.pairs.size() > named) text += ", ...";
  text += " (" + std::to_string(round.pairs.size()) + " pair" + (round.pairs.size() == 1 ? "" : "s") + ")";
  return text;
}

void add_aggregates(std::vector<nlohmann::json>& rows, const std::function<std::string(const nlohmann::json&)>& key,
                    std::size_t min_members, const std::function<void(nlohmann::json&, const Members&)>& label) {
  std::map<std::string, Members> groups;
  for (const auto& r : rows)
    if (!r.value("aggregate", false) && r.contains("bw_avg_gbps")) groups[key(r)].push_back(&r);
  std::vector<nlohmann::json> sums;
  for (const auto& [k, members] : groups) {
    if (members.size() < min_members) continue;
    std::vector<verbs::BwRow> typed;
    bool soft = false;
    for (const auto* m : members) {
      typed.push_back(verbs::BwRow::from_json(*m));
      soft = soft || m->value("soft_rdma", false);
    }
    auto agg = verbs::aggregate_row(typed);
    const auto& first = *members.front();
    agg["stage"] = first.value("stage", "");
    if (first.contains("round")) agg["round"] = first["round"];
    if (first.contains("pattern")) agg["pattern"] = first["pattern"];
    if (soft) agg["soft_rdma"] = true;
    label(agg, members);
    sums.push_back(std::move(agg));
  }
  for (auto& a : sums) rows.push_back(std::move(a));
}

void add_rail_aggregates(std::vector<nlohmann::json>& rows) {
  add_aggregates(
      rows,
      [](const nlohmann::json& r) {
        return r.value("host", "") + '\n' + r.value("peer_host", "") + '\n' +
               std::to_string(r.value("size_bytes", std::uint64_t{0})) + '\n' + std::to_string(r.value("round", -1LL));
      },
      2,  // one rail: the link row says it all
      [](nlohmann::json& agg, const Members& rails) {
        agg["host"] = rails.front()->value("host", "");
        agg["peer_host"] = rails.front()->value("peer_host", "");
        agg["rails"] = rails.size();
      });
}

std::unique_ptr<RailSetup> open_rails(StageContext& ctx, const std::vector<RailPort>& ports, int rails) {
  auto setup = std::make_unique<RailSetup>();
  const auto& layout = ctx.discovery.layout;
  const auto me = static_cast<std::size_t>(ctx.comm.rank());
  try {
    setup->devices.open(ports, layout.rails_of(layout.local_rank[me], rails), ctx.plan.verbs.gid_index);
  } catch (const std::exception& e) {
    setup->open_error = std::string("opening the rails: ") + e.what();
  }
  setup->memory = verbs::make_host_memory_provider();
  return setup;
}

std::unique_ptr<RailSetup> open_rails(StageContext& ctx) {
  const auto node = ctx.discovery.layout.node_of_rank[static_cast<std::size_t>(ctx.comm.rank())];
  return open_rails(ctx, ctx.discovery.rails_of_node[static_cast<std::size_t>(node)], ctx.discovery.rails);
}

namespace {

LinkTask rail_task(RailSetup& rails, int peer_rank, verbs::Role role, int rail) {
  LinkTask t;
  t.slot = rail;
  t.peer_rank = peer_rank;
  t.role = role;
  t.device = rails.devices.find(rail);
  t.memory = rails.memory.get();
  t.unavailable = rails.open_error.empty() ? rails.devices.error(rail) : rails.open_error;
  const auto* port = rails.devices.port(rail);
  t.soft = port && port->soft;
  t.labels = {{"rail", rail}};
  return t;
}

}  // namespace

std::vector<LinkTask> rail_tasks(StageContext& ctx, RailSetup& rails, const Round& round, int rail_count) {
  const auto& layout = ctx.discovery.layout;
  const auto me = static_cast<std::size_t>(ctx.comm.rank());
  const int node = layout.node_of_rank[me];
  const int local = layout.local_rank[me];
  std::vector<LinkTask> tasks;
  for (const auto& pr : roles_of(node, round)) {
    const int peer = layout.rank_on(pr.peer_node, local);
    for (int rail : layout.rails_of(local, rail_count < 0 ? ctx.discovery.rails : rail_count))
      tasks.push_back(rail_task(rails, peer, pr.role, rail));
  }
  return tasks;
}

std::vector<LinkTask> probe_tasks(StageContext& ctx, RailSetup& rails, const Round& flows,
                                  const std::vector<int>& rail_of_flow) {
  const auto& layout = ctx.discovery.layout;
  const auto me = static_cast<std::size_t>(ctx.comm.rank());
  const int node = layout.node_of_rank[me];
  const int local = layout.local_rank[me];
  const auto mine = layout.rails_of(local, ctx.discovery.rails);
  std::vector<LinkTask> tasks;
  for (std::size_t i = 0; i < flows.pairs.size() && i < rail_of_flow.size(); ++i) {
    const int rail = rail_of_flow[i];
    if (std::find(mine.begin(), mine.end(), rail) == mine.end()) continue;
    const auto& f = flows.pairs[i];
    if (f.a == node) tasks.push_back(rail_task(rails, layout.rank_on(f.b, local), verbs::Role::target, rail));
    if (f.b == node) tasks.push_back(rail_task(rails, layout.rank_on(f.a, local), verbs::Role::initiator, rail));
  }
  return tasks;
}

nlohmann::json run_pair_stage(StageContext& ctx, PairStagePlan& plan) {
  const auto& schedule = *plan.schedule;
  const std::size_t rounds = schedule.rounds.size();
  const double per_round = rounds ? schedule.estimated_s / static_cast<double>(rounds) : 0;
  const auto wait = round_wait(ctx.plan, per_round);
  nlohmann::json measured = nlohmann::json::array();
  static const std::map<std::string, std::uint64_t> stage_ids = {
      {"verbs_bw", 1}, {"verbs_lat", 2}, {"gdr", 3}, {"stress", 4}, {"reach", 5}};
  for (std::size_t r = 0; r < rounds; ++r) {
    const auto& round = schedule.rounds[r];
    const std::string name =
        schedule.round_names.size() > r ? schedule.round_names[r] : "round " + std::to_string(r + 1);
    if (ctx.comm.root())
      ctx.progress.round(
          r, (schedule.round_names.size() > r ? name + ": " : "") + describe_round(round, ctx.discovery.layout));
    ctx.doc.set_context(plan.stage + " " + name + "/" + std::to_string(rounds));
    FP_LOG(info, "suite") << plan.stage << " " << name << "/" << rounds << ": "
                          << describe_round(round, ctx.discovery.layout, 16);
    ctx.comm.begin_step((stage_ids.count(plan.stage) ? stage_ids.at(plan.stage) : 9) * 100000 + r);
    MeasureSpec spec = plan.spec;
    spec.stage = plan.stage;
    spec.epoch_base =
        ((stage_ids.count(plan.stage) ? stage_ids.at(plan.stage) : 9) << 40) | (static_cast<std::uint64_t>(r) << 8);
    RoundOutcome outcome;
    try {
      auto tasks = plan.tasks(r, round);
      outcome = measure_round(ctx.comm, tasks, spec, ctx.clock);
      if (plan.on_outcome) plan.on_outcome(outcome);
    } catch (const std::exception& e) {
      outcome.errors.push_back(plan.stage + " " + name + ": " + ctx.comm.describe(ctx.comm.rank()) + ": " + e.what());
    }
    FP_LOG(trace, "suite") << plan.stage << " " << name << ": " << outcome.rows.size() << " row(s), "
                           << outcome.errors.size() << " error(s) on this rank";
    for (auto& row : outcome.rows) {
      row["round"] = r;
      if (schedule.round_names.size() > r) row["pattern"] = name;
    }
    for (auto& row : finish_round(ctx, plan.stage + " " + name, outcome.rows, outcome.errors, wait, plan.on_root))
      measured.push_back(std::move(row));
  }
  return measured;
}

}  // namespace fabricperf::runners
