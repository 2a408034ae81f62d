// fp_topo: is this machine (or an lstopo/NCCL topology export) ready for GPUDirect RDMA? Finds
// the GPUs and RDMA NICs, classifies every GPU-NIC path (nvidia-smi topo -m vocabulary), pairs
// each GPU with its own NIC(s), runs the checks, and can print each local rank's environment.
#include <iostream>

#include "fabricperf/cli.hpp"
#include "fabricperf/cli_checks.hpp"
#include "fabricperf/error.hpp"
#include "fabricperf/host_info.hpp"
#include "fabricperf/log.hpp"
#include "fabricperf/run_output.hpp"
#include "fabricperf/topology/checks.hpp"
#include "fabricperf/topology/hwloc_reader.hpp"
#include "fabricperf/topology/nccl_reader.hpp"
#include "fabricperf/topology/pairing.hpp"
#include "fabricperf/topology/report.hpp"

namespace topo = fabricperf::topology;

int main(int argc, char** argv) {
  CLI::App app{
      "Check GPU/NIC PCIe topology for GPUDirect RDMA: every GPU should have its own NIC under its PCIe switch.\n"
      "Reads this machine (hwloc + sysfs), an lstopo XML export, or an NCCL topology file.\n"
      "Exit 0 when every check passes (warn/skip allowed), 1 when one fails, 2 for usage or input errors.",
      "fp_topo"};
  fabricperf::CommonOptions common;
  fabricperf::add_common_options(app, common, /*waits_on_peers=*/false);
  std::string hwloc_xml;
  std::string nccl_topo;
  bool emit_env = false;
  int local_rank = -1;
  // An empty FILE is refused: it would otherwise mean "not given" and read this machine instead.
  auto* hwloc_opt =
      app.add_option("--hwloc-xml", hwloc_xml, "Read an lstopo XML export (v1 or v2) instead of this machine")
          ->check(fabricperf::non_empty())
          ->type_name("FILE");
  app.add_option("--nccl-topo", nccl_topo, "Read an NCCL topology XML file (NCCL_TOPO_FILE) instead of this machine")
      ->check(fabricperf::non_empty())
      ->type_name("FILE")
      ->excludes(hwloc_opt);
  auto* emit_opt = app.add_flag("--emit-env", emit_env,
                                "Print each local rank's environment (CUDA_VISIBLE_DEVICES, NCCL_IB_HCA, "
                                "FABRICPERF_DEVICE) instead of the report");
  app.add_option("--local-rank", local_rank, "With --emit-env: print only this rank's KEY=VALUE lines")
      ->check(CLI::NonNegativeNumber)
      ->needs(emit_opt)
      ->type_name("R");

  return fabricperf::run_main(app, argc, argv, [&] {
    if (emit_env && common.json_path == "-") throw fabricperf::UsageError("--emit-env and --json - both want stdout");
    topo::Topology t = !hwloc_xml.empty()   ? topo::load_hwloc_xml(hwloc_xml)
                       : !nccl_topo.empty() ? topo::load_nccl_topo(nccl_topo)
                                            : topo::load_live();
    for (const auto& w : t.warnings) FP_LOG(warn, "topology") << w;
    FP_LOG(info, "topology") << "read " << topo::to_string(t.source) << (t.input.empty() ? "" : " " + t.input) << ": "
                             << t.gpus.size() << " GPU(s), " << t.nics.size() << " RDMA NIC(s)";
    const topo::Pairing pairing = topo::pair_gpus_with_nics(t);
    for (const auto& a : pairing.gpus)
      FP_LOG(trace, "topology") << "GPU" << a.gpu << " (" << t.gpus.at(static_cast<std::size_t>(a.gpu)).pci.str()
                                << "): nearest path "
                                << (a.nearest_path ? std::string(topo::to_string(*a.nearest_path)) : "none") << ", "
                                << a.nearest_nics.size() << " nearest NIC(s), uses "
                                << (a.nic ? t.nics.at(static_cast<std::size_t>(*a.nic)).id : "no NIC")
                                << (a.dedicated() ? " (dedicated)"
                                    : a.nic       ? " (shared)"
                                                  : "");
    topo::CheckOptions check_options;
    check_options.live = t.source == topo::SourceKind::live;
    const auto checks = topo::run_checks(t, pairing, check_options);

    fabricperf::RunOutput out("fp_topo", fabricperf::command_line(argc, argv), common.json_path);
    nlohmann::json params{{"source", topo::to_string(t.source)}};
    if (!t.input.empty()) params["input"] = t.input;
    if (emit_env) params["emit_env"] = true;
    if (local_rank >= 0) params["local_rank"] = local_rank;
    out.set_params(std::move(params));
    if (t.source == topo::SourceKind::live) out.add_host(fabricperf::collect_host_info());
    for (const auto& check : checks) out.add_check(check);
    out.add_result(topo::result_json(t, pairing, checks));

    if (!emit_env) {
      topo::print_report(out.human(), t, pairing, checks);
      return out.finish(fabricperf::RunStatus::ok);
    }
    // --emit-env: stdout carries only the environment; its exit code says whether it could be given.
    const auto envs = topo::rank_environments(t, pairing);
    out.finish(fabricperf::RunStatus::ok);
    if (local_rank < 0) {
      topo::print_environment_table(std::cout, envs);
      return 0;
    }
    if (envs.empty()) {
      throw fabricperf::Error("local rank " + std::to_string(local_rank) + ": no GPU and no RDMA NIC found");
    }
    std::size_t slot = static_cast<std::size_t>(local_rank);
    if (t.gpus.empty()) {
      slot %= envs.size();  // no GPU: ranks take the NICs in turn
    } else if (slot >= envs.size()) {
      throw fabricperf::UsageError("--local-rank " + std::to_string(local_rank) + " but this machine has " +
                                   std::to_string(envs.size()) + " GPU(s)");
    }
    const auto& env = envs[slot];
    if (!env.note.empty()) FP_LOG(warn, "topology") << "local rank " << local_rank << ": " << env.note;
    topo::print_environment(std::cout, env);
    return 0;
  });
}
