#include "fabricperf/collectives/options.hpp"

#include "fabricperf/collectives/launch.hpp"
#include "fabricperf/error.hpp"

namespace fabricperf::collectives {
namespace {

int parse_int(const std::string& text, const std::string& what) {
  try {
    std::size_t used = 0;
    const long long v = std::stoll(text, &used, 10);
    if (used != text.size() || v < 0 || v > 2147483647LL) throw std::invalid_argument(text);
    return static_cast<int>(v);
  } catch (const std::exception&) {
    throw UsageError("invalid " + what + " '" + text + "' in --inject-fault");
  }
}

}  // namespace

FaultInjection parse_fault(const std::string& text) {
  FaultInjection f;
  if (text.empty()) return f;
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    const auto colon = text.find(':', start);
    fields.push_back(text.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (fields.size() < 2) throw UsageError("invalid --inject-fault '" + text + "' (use hang:RANK[:AFTER], exit:RANK[:AFTER] or slow:RANK:US)");
  if (fields[0] == "hang") f.kind = FaultInjection::Kind::hang;
  else if (fields[0] == "exit") f.kind = FaultInjection::Kind::exit;
  else if (fields[0] == "slow") f.kind = FaultInjection::Kind::slow;
  else throw UsageError("invalid --inject-fault kind '" + fields[0] + "' (hang, exit or slow)");
  f.rank = parse_int(fields[1], "rank");
  if (f.kind == FaultInjection::Kind::slow) {
    if (fields.size() != 3) throw UsageError("invalid --inject-fault '" + text + "' (use slow:RANK:MICROSECONDS)");
    f.slow_us = parse_int(fields[2], "microseconds");
  } else if (fields.size() == 3) {
    f.after = parse_int(fields[2], "operation number");
  } else if (fields.size() > 3) {
    throw UsageError("invalid --inject-fault '" + text + "'");
  }
  return f;
}

void add_coll_options(CLI::App& app, CollOptions& o) {
  app.add_option("--coll", o.colls,
                 "Collectives: all_reduce, all_gather, reduce_scatter, alltoall, broadcast, reduce, sendrecv, "
                 "gather, scatter (comma-separated) or all")
      ->capture_default_str();
  app.add_option("--backend", o.backend,
                 "nccl (GPU), mpi (host memory), auto (NCCL when a GPU is visible, else MPI), or ref (reference "
                 "collectives over the bootstrap, for launch and correctness tests: not a measurement)")
      ->check(CLI::IsMember({"nccl", "mpi", "auto", "ref"}))
      ->capture_default_str();
  add_nccl_size_options(app, o.sizes);
  app.add_option("-g,--ngpus", o.gpus_per_process, "GPUs per process (NCCL backend)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("-n,--iters", o.iters, "Timed iterations per size")->check(CLI::Range(1, 1 << 30))->capture_default_str();
  app.add_option("-w,--warmup_iters", o.warmup_iters, "Untimed warm-up iterations per size")
      ->check(CLI::Range(0, 1 << 30))
      ->capture_default_str();
  app.add_option("-m,--agg_iters", o.agg_iters, "Collectives aggregated into one group per iteration")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  app.add_option("-c,--check", o.check, "Check results: number of checked runs per size (0 = no check)")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  app.add_option("-o,--op", o.op, "Reduction op: sum, prod, max, min, avg (comma-separated) or all")->capture_default_str();
  app.add_option("-d,--datatype", o.dtype,
                 "Datatype: int8, uint8, int32, uint32, int64, uint64, half, float, double, bfloat16 "
                 "(comma-separated) or all")
      ->capture_default_str();
  app.add_option("-r,--root", o.root, "Root rank of broadcast, reduce, gather, scatter")
      ->check(integer_in(0, 1 << 30))
      ->capture_default_str();
  app.add_option("-z,--blocking", o.blocking,
                 "1: wait and barrier after each collective, 2: wait without barrier, 0: no wait")
      ->check(CLI::Range(0, 2))
      ->capture_default_str();
  app.add_option("-G,--cudagraph", o.graph_launches, "Capture the iterations as a CUDA graph and launch it N times (NCCL)")
      ->check(CLI::Range(0, 1 << 20))
      ->capture_default_str();
  app.add_option("-a,--average", o.average, "Reported time: 0 = rank 0, 1 = average, 2 = minimum, 3 = maximum over ranks")
      ->check(CLI::Range(0, 3))
      ->capture_default_str();
  app.add_option("--straggler-pct", o.straggler_pct,
                 "Name the slowest rank when it is more than this many percent behind the others' median")
      ->check(number_in(0, 1e6))
      ->capture_default_str();
  app.add_option("--check-avg-busbw", o.check_avg_busbw,
                 "Fail when a collective's average bus bandwidth is below 90% of this (GB/s), as nccl-tests' check")
      ->check(number_in(0, 1e9))
      ->type_name("GBPS");
  add_common_options(app, o.common);
  auto* launch = "Launch without MPI (fabricperf TCP bootstrap)";
  app.add_option("--server", o.server, "Join the run whose rank 0 runs on HOST")->type_name("HOST")->group(launch);
  app.add_option("--ranks", o.ranks, "Number of processes in a TCP-bootstrapped run (on every process)")
      ->check(CLI::Range(1, 1 << 20))
      ->group(launch);
  app.add_option("--port", o.port, "TCP bootstrap port")->check(CLI::Range(1, 65535))->capture_default_str()->group(launch);
  app.add_option("--token", o.token, "Shared secret every process of a TCP-bootstrapped run must give")->group(launch);
  app.add_option("--bind", o.bind_address, "Address rank 0 listens on")->group(launch);
  auto* placement = "GPU and NIC placement";
  app.add_option("--gpu-nic-map", o.gpu_nic_map,
                 "NIC per local GPU for NCCL_IB_HCA, e.g. 0=mlx5_0,1=mlx5_1:1 (default: the topology library's choice)")
      ->group(placement);
  app.add_flag("--no-nic-pinning", o.no_nic_pinning, "Leave NCCL_IB_HCA alone")->group(placement);
  app.add_option("--inject-fault", o.fault, "Testing: hang:RANK[:AFTER], exit:RANK[:AFTER] or slow:RANK:US")
      ->group("");
  app.footer(
      "Launch one process per GPU with mpirun/srun, or without MPI: rank 0 runs with --ranks N, the others "
      "with --ranks N --server HOST. The size columns and bandwidth formulas are nccl-tests'.");
}

void validate(const CollOptions& o) {
  (void)parse_collectives(o.colls);
  (void)parse_data_types(o.dtype);
  (void)parse_red_ops(o.op);
  (void)o.sizes.sizes();
  (void)parse_fault(o.fault);
  (void)parse_gpu_nic_map(o.gpu_nic_map);
  if (!o.server.empty() && o.ranks < 2) throw UsageError("--server needs --ranks N (N >= 2, all processes)");
}

}  // namespace fabricperf::collectives
