#pragma once
// fp_suite's command line and its two modes: --dry-run (print the plan for a cluster of a given
// shape, run nothing) and a live run (one MPI job, or standalone over TCP, or one process).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fabricperf/runners/plan.hpp"

namespace fabricperf::runners {

struct SuiteOptions {
  Plan plan;
  std::vector<std::string> command_line;
  std::string json_path;
  bool per_node = false;
  bool quiet = false;
  // --dry-run
  bool dry_run = false;
  int nodes = 0;
  int rails = 0;
  int gpus_per_node = -1;  // -1: default_gpus_per_node(plan)
  double line_rate_gbps = 400;
  // --simulate (with --nodes, --rails, --line-rate-gbps): the adaptive verdict on a simulated fabric
  bool simulate = false;
  std::size_t faults = 1;
  std::size_t scenarios = 1;
  std::uint64_t seed = 1;
  std::string fault_kinds;  // comma list; empty: every kind
  double noise_pct = 1.0;
  // Standalone (TCP) bootstrap: --ranks N on rank 0, --connect HOST on the others.
  int ranks = 0;
  std::string connect;
  int port = 18515;
  std::string token;
};

int suite_main(int argc, char** argv);

// The live run (suite.cpp). argc/argv go to MPI_Init.
int run_suite(const SuiteOptions& options, int* argc, char*** argv);
// The dry run: plan, table, optional JSON document with one result per stage.
int run_dry(const SuiteOptions& options);
// The simulation (simulate.hpp): table of fault kinds, JSON document with one row per kind.
int run_simulation(const SuiteOptions& options);

}  // namespace fabricperf::runners
