// The live run: bootstrap, start-up discovery, the stages in order, the summary, one document.
#include <chrono>
#include <cstdio>
#include <iostream>

#include "fabricperf/bootstrap.hpp"
#include "fabricperf/cli.hpp"
#include "fabricperf/error.hpp"
#include "fabricperf/launcher.hpp"
#include "fabricperf/log.hpp"
#include "fabricperf/runners/discovery.hpp"
#include "fabricperf/runners/liveness.hpp"
#include "fabricperf/runners/stage.hpp"
#include "fabricperf/runners/suite_cli.hpp"
#include "fabricperf/runners/summary.hpp"

#ifdef FABRICPERF_HAVE_MPI
#include "fabricperf/mpi_bootstrap.hpp"
#endif

namespace fabricperf::runners {
namespace {

using Clock = std::chrono::steady_clock;

std::unique_ptr<Bootstrap> make_bootstrap(const SuiteOptions& o, int* argc, char*** argv) {
  const auto timeout = std::chrono::milliseconds(static_cast<long long>(o.plan.timeout_s * 1000));
  if (o.ranks > 1 || !o.connect.empty()) {
    TcpBootstrapConfig cfg;
    cfg.server = o.connect;
    cfg.port = static_cast<std::uint16_t>(o.port);
    cfg.ranks = o.ranks;
    cfg.timeout = timeout;
    // Every rank must run the same plan: it is part of the token.
    cfg.token = "fp_suite/" + std::to_string(std::hash<std::string>{}(to_json(o.plan).dump()));
    cfg.secret = o.token;
    return make_tcp_bootstrap(cfg);
  }
  if (launched_by_mpi_launcher()) {
#ifdef FABRICPERF_HAVE_MPI
    return make_mpi_bootstrap(argc, argv, timeout);
#else
    (void)argc;
    (void)argv;
    throw UsageError("started by an MPI launcher, but fp_suite was built without MPI: use --ranks/--connect");
#endif
  }
  return make_single_process_bootstrap();
}

std::string stage_summary(const nlohmann::json& checks, const std::string& stage) {
  int pass = 0, fail = 0, warn = 0, skip = 0;
  for (const auto& c : checks) {
    if (stage_of_check(c) != stage) continue;
    const std::string st = c.value("status", "");
    (st == "pass" ? pass : st == "fail" ? fail : st == "warn" ? warn : skip)++;
  }
  std::string text = std::to_string(pass) + " passed";
  if (fail) text += ", " + std::to_string(fail) + " FAILED";
  if (warn) text += ", " + std::to_string(warn) + " warned";
  if (skip) text += ", " + std::to_string(skip) + " skipped";
  return text;
}

// After an abort the MPI job may have a dead rank: MPI_Finalize could wait for it forever.
[[noreturn]] void leave_now(int code) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(code);
}

}  // namespace

int run_suite(const SuiteOptions& o, int* argc, char*** argv) {
  // Signals are taken by the document's thread: construct it before MPI starts any thread.
  SuiteDocument doc(o.command_line, o.json_path);
  std::unique_ptr<Bootstrap> bootstrap;
  // While the ranks connect, a signal still leaves the aborted document (README): the process
  // that will be rank 0 writes it.
  doc.set_writer(o.connect.empty() && detect_launcher().value_or(LauncherInfo{}).rank == 0);
  doc.set_context("the bootstrap (waiting for the other ranks)");
  try {
    bootstrap = make_bootstrap(o, argc, argv);
  } catch (const UsageError&) {
    throw;
  } catch (const std::exception& e) {
    // Nobody knows the ranks yet; the process that would be rank 0 still leaves a document.
    doc.set_writer(o.connect.empty());
    print_run_error("fp_suite", e.what());
    return doc.abort(std::string("bootstrap: ") + e.what());
  }
  doc.set_writer(bootstrap->rank() == 0);
  doc.set_context({});
  Comm comm(*bootstrap);
  Liveness liveness(comm);  // names a rank whose process dies, the moment it dies
  liveness.on_loss([&doc](const std::string& what) {
    doc.add_error(what);
    doc.checkpoint(true);
  });

  nlohmann::json params = {{"plan", to_json(o.plan)},
                           {"expectations_loosened", loosened_expectations(o.plan)},
                           {"bootstrap", std::string(bootstrap->kind())},
                           {"ranks", bootstrap->size()},
                           {"per_node", o.per_node}};
  doc.set_params(params);
  Discovery discovery;
  try {
    discovery = discover(comm, o.plan, o.per_node, 2 * o.plan.timeout_s + 30);
  } catch (const PeerError& e) {
    if (comm.root()) {
      doc.abort(std::string("start-up: ") + e.what());
      print_run_error("fp_suite", e.what());
    }
    leave_now(1);
  }
  FP_LOG(info, "suite") << "start-up discovery: " << discovery.layout.node_count() << " node(s), " << discovery.rails
                        << " rail(s), " << discovery.gpus_per_node << " GPU(s) per node"
                        << (discovery.any_soft ? ", software RDMA" : "");
  if (comm.root())
    for (const auto& fp : discovery.fingerprints) doc.add_host(fp);
  CostModel cost;
  if (discovery.any_soft) {
    cost.lat_base_us = 3000;  // Soft-RoCE in a qemu guest: milliseconds, not microseconds
    cost.round_setup_s = 2;
    cost.reach_connect_s = 0.4;  // measured: 3 guests x 1 rail, 3 rounds in 0.7-1.4 s
    cost.coll_alpha_us = 20000;
  }
  const auto schedule = plan_suite(o.plan, discovery.shape(), cost);
  params["discovery"] = discovery.to_json();
  nlohmann::json planned = nlohmann::json::array();
  for (const auto& st : schedule.stages) planned.push_back(to_result(st, schedule.shape));
  params["schedule"] = planned;
  params["estimated_s"] = schedule.estimated_s;
  doc.set_params(params);
  doc.checkpoint(true);

  auto& os = doc.human();
  os << "fp_suite: plan '" << o.plan.name << "', " << discovery.layout.node_count() << " nodes, " << comm.size()
     << " ranks (" << bootstrap->kind() << "), " << discovery.rails << " rail(s)"
     << (discovery.gpus_per_node ? ", " + std::to_string(discovery.gpus_per_node) + " GPUs per node" : std::string())
     << (discovery.any_soft ? ", software RDMA" : "") << "; estimated " << format_duration(schedule.estimated_s) << "\n"
     << std::flush;

  Progress progress(std::cerr, comm.root() && !o.quiet, schedule.estimated_s);
  const auto clock = CycleClock::calibrate();
  std::vector<StageTiming> timings;
  bool aborted = false;
  for (std::size_t i = 0; i < o.plan.stages.size() && !aborted; ++i) {
    const std::string& name = o.plan.stages[i];
    const auto* planned_stage = schedule.find(name);
    if (comm.root())
      progress.begin_stage(name, i, o.plan.stages.size(), planned_stage ? planned_stage->rounds.size() : 0,
                           planned_stage ? planned_stage->estimated_s : 0);
    liveness.set_context(name);
    doc.set_context(name);
    StageContext ctx{o.plan, comm, doc, discovery, schedule, progress, clock};
    const auto start = Clock::now();
    FP_LOG(info, "suite") << "stage " << name << " (" << i + 1 << "/" << o.plan.stages.size() << "): starting";
    try {
      make_stage(name)->run(ctx);
    } catch (const SuiteAborted& e) {
      aborted = true;
      if (comm.root()) progress.note(name + ": aborted: " + e.what());
    } catch (const PeerError& e) {
      aborted = true;
      if (comm.root()) doc.add_error(name + ": " + e.what());
    }
    const double took = std::chrono::duration<double>(Clock::now() - start).count();
    FP_LOG(info, "suite") << "stage " << name << ": " << (aborted ? "aborted" : "done") << " after " << took << " s";
    timings.push_back({name, took, true});
    if (comm.root() && !aborted) progress.end_stage(stage_summary(doc.checks(), name));
  }

  if (aborted) {
    if (comm.root()) {
      const int code = doc.finish(RunStatus::aborted);
      print_summary(doc.human(), doc.snapshot(RunStatus::aborted, true), timings);
      leave_now(code == 0 ? 1 : code);
    }
    leave_now(1);
  }
  // Everyone leaves with rank 0's verdict (srun and mpirun report the worst exit code).
  int code = 0;
  if (comm.root()) {
    print_summary(doc.human(), doc.snapshot(RunStatus::ok, false), timings);
    code = doc.finish(RunStatus::ok);
  }
  liveness.stop();
  try {
    comm.begin_step(900000);
    code = std::stoi(comm.broadcast(std::to_string(code),
                                    std::chrono::milliseconds(static_cast<long long>(o.plan.timeout_s * 1000)),
                                    "end: waiting for rank 0's verdict"));
  } catch (const std::exception& e) {
    if (!comm.root()) FP_LOG(warn, "suite") << e.what();
  }
  return code;
}

}  // namespace fabricperf::runners
