// Stage preflight: every host's fingerprint compared with the majority (one check per field:
// kernel, rdma-core, NIC firmware, port rates, NVIDIA driver, CUDA, NCCL, MPI), each node's
// fp_topo checks (GPU-NIC pairing, NUMA, PCIe, ACS, ATS, peer memory, ports), the RDMA ports
// every node brings, and the rank layout.
#include "fabricperf/runners/fingerprint.hpp"
#include "fabricperf/runners/stage.hpp"

namespace fabricperf::runners {
namespace {

class PreflightStage final : public Stage {
 public:
  std::string_view name() const noexcept override { return "preflight"; }
  void run(StageContext& ctx) override {
    if (!ctx.comm.root()) return;  // everything it needs was gathered at start-up
    const auto& d = ctx.discovery;
    ctx.progress.round(0, "comparing " + std::to_string(d.layout.node_count()) + " hosts");

    // 1. Fingerprints against the majority.
    const auto mismatch = ctx.plan.expect.fingerprint_mismatch == "warn" ? CheckStatus::warn : CheckStatus::fail;
    for (const auto& verdict : compare_fingerprints(d.fingerprints))
      ctx.doc.add_check(fingerprint_check(verdict, mismatch));

    // 2. RDMA ports per node: every node needs the rails the others have.
    std::vector<std::pair<std::string, std::size_t>> short_nodes;
    std::size_t most = 0;
    for (const auto& r : d.rails_of_node) most = std::max(most, r.size());
    for (std::size_t n = 0; n < d.rails_of_node.size(); ++n)
      if (d.rails_of_node[n].size() < most) short_nodes.emplace_back(d.layout.nodes[n], d.rails_of_node[n].size());
    Check rails;
    rails.name = "preflight_rails";
    rails.labels = {{"stage", "preflight"}};
    rails.expected = {{"active_ports_per_node", most}};
    rails.measured = {{"rails_used", d.rails}};
    if (most == 0) {
      rails.status = CheckStatus::fail;
      rails.detail =
          "no node has an ACTIVE RDMA port" + std::string(ctx.plan.verbs.devices.empty() ? "" : " among verbs.devices");
    } else if (short_nodes.empty()) {
      rails.status = CheckStatus::pass;
      rails.detail = "every node has " + std::to_string(most) + " ACTIVE RDMA port" + (most == 1 ? "" : "s") + "; " +
                     std::to_string(d.rails) + " rail" + (d.rails == 1 ? "" : "s") + " tested";
    } else {
      rails.status = CheckStatus::fail;
      std::string list;
      for (std::size_t i = 0; i < short_nodes.size() && i < 10; ++i)
        list += (i ? ", " : "") + short_nodes[i].first + " (" + std::to_string(short_nodes[i].second) + ")";
      rails.detail = std::to_string(short_nodes.size()) + " node(s) have fewer ACTIVE RDMA ports than the " +
                     std::to_string(most) + " of the others: " + list + "; only " + std::to_string(d.rails) +
                     " rail(s) can be tested everywhere";
    }
    ctx.doc.add_check(rails);

    // 3. Rank layout: one rank per GPU (or per node) everywhere.
    Check layout;
    layout.name = "preflight_rank_layout";
    layout.labels = {{"stage", "preflight"}};
    layout.measured = {
        {"nodes", d.layout.node_count()}, {"ranks", ctx.comm.size()}, {"ranks_per_node", d.layout.ranks_per_node}};
    if (!d.layout.uniform()) {
      layout.status = CheckStatus::fail;
      layout.detail = "nodes run different numbers of ranks: launch one rank per GPU (or --per-node) on every node";
    } else if (d.per_node && d.layout.ranks_per_node != 1) {
      layout.status = CheckStatus::fail;
      layout.detail = "--per-node expects one rank per node, found " + std::to_string(d.layout.ranks_per_node);
    } else if (d.gpus_per_node > 0 && !d.per_node && d.layout.ranks_per_node != d.gpus_per_node) {
      layout.status = CheckStatus::warn;
      layout.detail = std::to_string(d.layout.ranks_per_node) + " ranks per node for " +
                      std::to_string(d.gpus_per_node) + " GPUs: expected one rank per GPU (or --per-node)";
    } else {
      layout.status = CheckStatus::pass;
      layout.detail = std::to_string(ctx.comm.size()) + " ranks on " + std::to_string(d.layout.node_count()) +
                      " nodes, " + std::to_string(d.layout.ranks_per_node) + " per node";
    }
    ctx.doc.add_check(layout);

    // 4. Each node's topology checks and report (fp_topo's result row, with stage and host).
    std::vector<nlohmann::json> rows;
    for (std::size_t n = 0; n < d.topology_of_node.size(); ++n) {
      const auto& topo = d.topology_of_node[n];
      const std::string host = d.layout.nodes[n];
      if (topo.contains("error")) {
        Check c;
        c.name = "preflight_topology";
        c.status = CheckStatus::skip;
        c.detail = host + ": " + topo["error"].get<std::string>();
        c.labels = {{"stage", "preflight"}, {"host", host}};
        ctx.doc.add_check(c);
        continue;
      }
      for (const auto& cj : topo.value("checks", nlohmann::json::array())) {
        Check c = check_from_json(cj);
        c.name = "preflight_topo_" + c.name;
        c.detail = host + ": " + c.detail;
        c.labels["stage"] = "preflight";
        c.labels["host"] = host;
        ctx.doc.add_check(c);
      }
      if (topo.contains("result")) {
        auto row = topo["result"];
        row["stage"] = "preflight";
        row["host"] = host;
        row.erase("checks");  // they are in checks[] already
        rows.push_back(std::move(row));
      }
    }
    ctx.doc.add_results(std::move(rows));
    ctx.doc.checkpoint(true);
  }
};

}  // namespace

std::unique_ptr<Stage> make_preflight_stage() {
  return std::make_unique<PreflightStage>();
}

}  // namespace fabricperf::runners
