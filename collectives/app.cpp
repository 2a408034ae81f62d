#include "app.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <thread>

#include "fabricperf/bootstrap.hpp"
#include "fabricperf/cli.hpp"
#include "fabricperf/collectives/bootstrap_probe.hpp"
#include "fabricperf/collectives/failure.hpp"
#include "fabricperf/collectives/harness.hpp"
#include "fabricperf/collectives/launch.hpp"
#include "fabricperf/collectives/options.hpp"
#include "fabricperf/collectives/ref_backend.hpp"
#include "fabricperf/collectives/report.hpp"
#include "fabricperf/error.hpp"
#include "fabricperf/host_info.hpp"
#include "fabricperf/launcher.hpp"
#include "fabricperf/log.hpp"
#include "fabricperf/peer_json.hpp"
#include "fabricperf/run_output.hpp"
#include "fabricperf/signal_watch.hpp"
#include "fabricperf/sizes.hpp"
#include "fabricperf/version.hpp"
#ifdef FABRICPERF_HAVE_MPI
#include "fabricperf/collectives/mpi_backend.hpp"
#include "fabricperf/mpi_bootstrap.hpp"
#endif
#ifdef FABRICPERF_HAVE_NCCL
#include "fabricperf/collectives/nccl_backend.hpp"
#endif
#ifdef FABRICPERF_HAVE_TOPOLOGY
#include "fabricperf/topology/hwloc_reader.hpp"
#include "fabricperf/topology/pairing.hpp"
#endif

namespace fabricperf::collectives {
namespace {

constexpr bool kHaveMpi =
#ifdef FABRICPERF_HAVE_MPI
    true;
#else
    false;
#endif
constexpr bool kHaveNccl =
#ifdef FABRICPERF_HAVE_NCCL
    true;
#else
    false;
#endif

std::string choose_backend(const CollOptions& o) {
  if (o.backend == "ref") return "ref";
  if (o.backend == "nccl") {
    if (!kHaveNccl) throw UsageError("--backend nccl: this fp_coll was built without NCCL");
    return "nccl";
  }
  if (o.backend == "mpi") {
    if (!kHaveMpi) throw UsageError("--backend mpi: this fp_coll was built without MPI");
    return "mpi";
  }
#ifdef FABRICPERF_HAVE_NCCL
  if (visible_cuda_devices() > 0) return "nccl";
#endif
  if (kHaveMpi && !o.tcp_launch()) return "mpi";
  throw Error(std::string("--backend auto: no GPU is visible") +
              (kHaveMpi ? " and the MPI backend needs mpirun/srun, not --server/--ranks"
                        : " and this fp_coll was built without MPI"));
}

BenchConfig bench_config(const CollOptions& o) {
  BenchConfig c;
  c.colls = parse_collectives(o.colls);
  c.types = parse_data_types(o.dtype);
  c.ops = parse_red_ops(o.op);
  c.sizes = o.sizes.sizes();
  c.iters = o.iters;
  c.warmup_iters = o.warmup_iters;
  c.agg_iters = o.agg_iters;
  c.check = o.check;
  c.root = o.root;
  c.blocking = o.blocking;
  c.graph_launches = o.graph_launches;
  c.average = o.average;
  c.straggler_pct = o.straggler_pct;
  c.check_avg_busbw = o.check_avg_busbw;
  c.fault = parse_fault(o.fault);
  return c;
}

// Everything that must be equal on all processes of a TCP-bootstrapped run.
std::string run_token(const CollOptions& o) {
  return "fp_coll|" + o.colls + "|" + o.backend + "|" + o.sizes.min_size + "|" + o.sizes.max_size + "|" +
         std::to_string(o.sizes.factor) + "|" + o.sizes.increment + "|" + std::to_string(o.gpus_per_process) + "|" +
         std::to_string(o.iters) + "|" + std::to_string(o.warmup_iters) + "|" + std::to_string(o.agg_iters) + "|" +
         std::to_string(o.check) + "|" + o.op + "|" + o.dtype + "|" + std::to_string(o.root) + "|" +
         std::to_string(o.blocking) + "|" + std::to_string(o.graph_launches);
}

nlohmann::json env_or_null(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? nlohmann::json(v) : nlohmann::json(nullptr);
}

nlohmann::json nccl_environment() {
  nlohmann::json env = nlohmann::json::object();
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry(*e);
    if (entry.rfind("NCCL_", 0) != 0) continue;
    const auto eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return env;
}

#ifdef FABRICPERF_HAVE_TOPOLOGY
// The topology library's GPU -> NIC pairing of this machine, as NCCL_IB_HCA entries per GPU PCI id
// (the dedicated NICs with their first port, else the shared nearest one).
GpuNicMap topology_nic_map(const std::vector<std::pair<int, std::string>>& /*gpus*/) {
  GpuNicMap map;
  try {
    const topology::Topology topo = topology::load_live();
    const topology::Pairing pairing = topology::pair_gpus_with_nics(topo);
    for (const auto& gpu : topo.gpus) {
      const auto& a = pairing.gpus.at(static_cast<std::size_t>(gpu.index));
      if (!a.nic) continue;
      const std::vector<int> nics = a.dedicated() ? a.dedicated_nics : std::vector<int>{*a.nic};
      std::string entries;
      for (const int n : nics) {
        const auto& nic = topo.nics.at(static_cast<std::size_t>(n));
        if (nic.rdma_device.empty()) continue;
        entries += (entries.empty() ? "" : ",") + nic.rdma_device +
                   (nic.ports.empty() ? "" : ":" + std::to_string(nic.ports.front().port));
      }
      if (!entries.empty()) map.by_pci[gpu.pci.str()] = entries;
    }
  } catch (const std::exception& e) {
    FP_LOG(warn, "collectives") << "topology not available for NIC pinning: " << e.what();
  }
  return map;
}
#endif

struct Run {
  const CollOptions& options;
  std::vector<std::string> command;
  SignalWatch& guard;
  Bootstrap& bootstrap;
  RunOutput& out;
  LivenessProbe& probe;
  Watchdog& watchdog;
  std::chrono::milliseconds grace;
};

// A failure after the run started: find who is missing, write the document, end the job.
// `stalled`: a wait timed out or a signal came (the probe finds out who is missing). Otherwise
// the error came from the bootstrap or a library and names what failed itself; over TCP probing
// through the bootstrap again would only wait for the same peer a second time.
int fail(Run& run, Backend* backend, const std::string& error, const std::string& activity, int signal, bool stalled) {
  const bool interrupted = signal != 0;
  ProbeReport report;
  if (stalled || interrupted || run.bootstrap.kind() == "mpi") {
    try {
      report = run.probe.diagnose(interrupted ? std::chrono::milliseconds(300) : run.grace, run.watchdog.progress());
    } catch (const std::exception& e) {
      report.detail = std::string("liveness probe failed: ") + e.what();
    }
  }
  if (backend != nullptr) backend->abort();
  std::string message = failure_message(error, activity, report, run.bootstrap);
  if (interrupted) message += " (the launcher ends every rank when one exits or is killed)";
  const int me = run.bootstrap.rank();
  const int coordinator = coordinator_rank(report, run.bootstrap.size());
  std::cerr << "fp_coll: " << run.bootstrap.describe_rank(me) << ": " << message << '\n' << std::flush;
  if (me == 0) {
    run.out.abort(message);
  } else if (me == coordinator && run.bootstrap.kind() == "mpi" && !run.options.common.json_path.empty()) {
    // Rank 0 is gone (the MPI probe is sure of it; over TCP a client cannot tell a dead rank 0
    // from one that reported and exited): this rank writes the document, on its own host, from
    // its copy of the results.
    const auto snapshot = run.out.snapshot(RunStatus::aborted, true);
    RunOutput replacement("fp_coll", run.command, run.options.common.json_path, false);
    replacement.set_params(snapshot["params"]);
    for (const auto& host : snapshot["hosts"]) replacement.add_host(host);
    for (const auto& result : snapshot["results"]) replacement.add_result(result);
    replacement.abort(message + " [document written by " + run.bootstrap.describe_rank(me) + "]");
  }
  run.guard.done();
#ifdef FABRICPERF_HAVE_MPI
  if (run.bootstrap.kind() == "mpi" && run.bootstrap.size() > 1) {
    if (me != coordinator) {
      // Let the coordinator write and abort the job; abort ourselves if it does not.
      const auto until = Clock::now() + run.grace + std::chrono::seconds(5);
      while (Clock::now() < until) {
        run.probe.service(run.watchdog.progress());
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    }
    mpi_abort_job(1);
  }
#endif
  if (interrupted) std::_Exit(128 + signal);
  return 1;
}

int run_fp_coll(const CollOptions& o, int argc, char** argv) {
  validate(o);
  BenchConfig config = bench_config(o);
  const std::string backend_kind = choose_backend(o);
  if (backend_kind == "mpi" && o.tcp_launch())
    throw UsageError("the MPI backend is started by mpirun/srun, not --server/--ranks");
  if (backend_kind != "nccl" && o.graph_launches > 0) throw UsageError("-G (CUDA graph launch) needs the NCCL backend");
  if (backend_kind != "nccl" && o.gpus_per_process > 1)
    throw UsageError("-g applies to the NCCL backend (run one process per rank)");
  const auto timeout = std::chrono::milliseconds(static_cast<long long>(o.common.timeout_s * 1000));
  const auto command = command_line(argc, argv);

  if (!kHaveMpi && launched_by_mpi_launcher() && !o.tcp_launch())
    throw UsageError(
        "started by an MPI launcher, but this fp_coll was built without MPI: every process would run "
        "alone (launch with --ranks/--server instead)");

  SignalWatch guard;  // before MPI or CUDA start threads
  // A signal while the ranks connect still leaves the aborted document (README), written by the
  // process that will be rank 0.
  const bool first_rank = o.tcp_launch() ? o.server.empty() : detect_launcher().value_or(LauncherInfo{}).rank == 0;
  guard.set_fallback(
      [&command, json = first_rank ? o.common.json_path : std::string()](int sig) {
        if (json.empty()) return;
        RunOutput early("fp_coll", command, json, /*handle_signals=*/false);
        early.abort(std::string("interrupted by SIG") + sigabbrev_np(sig) +
                    " in the bootstrap, while waiting for the other ranks: nothing was measured");
      },
      std::chrono::milliseconds(700));
  std::unique_ptr<Bootstrap> bootstrap;
  if (o.tcp_launch() && !(o.ranks == 1 && o.server.empty())) {
    TcpBootstrapConfig tcp;
    tcp.server = o.server;
    tcp.port = static_cast<std::uint16_t>(o.port);
    tcp.ranks = o.ranks;
    tcp.timeout = timeout;
    tcp.token = run_token(o);
    tcp.secret = o.token;
    tcp.bind_address = o.bind_address;
    bootstrap = make_tcp_bootstrap(tcp);
  } else if (kHaveMpi && !o.tcp_launch() && (launched_by_mpi_launcher() || backend_kind == "mpi")) {
#ifdef FABRICPERF_HAVE_MPI
    bootstrap = make_mpi_bootstrap(&argc, &argv, timeout);
#endif
  } else {
    bootstrap = make_single_process_bootstrap();
  }
  const int rank = bootstrap->rank();
  const int processes = bootstrap->size();
  if (config.root >= processes * o.gpus_per_process)
    throw UsageError("-r " + std::to_string(config.root) + ": root must be below the number of ranks (" +
                     std::to_string(processes * o.gpus_per_process) + ")");

  RunOutput out("fp_coll", command, rank == 0 ? o.common.json_path : "", /*handle_signals=*/false);
  guard.set_fallback(
      [&out, &bootstrap, json = rank == 0 ? o.common.json_path : std::string()](int sig) {
        // Busy (not waiting) when the launcher ended the job: usually this rank is the one that
        // hung, and the coordinator already wrote a document naming it; keep that one.
        if (!json.empty() && json != "-") {
          std::ifstream in(json);
          const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
          if (text.find("[document written by rank") != std::string::npos) return;
        }
        out.abort("interrupted by signal " + std::to_string(sig) + " on " +
                  bootstrap->describe_rank(bootstrap->rank()) + " while busy (no liveness probe)");
      },
      std::chrono::milliseconds(700));

  std::unique_ptr<LivenessProbe> probe;
#ifdef FABRICPERF_HAVE_MPI
  if (bootstrap->kind() == "mpi") probe = make_mpi_probe();
#endif
  if (!probe) probe = processes > 1 ? make_bootstrap_probe(*bootstrap) : std::make_unique<NullProbe>();
  const auto grace = probe_grace(timeout);
  Watchdog watchdog(timeout - grace, guard.flag(), probe.get());
  Run run{o, command, guard, *bootstrap, out, *probe, watchdog, grace};

  std::unique_ptr<Backend> backend;
  std::string activity = "starting the " + backend_kind + " backend";
  try {
    if (backend_kind == "ref") {
      backend = make_ref_backend(*bootstrap);
    } else if (backend_kind == "mpi") {
#ifdef FABRICPERF_HAVE_MPI
      backend = make_mpi_backend();
#endif
    } else {
#ifdef FABRICPERF_HAVE_NCCL
      NcclBackendConfig nc;
      nc.gpus_per_process = o.gpus_per_process;
      const auto launcher = detect_launcher();
      nc.local_rank = launcher && launcher->local_rank ? *launcher->local_rank
                                                       : local_rank_from_hosts(bootstrap->hostnames(), rank);
      nc.nic_map = parse_gpu_nic_map(o.gpu_nic_map);
      nc.no_nic_pinning = o.no_nic_pinning;
#ifdef FABRICPERF_HAVE_TOPOLOGY
      nc.topology = topology_nic_map;
#endif
      backend = make_nccl_backend(nc, *bootstrap, watchdog);
#endif
    }
    if (!backend) throw Error("backend " + backend_kind + " is not available in this build");

    activity = "exchanging host and device information";
    const auto hosts = bootstrap->all_gather(collect_host_info().dump());
    std::vector<std::string> seen;
    for (std::size_t r = 0; r < hosts.size(); ++r) {
      // Checked before it is stored: a rank's host info goes into the document as it is.
      auto host = parse_peer_host_info(hosts[r], bootstrap->describe_rank(static_cast<int>(r)));
      const std::string name = host.value("hostname", "");
      if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
      seen.push_back(name);
      out.add_host(std::move(host));
    }
    nlohmann::json mine = nlohmann::json::array();
    for (auto& d : backend->devices()) mine.push_back(d);
    nlohmann::json devices = nlohmann::json::array();
    const auto all_devices = bootstrap->all_gather(mine.dump());
    for (std::size_t r = 0; r < all_devices.size(); ++r) {
      const std::string peer = bootstrap->describe_rank(static_cast<int>(r));
      auto list = parse_peer_json(all_devices[r], peer, "device list", 1U << 20, 3);
      if (!list.is_array()) throw PeerError(peer, peer + " sent a device list that is not a list");
      for (auto& d : list) {
        if (!d.is_object()) throw PeerError(peer, peer + " sent a device that is not an object");
        devices.push_back(std::move(d));
      }
    }

    nlohmann::json params = backend->describe();
    params["tool_version"] = std::string(kVersion);
    params["colls"] = nlohmann::json::array();
    for (const auto c : config.colls) params["colls"].push_back(std::string(to_string(c)));
    params["dtypes"] = nlohmann::json::array();
    for (const auto t : config.types) params["dtypes"].push_back(std::string(to_string(t)));
    params["ops"] = nlohmann::json::array();
    for (const auto op : config.ops) params["ops"].push_back(std::string(to_string(op)));
    params["bootstrap"] = std::string(bootstrap->kind());
    params["ranks"] = backend->nranks();
    params["processes"] = processes;
    params["gpus_per_process"] = backend->local_ranks();
    params["sizes_bytes"] = config.sizes;
    params["min_bytes"] = config.sizes.front();
    params["max_bytes"] = config.sizes.back();
    if (o.sizes.increment != "0") {
      params["step_bytes"] = parse_size(o.sizes.increment, true);
    } else {
      params["step_factor"] = o.sizes.factor;
    }
    params["iters"] = config.iters;
    params["warmup_iters"] = config.warmup_iters;
    params["agg_iters"] = config.agg_iters;
    params["check"] = config.check;
    params["root"] = config.root;
    params["blocking"] = config.blocking;
    params["cuda_graph_launches"] = config.graph_launches;
    params["average"] = config.average;
    params["timeout_s"] = o.common.timeout_s;
    params["straggler_pct"] = config.straggler_pct;
    if (!params.contains("nccl_version")) params["nccl_version"] = nullptr;
    params["NCCL_ALGO"] = env_or_null("NCCL_ALGO");
    params["NCCL_PROTO"] = env_or_null("NCCL_PROTO");
    params["nccl_env"] = nccl_environment();
    params["devices"] = devices;
    out.set_params(params);

    if (rank == 0) {
      auto& h = out.human();
      std::string library = "reference";
      if (params.contains("nccl_version") && params["nccl_version"].is_string())
        library = "NCCL " + params["nccl_version"].get<std::string>();
      else if (params.contains("mpi_version"))
        library = params["mpi_version"].get<std::string>();
      h << "# fp_coll " << kVersion << ": backend " << backend->name() << " (" << library << "), bootstrap "
        << bootstrap->kind() << ", " << backend->nranks() << " ranks in " << processes << " processes on "
        << seen.size() << (seen.size() == 1 ? " host\n" : " hosts\n");
      h << "# nThread 1 nGpus " << backend->local_ranks() << " minBytes " << config.sizes.front() << " maxBytes "
        << config.sizes.back() << " step: "
        << (o.sizes.increment != "0" ? std::to_string(parse_size(o.sizes.increment, true)) + "(bytes)"
                                      : [&] {
                                          char f[32];
                                          std::snprintf(f, sizeof f, "%g(factor)", o.sizes.factor);
                                          return std::string(f);
                                        }())
        << " warmup iters: " << config.warmup_iters << " iters: " << config.iters << " agg iters: " << config.agg_iters
        << " validation: " << config.check << " graph: " << config.graph_launches << '\n';
      if (config.blocking == 1) h << "# Blocking Enabled: wait and barrier after each collective\n";
      if (config.blocking == 2) h << "# Blocking Enabled: wait after each collective, no barrier\n";
      h << "#\n# Using devices\n";
      for (const auto& d : devices) {
        char line[512];
        std::snprintf(line, sizeof line, "#  Rank %2d Group  0 Pid %6d on %10s device %2s [%s] %s%s\n",
                      d.value("rank", 0), d.value("pid", 0), d.value("host", std::string("?")).c_str(),
                      d["device"].is_string() ? d["device"].get<std::string>().c_str()
                                              : std::to_string(d["device"].get<int>()).c_str(),
                      d.value("pci", std::string("-")).c_str(), d.value("name", std::string("")).c_str(),
                      d.contains("nic") ? (" NCCL_IB_HCA " + d["nic"].get<std::string>()).c_str() : "");
        h << line;
      }
      h << std::flush;
    }

    // Rows reach the document as they are measured (checkpointed); the checks of the collectives
    // that completed reach it whatever happens next.
    Harness harness(config, *bootstrap, *backend, watchdog, out.human(),
                    [&out](const nlohmann::json& row) { out.add_result(row); });
    const auto add_checks = [&out, &harness] {
      for (const auto& check : harness.output().checks) out.add_check(check);
    };
    try {
      harness.run();
    } catch (const std::exception&) {
      activity = harness.current();
      add_checks();
      throw;
    }
    add_checks();
    params["avg_busbw_GBps"] = harness.avg_busbw();
    out.set_params(params);
    if (rank == 0) out.human() << "#\n# Collective test concluded: fp_coll\n" << std::flush;
    guard.done();
    return out.finish(RunStatus::ok);
  } catch (const UsageError&) {
    throw;
  } catch (const Interrupted& e) {
    return fail(run, backend.get(), e.what(), activity, e.signal(), true);
  } catch (const StallError& e) {
    return fail(run, backend.get(), e.what(), activity, guard.flag()->load(), true);
  } catch (const std::exception& e) {
    return fail(run, backend.get(), e.what(), activity, guard.flag()->load(), false);
  }
}

}  // namespace

int fp_coll_main(int argc, char** argv) {
  CLI::App app{"fp_coll: collective bandwidth in nccl-tests' terms (all_reduce, all_gather, ...) over NCCL or MPI",
               "fp_coll"};
  CollOptions options;
  add_coll_options(app, options);
  return run_main(app, argc, argv, [&] { return run_fp_coll(options, argc, argv); });
}

}  // namespace fabricperf::collectives
