#include "pair_stage.hpp"

#include <map>
#include <tuple>

#include "fabricperf/error.hpp"

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

void add_rail_aggregates(std::vector<nlohmann::json>& rows) {
  struct Sum {
    double bw = 0, line = 0;
    int rails = 0;
    bool line_known = true, soft = false;
    nlohmann::json first;
  };
  std::map<std::tuple<std::string, std::string, std::uint64_t, long long>, Sum> sums;
  for (const auto& r : rows) {
    if (r.value("aggregate", false) || !r.contains("bw_avg_gbps")) continue;
    const auto key = std::make_tuple(r.value("host", ""), r.value("peer_host", ""),
                                     r.value("size_bytes", std::uint64_t{0}), r.value("round", -1LL));
    auto& s = sums[key];
    if (s.rails == 0) s.first = r;
    s.bw += r["bw_avg_gbps"].get<double>();
    if (r.contains("line_rate_gbps"))
      s.line += r["line_rate_gbps"].get<double>();
    else
      s.line_known = false;
    s.soft = s.soft || r.value("soft_rdma", false);
    ++s.rails;
  }
  for (const auto& [key, s] : sums) {
    if (s.rails < 2) continue;  // one rail: the link row says it all
    nlohmann::json row = {
        {"stage", s.first["stage"]},          {"host", std::get<0>(key)}, {"peer_host", std::get<1>(key)},
        {"size_bytes", std::get<2>(key)},     {"aggregate", true},        {"rails", s.rails},
        {"op", s.first.value("op", "write")}, {"bw_avg_gbps", s.bw}};
    if (std::get<3>(key) >= 0) row["round"] = std::get<3>(key);
    if (s.first.contains("pattern")) row["pattern"] = s.first["pattern"];
    if (s.line_known && s.line > 0) {
      row["line_rate_gbps"] = s.line;
      row["line_rate_pct"] = 100.0 * s.bw / s.line;
    }
    if (s.soft) row["soft_rdma"] = true;
    rows.push_back(std::move(row));
  }
}

std::unique_ptr<RailSetup> open_rails(StageContext& ctx) {
  auto setup = std::make_unique<RailSetup>();
  const auto& layout = ctx.discovery.layout;
  const auto me = static_cast<std::size_t>(ctx.comm.rank());
  try {
    setup->devices.open(ctx.discovery.rails_of_node[static_cast<std::size_t>(layout.node_of_rank[me])],
                        layout.rails_of(layout.local_rank[me], ctx.discovery.rails), ctx.plan.verbs.gid_index);
  } catch (const std::exception& e) {
    setup->open_error = std::string("opening the rails: ") + e.what();
  }
  setup->memory = verbs::make_host_memory_provider();
  return setup;
}

std::vector<LinkTask> rail_tasks(StageContext& ctx, RailSetup& rails, const Round& round) {
  const auto& layout = ctx.discovery.layout;
  const auto me = static_cast<std::size_t>(ctx.comm.rank());
  const int node = layout.node_of_rank[me];
  const int local = layout.local_rank[me];
  std::vector<LinkTask> tasks;
  for (const auto& pr : roles_of(node, round)) {
    const int peer = layout.rank_on(pr.peer_node, local);
    for (int rail : layout.rails_of(local, ctx.discovery.rails)) {
      LinkTask t;
      t.slot = rail;
      t.peer_rank = peer;
      t.role = pr.role;
      t.device = rails.devices.find(rail);
      t.memory = rails.memory.get();
      t.unavailable = rails.open_error;
      const auto* port = rails.devices.port(rail);
      t.soft = port && port->soft;
      t.labels = {{"rail", rail}};
      tasks.push_back(std::move(t));
    }
  }
  return tasks;
}

nlohmann::json stage_rows(const SuiteDocument& doc, const std::string& stage) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : doc.results())
    if (r.value("stage", "") == stage) out.push_back(r);
  return out;
}

nlohmann::json run_pair_stage(StageContext& ctx, PairStagePlan& plan) {
  const auto& schedule = *plan.schedule;
  const std::size_t rounds = schedule.rounds.size();
  const double per_round = rounds ? schedule.estimated_s / static_cast<double>(rounds) : 0;
  const auto wait = round_wait(ctx.plan, per_round);
  static const std::map<std::string, std::uint64_t> stage_ids = {
      {"verbs_bw", 1}, {"verbs_lat", 2}, {"gdr", 3}, {"stress", 4}};
  for (std::size_t r = 0; r < rounds; ++r) {
    const auto& round = schedule.rounds[r];
    const std::string name =
        schedule.round_names.size() > r ? schedule.round_names[r] : "round " + std::to_string(r + 1);
    if (ctx.comm.root())
      ctx.progress.round(
          r, (schedule.round_names.size() > r ? name + ": " : "") + describe_round(round, ctx.discovery.layout));
    ctx.doc.set_context(plan.stage + " " + name + "/" + std::to_string(rounds));
    ctx.comm.begin_step((stage_ids.count(plan.stage) ? stage_ids.at(plan.stage) : 9) * 100000 + r);
    MeasureSpec spec = plan.spec;
    spec.stage = plan.stage;
    spec.epoch_base =
        ((stage_ids.count(plan.stage) ? stage_ids.at(plan.stage) : 9) << 40) | (static_cast<std::uint64_t>(r) << 8);
    RoundOutcome outcome;
    try {
      auto tasks = plan.tasks(r, round);
      outcome = measure_round(ctx.comm, tasks, spec, ctx.clock);
    } catch (const std::exception& e) {
      outcome.errors.push_back(plan.stage + " " + name + ": " + ctx.comm.describe(ctx.comm.rank()) + ": " + e.what());
    }
    for (auto& row : outcome.rows) {
      row["round"] = r;
      if (schedule.round_names.size() > r) row["pattern"] = name;
    }
    finish_round(ctx, plan.stage + " " + name, outcome.rows, outcome.errors, wait, plan.on_root);
  }
  return ctx.comm.root() ? stage_rows(ctx.doc, plan.stage) : nlohmann::json::array();
}

}  // namespace fabricperf::runners
