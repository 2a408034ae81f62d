#pragma once
// fp_coll's command line: nccl-tests' options (same letters, same defaults) plus fabricperf's
// (--coll, --backend, --json, --timeout, --straggler-pct, TCP launch, NIC pinning).
#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "fabricperf/cli.hpp"
#include "fabricperf/collectives/collective.hpp"
#include "fabricperf/collectives/types.hpp"

namespace fabricperf::collectives {

// Testing aid (hidden option --inject-fault): makes one rank misbehave at a given operation.
struct FaultInjection {
  enum class Kind { none, hang, exit, slow };
  Kind kind = Kind::none;
  int rank = -1;              // process rank that misbehaves
  std::int64_t after = 0;     // hang/exit: at this launch number (0 = first timed launch)
  double slow_us = 0;         // slow: added to this rank's measured time per row
};
// "hang:RANK[:AFTER]", "exit:RANK[:AFTER]", "slow:RANK:MICROSECONDS"; "" = none.
[[nodiscard]] FaultInjection parse_fault(const std::string& text);

struct CollOptions {
  std::string colls = "all_reduce";
  std::string backend = "auto";
  NcclSizeOptions sizes;         // -b -e -f -i
  int gpus_per_process = 1;      // -g
  int iters = 20;                // -n
  int warmup_iters = 1;          // -w
  int agg_iters = 1;             // -m
  int check = 1;                 // -c
  std::string op = "sum";        // -o
  std::string dtype = "float";   // -d
  int root = 0;                  // -r
  int blocking = 0;              // -z
  int graph_launches = 0;        // -G
  int average = 1;               // -a
  double straggler_pct = 10.0;   // --straggler-pct
  double check_avg_busbw = -1;   // --check-avg-busbw: fail below 90% of it (nccl-tests' footer rule)
  CommonOptions common;          // --json --timeout
  // TCP bootstrap (no MPI launcher)
  std::string server;            // --server HOST (clients)
  int ranks = 0;                 // --ranks N (all processes, server included)
  int port = 18515;              // --port
  std::string token;             // --token
  std::string bind_address;      // --bind
  // Device and NIC placement
  std::string gpu_nic_map;       // --gpu-nic-map 0=mlx5_0,1=mlx5_1
  bool no_nic_pinning = false;   // --no-nic-pinning
  std::string fault;             // --inject-fault (hidden)

  [[nodiscard]] bool tcp_launch() const noexcept { return !server.empty() || ranks > 0; }
};

void add_coll_options(CLI::App& app, CollOptions& options);

// Checks combinations CLI11 cannot (e.g. -G without NCCL is refused later, by backend choice).
// Throws UsageError.
void validate(const CollOptions& options);

}  // namespace fabricperf::collectives
