#include <algorithm>
#include <cmath>

#include "fabricperf/error.hpp"
#include "fabricperf/runners/peer_reports.hpp"
#include "fabricperf/runners/stage.hpp"

namespace fabricperf::runners {

ClusterShape Discovery::shape() const {
  ClusterShape s;
  s.nodes = layout.node_count();
  s.rails = rails;
  s.gpus_per_node = gpus_per_node;
  s.ranks_per_node = std::max(layout.ranks_per_node, 1);
  // Software RDMA under emulation moves a few tens of Mb/s: estimate with that, not with its
  // nominal rate (suite.cpp also raises the latency of the cost model).
  s.line_rate_gbps = any_soft ? 0.05 : (min_line_rate_gbps > 0 ? min_line_rate_gbps : 100);
  return s;
}

nlohmann::json Discovery::to_json() const {
  nlohmann::json rails_json = nlohmann::json::array();
  for (std::size_t n = 0; n < rails_of_node.size(); ++n) {
    nlohmann::json ports = nlohmann::json::array();
    for (const auto& p : rails_of_node[n]) {
      nlohmann::json port = {{"device", p.device}, {"port", p.port}, {"rate_gbps", p.rate_gbps}};
      if (p.soft) port["soft_rdma"] = true;
      ports.push_back(port);
    }
    rails_json.push_back({{"host", layout.nodes[n]}, {"ports", ports}});
  }
  return {{"layout", layout.to_json()},
          {"rails", rails},
          {"rail_ports", rails_json},
          {"gpus_per_node", gpus_per_node},
          {"min_line_rate_gbps", min_line_rate_gbps},
          {"software_rdma", any_soft},
          {"per_node", per_node}};
}

std::unique_ptr<Stage> make_stage(std::string_view name) {
  if (name == "reach") return make_reach_stage();
  if (name == "preflight") return make_preflight_stage();
  if (name == "verbs_bw") return make_verbs_bw_stage();
  if (name == "verbs_lat") return make_verbs_lat_stage();
  if (name == "gdr") return make_gdr_stage();
  if (name == "collectives") return make_collectives_stage();
  if (name == "stress") return make_stress_stage();
  throw UsageError("unknown stage '" + std::string(name) + "'");
}

void add_skip(StageContext& ctx, const std::string& stage, const std::string& why) {
  Check c;
  c.name = stage + "_ran";
  c.status = CheckStatus::skip;
  c.detail = stage + " did not run: " + why;
  c.labels = {{"stage", stage}};
  ctx.doc.add_check(c);
}

std::chrono::milliseconds round_wait(const Plan& plan, double estimate_s) {
  const double s = 2 * plan.timeout_s + 10 * std::max(estimate_s, 0.0);
  return std::chrono::milliseconds(static_cast<long long>(std::ceil(s * 1000)));
}

std::vector<nlohmann::json> finish_round(StageContext& ctx, const std::string& what, const std::vector<nlohmann::json>& rows,
                  const std::vector<std::string>& errors, std::chrono::milliseconds wait,
                  const std::function<void(std::vector<nlohmann::json>&)>& on_root) {
  auto& comm = ctx.comm;
  const std::string report = nlohmann::json{{"rows", rows}, {"errors", errors}}.dump();
  std::vector<std::string> all;
  std::string abort_reason;
  comm.substep(120);
  try {
    all = comm.gather(report, wait, what);
  } catch (const PeerError& e) {
    abort_reason = e.what();
  }
  std::string decision = "go";
  std::vector<nlohmann::json> recorded;
  if (comm.root()) {
    if (!abort_reason.empty()) {
      decision = "abort: " + abort_reason;
      ctx.doc.add_error(abort_reason);
    } else {
      std::vector<nlohmann::json> gathered;
      for (std::size_t r = 0; r < all.size(); ++r) {
        // A rank's rows go into the document as they are: size-, depth- and type-checked first;
        // a report that is not a well-formed one is named and left out.
        try {
          auto theirs = peer_round_report(all[r], comm.describe(static_cast<int>(r)));
          for (auto& row : theirs.rows) gathered.push_back(std::move(row));
          for (auto& err : theirs.errors) ctx.doc.add_error(std::move(err));
        } catch (const PeerError& e) {
          ctx.doc.add_error(what + ": " + e.what());
        }
      }
      if (on_root) on_root(gathered);
      recorded = gathered;
      ctx.doc.add_results(std::move(gathered));
    }
    ctx.doc.checkpoint(!abort_reason.empty());
  } else if (!abort_reason.empty()) {
    // Rank 0 did not collect our report: it is gone. Nothing of ours can reach the document.
    throw SuiteAborted(abort_reason);
  }
  std::string verdict;
  try {
    verdict =
        comm.broadcast(decision, wait + std::chrono::milliseconds(static_cast<long long>(ctx.plan.timeout_s * 1000)),
                       what + ": waiting for rank 0 to go on");
  } catch (const PeerError& e) {
    if (comm.root()) throw SuiteAborted(abort_reason.empty() ? e.what() : abort_reason);
    throw SuiteAborted(e.what());
  }
  if (verdict.rfind("abort", 0) == 0) throw SuiteAborted(verdict.substr(verdict.find(':') + 2));
  return recorded;
}

}  // namespace fabricperf::runners
