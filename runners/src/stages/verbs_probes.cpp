#include "verbs_probes.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "fabricperf/log.hpp"

namespace fabricperf::runners {
namespace {

using nlohmann::json;

const char* kind_name(RoundKind kind) {
  switch (kind) {
    case RoundKind::full:
      return "full";
    case RoundKind::retest:
      return "retest";
    case RoundKind::loopback:
      return "loopback";
    case RoundKind::cross_rail:
      return "cross_rail";
  }
  return "retest";
}

}  // namespace

VerbsProbeBackend::VerbsProbeBackend(StageContext& ctx, RailSetup& rails, MeasureSpec spec, double round_estimate_s)
    : ctx_(ctx), rails_(rails), spec_(std::move(spec)), wait_(round_wait(ctx.plan, round_estimate_s)) {}

std::string VerbsProbeBackend::node_name(int node) const {
  return ctx_.discovery.layout.nodes.at(static_cast<std::size_t>(node));
}

std::string VerbsProbeBackend::device_name(int node, int rail) const {
  const auto& ports = ctx_.discovery.rails_of_node.at(static_cast<std::size_t>(node));
  return rail >= 0 && rail < static_cast<int>(ports.size()) ? ports[static_cast<std::size_t>(rail)].device
                                                            : "rail" + std::to_string(rail);
}

std::vector<ProbeResult> VerbsProbeBackend::run_round(const std::string& name, RoundKind kind,
                                                      const std::vector<Probe>& probes) {
  std::vector<ProbeResult> out(probes.size());
  if (kind == RoundKind::loopback || kind == RoundKind::cross_rail) {
    for (auto& r : out) {
      r.unsupported = true;
      r.error = std::string(kind_name(kind)) + " probes are not run by the verbs link runner";
    }
    return out;
  }
  json flows = json::array();
  for (const auto& p : probes) flows.push_back({p.receiver, p.sender, p.sender_rail});
  const json round = {{"name", name}, {"kind", kind_name(kind)}, {"flows", flows}};
  if (kind == RoundKind::full) ctx_.progress.round(rounds_, name + ": " + std::to_string(probes.size()) + " flows");
  (void)ctx_.comm.broadcast(round.dump(), wait_, "verbs_bw: the next round");
  const auto rows = measure(round);
  // The initiator (sender) wrote each row; at the largest size it is the probe's measurement.
  const std::uint64_t largest = *std::max_element(spec_.sizes.begin(), spec_.sizes.end());
  std::map<std::tuple<std::string, std::string, int>, const json*> by_flow;
  for (const auto& row : rows)
    if (!row.value("aggregate", false) && row.value("size_bytes", std::uint64_t{0}) == largest)
      by_flow[{row.value("host", ""), row.value("peer_host", ""), row.value("rail", -1)}] = &row;
  for (std::size_t i = 0; i < probes.size(); ++i) {
    const auto it = by_flow.find({node_name(probes[i].sender), node_name(probes[i].receiver), probes[i].sender_rail});
    auto& r = out[i];
    if (it == by_flow.end()) {
      r.error = "no measurement (see the document's errors)";
      continue;
    }
    const json& row = *it->second;
    r.measured = true;
    r.bw_avg_gbps = row.value("bw_avg_gbps", 0.0);
    // Software RDMA has no real line rate (rxe reports a nominal one): judged against its peers.
    const bool soft = row.value("soft_rdma", false) && ctx_.plan.expect.soft_rdma == SoftRdmaPolicy::warn;
    r.line_rate_gbps = !soft && row.contains("line_rate_gbps") && row["line_rate_gbps"].is_number()
                           ? row["line_rate_gbps"].get<double>()
                           : 0.0;
    if (row.contains("bw_min_gbps") && row["bw_min_gbps"].is_number()) r.bw_min_gbps = row["bw_min_gbps"].get<double>();
  }
  if (kind == RoundKind::full)
    for (const auto& row : rows) full_rows_.push_back(row);
  return out;
}

void VerbsProbeBackend::finish() {
  (void)ctx_.comm.broadcast(json{{"done", true}}.dump(), wait_, "verbs_bw: the next round");
}

void VerbsProbeBackend::follow() {
  for (;;) {
    const std::string text = ctx_.comm.broadcast("", wait_, "verbs_bw: waiting for rank 0's next round");
    const json round = json::parse(text, nullptr, false);
    if (round.is_discarded() || round.value("done", false) || !round.contains("flows")) return;
    (void)measure(round);
  }
}

std::vector<json> VerbsProbeBackend::measure(const json& round) {
  const std::size_t r = rounds_++;
  const bool full = round.value("kind", "") == "full";
  const std::string name = round.value("name", "round");
  Round flows;
  std::vector<int> rail_of_flow;
  for (const auto& f : round["flows"]) {
    flows.pairs.push_back({f.at(0).get<int>(), f.at(1).get<int>()});
    rail_of_flow.push_back(f.at(2).get<int>());
  }
  ctx_.doc.set_context("verbs_bw " + name);
  FP_LOG(info, "suite") << "verbs_bw " << name << " (" << round.value("kind", "") << "): " << flows.pairs.size()
                        << " flow(s)";
  ctx_.comm.begin_step(100000 + r);
  MeasureSpec spec = spec_;
  spec.stage = "verbs_bw";
  if (!full) spec.sizes = {*std::max_element(spec_.sizes.begin(), spec_.sizes.end())};
  spec.epoch_base = (std::uint64_t{1} << 40) | (static_cast<std::uint64_t>(r) << 8);
  RoundOutcome outcome;
  try {
    auto tasks = probe_tasks(ctx_, rails_, flows, rail_of_flow);
    outcome = measure_round(ctx_.comm, tasks, spec, ctx_.clock);
  } catch (const std::exception& e) {
    outcome.errors.push_back("verbs_bw " + name + ": " + ctx_.comm.describe(ctx_.comm.rank()) + ": " + e.what());
  }
  FP_LOG(trace, "suite") << "verbs_bw " << name << ": " << outcome.rows.size() << " row(s), " << outcome.errors.size()
                         << " error(s) on this rank";
  for (auto& row : outcome.rows) {
    row["round"] = r;
    row["pattern"] = name;
  }
  return finish_round(ctx_, "verbs_bw " + name, outcome.rows, outcome.errors, wait_,
                      full ? std::function<void(std::vector<json>&)>(add_rail_aggregates) : nullptr);
}

}  // namespace fabricperf::runners
