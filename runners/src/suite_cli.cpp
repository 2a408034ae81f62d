#include "fabricperf/runners/suite_cli.hpp"

#include <iostream>
#include <limits>

#include "fabricperf/cli.hpp"
#include "fabricperf/error.hpp"
#include "fabricperf/run_output.hpp"
#include "fabricperf/runners/simulate.hpp"
#include "fabricperf/runners/suite_plan.hpp"
#include "fabricperf/runners/summary.hpp"

namespace fabricperf::runners {
namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

nlohmann::json string_list(const std::string& text) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : split_list(text)) out.push_back(s);
  return out;
}

ClusterShape planned_shape(const SuiteOptions& o) {
  ClusterShape shape;
  shape.nodes = o.nodes;
  shape.rails = o.rails > 0 ? o.rails : (o.plan.verbs.rails > 0 ? o.plan.verbs.rails : 1);
  shape.gpus_per_node = o.gpus_per_node >= 0 ? o.gpus_per_node : default_gpus_per_node(o.plan);
  shape.ranks_per_node = o.per_node ? 1 : std::max(shape.gpus_per_node, 1);
  shape.line_rate_gbps = o.line_rate_gbps;
  return shape;
}

std::vector<FaultKind> parse_fault_kinds(const std::string& text) {
  std::vector<FaultKind> out;
  std::string names;
  for (auto k : kFaultKinds) names += (names.empty() ? "" : ", ") + std::string(fault_kind_name(k));
  for (const auto& item : split_list(text)) {
    const auto* it = std::find_if(std::begin(kFaultKinds), std::end(kFaultKinds),
                                  [&](FaultKind k) { return fault_kind_name(k) == item; });
    if (it == std::end(kFaultKinds))
      throw UsageError("--fault-kinds: unknown fault kind '" + item + "' (kinds: " + names + ")");
    out.push_back(*it);
  }
  if (out.empty()) throw UsageError("--fault-kinds: expected a comma list of fault kinds (" + names + ")");
  return out;
}

}  // namespace

int run_dry(const SuiteOptions& o) {
  if (o.nodes < 1) throw UsageError("--dry-run needs --nodes N (the cluster to plan for)");
  const ClusterShape shape = planned_shape(o);
  const auto schedule = plan_suite(o.plan, shape);
  RunOutput out("fp_suite", o.command_line, o.json_path);
  print_schedule(out.human(), schedule, o.plan.name);
  if (!o.plan.runs("reach") && o.plan.verbs.mode == "adaptive")
    out.human() << "not in this plan: the reach mesh over all pairs (issue 18's stage) would add "
                << format_duration(reach_mesh_estimate_s(shape, CostModel{})) << "\n";
  out.set_params({{"dry_run", true},
                  {"plan", to_json(o.plan)},
                  {"shape",
                   {{"nodes", shape.nodes},
                    {"rails", shape.rails},
                    {"gpus_per_node", shape.gpus_per_node},
                    {"ranks_per_node", shape.ranks_per_node},
                    {"line_rate_gbps", shape.line_rate_gbps}}},
                  {"estimated_s", schedule.estimated_s}});
  for (const auto& st : schedule.stages) out.add_result(to_result(st, shape));
  return out.finish(RunStatus::ok);
}

int run_simulation(const SuiteOptions& o) {
  if (o.nodes < 2) throw UsageError("--simulate needs --nodes N with N >= 2 (the fabric to simulate)");
  if (o.faults > static_cast<std::size_t>(o.nodes))
    throw UsageError("--faults " + std::to_string(o.faults) + " is more than the " + std::to_string(o.nodes) +
                     " nodes (faults land on distinct nodes)");
  SimulateOptions sim;
  sim.plan = o.plan;
  sim.shape = planned_shape(o);
  sim.faults = o.faults;
  sim.scenarios = o.scenarios;
  sim.seed = o.seed;
  sim.noise_pct = o.noise_pct;
  if (!o.fault_kinds.empty()) sim.kinds = parse_fault_kinds(o.fault_kinds);
  const auto summary = simulate(sim);
  RunOutput out("fp_suite", o.command_line, o.json_path);
  auto& os = out.human();
  os << "fp_suite --simulate: " << sim.shape.nodes << " nodes x " << sim.shape.rails << " rails, " << summary.scenarios
     << " scenario(s) of " << sim.faults << " fault(s), seed " << sim.seed << ", " << format_duration(summary.wall_s)
     << " wall\n";
  print_simulation(os, summary.rows);
  if (!summary.examples.empty()) {
    os << "first scenario's verdict:\n";
    for (const auto& e : summary.examples) os << "  " << e << "\n";
  }
  out.set_params(
      {{"simulate", true},
       {"plan", to_json(sim.plan)},
       {"shape",
        {{"nodes", sim.shape.nodes}, {"rails", sim.shape.rails}, {"line_rate_gbps", sim.shape.line_rate_gbps}}},
       {"faults", sim.faults},
       {"scenarios", sim.scenarios},
       {"seed", sim.seed},
       {"noise_pct", sim.noise_pct},
       {"wall_s", summary.wall_s}});
  for (const auto& row : summary.rows) out.add_result(row);
  const auto& all = summary.rows.back();
  Check c;
  c.name = "simulate_attribution";
  const double pct = all["attributed_pct"].get<double>();
  const auto healthy = all["healthy_nodes_accused"].get<std::size_t>();
  const bool ok = (all["injected"].get<std::size_t>() == 0 || pct >= 99.0) && healthy == 0;
  c.status = ok ? CheckStatus::pass : CheckStatus::fail;
  c.expected = {{"min_attributed_pct", 99.0}, {"healthy_nodes_accused", 0}};
  c.measured = {{"attributed_pct", pct}, {"healthy_nodes_accused", healthy}};
  c.detail = std::to_string(all["attributed_correctly"].get<std::size_t>()) + " of " +
             std::to_string(all["injected"].get<std::size_t>()) + " injected faults attributed correctly, " +
             std::to_string(healthy) + " healthy nodes accused";
  c.labels = {{"stage", "simulate"}};
  out.add_check(c);
  return out.finish(RunStatus::ok);
}

int suite_main(int argc, char** argv) {
  CLI::App app{
      "Validate an RDMA fabric end to end as one MPI job: preflight (fingerprints, topology), verbs bandwidth and "
      "latency between every pair of nodes on every rail, GPUDirect RDMA, collectives, and fabric stress — each "
      "judged against line rate and against its peers. Run under `mpirun`/`srun --mpi=pmix` (one rank per GPU, or "
      "--per-node), standalone (--ranks N on rank 0, --ranks N --connect HOST on the others), or plan only with "
      "--dry-run.",
      "fp_suite"};
  CommonOptions common;
  common.timeout_s = 120;
  add_common_options(app, common);
  app.get_option("--timeout")
      ->description(
          "Seconds to wait for any peer before giving up (default: the plan's timeout_s, 120 in quick, 300 in go-live "
          "and regression)")
      ->default_str("");

  std::string preset, plan_file;
  std::vector<std::string> sets, skip_stages;
  std::string stages, bw_sizes, lat_sizes, devices, coll_ops, coll_min, coll_max, backend;
  std::vector<std::string> busbw_floors;
  std::uint64_t iterations = 0, max_rounds = 0, seed = 0;
  double bw_duration = -1, expect_pct = -1, expect_lat = -1, outlier_k = -1, connect_timeout = 0;
  double window_ms = -1, expect_bw_min_pct = -1, expect_bw_min_gbps = -1;
  int gid_index = -2;
  bool list_presets = false, print_plan = false, exhaustive = false;
  int nodes_per_leaf = -1;
  double oversubscription = -1;
  SuiteOptions o;

  app.add_option("--preset", preset, "Built-in plan: quick, go-live, regression, reach (default quick)");
  app.add_option("--plan", plan_file, "Plan file (JSON; may `extends` a preset); see runners/README.md")
      ->type_name("FILE");
  app.add_option("--stages", stages,
                 "Run only these stages (comma list, run in the fixed order): preflight, "
                 "verbs_bw, verbs_lat, gdr, collectives, stress");
  app.add_option("--skip-stage", skip_stages, "Skip a stage (repeatable)");
  app.add_option("--set", sets, "Override any plan key: --set verbs.bw.iterations=100 (repeatable)")
      ->type_name("KEY=VALUE");
  app.add_option("--iterations", iterations,
                 "Iterations for every measurement (bw, lat, gdr, stress, collectives; replaces a preset's -D time)")
      ->check(integer_in(1, 1LL << 40));
  app.add_option("--bw-sizes", bw_sizes, "verbs_bw message sizes, e.g. 64K,1M");
  app.add_option("--lat-sizes", lat_sizes, "verbs_lat message sizes, e.g. 2,4K");
  app.add_option("--bw-duration", bw_duration, "Seconds per bandwidth measurement (time-based instead of iterations)")
      ->check(number_above(0, 86400));
  app.add_option("--connect-timeout", connect_timeout,
                 "reach: seconds a pair may take to connect and answer before it is \"connect timed out\" (default 2)");
  app.add_option("--window-ms", window_ms,
                 "Window of the verbs_bw minimum bandwidth and its variation (bw_min_gbps, bw_cv; default 100)")
      ->check(number_in(1, 3.6e6));
  app.add_option("--max-rounds", max_rounds, "Only the first N rounds of node pairs (0: all pairs)")
      ->check(integer_in(0, 1LL << 30));
  app.add_option("--rails", o.rails, "Rails (NICs per node) to test; with --dry-run: the cluster's rails")
      ->check(integer_in(1, 64));
  app.add_option("--devices", devices, "RDMA devices in rail order, e.g. mlx5_0,mlx5_3 (default: every ACTIVE port)");
  app.add_option("--gid-index", gid_index, "GID index for RoCE (default: automatic)")->check(integer_in(-1, 255));
  app.add_option("--seed", seed,
                 "Seed of the stress permutations and the adaptive rounds; with --simulate also of the faults")
      ->check(integer_in(0, std::numeric_limits<long long>::max()));
  app.add_option("--coll-ops", coll_ops, "Collectives, e.g. all_reduce,all_gather");
  app.add_option("--coll-min-size", coll_min, "Smallest collective size");
  app.add_option("--coll-max-size", coll_max, "Largest collective size");
  app.add_option("--backend", backend, "Collectives backend: auto, nccl, mpi");
  app.add_option("--expect-line-rate-pct", expect_pct,
                 "Bandwidth expectation in % of line rate (default 90); also judges software RDMA (Soft-RoCE)")
      ->check(number_in(0, 200));
  app.add_option("--expect-lat-max-us", expect_lat, "Latency ceiling in us (default 5); also judges software RDMA")
      ->check(number_above(0, 1e9));
  app.add_option("--expect-bw-min-pct", expect_bw_min_pct,
                 "Floor for every verbs_bw link's slowest window in % of its line rate: a link that dips below "
                 "FAILS even when its average passes (judged on software RDMA too)")
      ->check(number_above(0, 200));
  app.add_option("--expect-bw-min-gbps", expect_bw_min_gbps,
                 "The same floor in Gb/s (with --expect-bw-min-pct: the higher of the two)")
      ->check(number_above(0, 1e6));
  app.add_option("--expect-busbw-GBps", busbw_floors, "busbw floor per collective: all_reduce=300 (repeatable)")
      ->type_name("OP=GBPS");
  app.add_option("--outlier-k", outlier_k, "Robust z threshold for peer outliers (default 5)")
      ->check(number_in(0.5, 1000));
  app.add_flag("--per-node", o.per_node, "One rank per node driving every NIC and GPU (default: one rank per GPU)");
  app.add_flag("--exhaustive", exhaustive,
               "verbs_bw/verbs_lat over every pair of nodes (N-1 rounds) instead of go-live's adaptive rounds");
  app.add_option("--nodes-per-leaf", nodes_per_leaf, "Nodes per leaf switch group (rail-optimized; 0: one leaf)")
      ->check(integer_in(0, 1 << 20));
  app.add_option("--oversubscription", oversubscription, "Leaf downlink:uplink capacity (1 = non-blocking)")
      ->check(number_in(1, 64));
  app.add_flag("--simulate", o.simulate,
               "Run the adaptive verdict (rounds, retests, attribution) on a simulated fabric of --nodes x --rails "
               "with --faults injected per scenario; run nothing");
  app.add_option("--faults", o.faults, "--simulate: faults injected per scenario (default 1)")
      ->check(integer_in(0, 1 << 20));
  app.add_option("--scenarios", o.scenarios, "--simulate: scenarios to run, seeds SEED, SEED+1, ... (default 1)")
      ->check(integer_in(1, 1 << 24));
  app.add_option("--fault-kinds", o.fault_kinds,
                 "--simulate: kinds to draw from: slow_nic, dead_nic, bad_cable, flapping_link, slow_node, "
                 "miscabled_rail (default all)");
  app.add_option("--noise-pct", o.noise_pct, "--simulate: per-flow noise, % of the rate (default 1)")
      ->check(number_in(0, 20));
  app.add_flag("--dry-run", o.dry_run,
               "Print the plan (stages, rounds, pairs, estimate) for --nodes/--rails; run nothing");
  app.add_option("--nodes", o.nodes, "--dry-run/--simulate: nodes in the cluster")->check(integer_in(1, 1 << 20));
  app.add_option("--gpus-per-node", o.gpus_per_node,
                 "--dry-run: GPUs per node (default 8, an HGX node, when the plan runs gdr; 0: no GPUs)")
      ->check(integer_in(0, 64));
  app.add_option("--line-rate-gbps", o.line_rate_gbps, "--dry-run: port line rate for the estimate")
      ->check(number_above(0, 1e6))
      ->capture_default_str();
  app.add_option("--ranks", o.ranks,
                 "Standalone (no MPI launcher): the job has N ranks; without --connect this is rank 0")
      ->check(integer_in(1, 1 << 20));
  app.add_option("--connect", o.connect, "Standalone: connect to rank 0 on HOST (with --ranks)")->type_name("HOST");
  app.add_option("--port", o.port, "Standalone: rank 0's TCP port")->check(tcp_port())->capture_default_str();
  app.add_option("--token", o.token, "Standalone: shared secret every rank must present");
  app.add_flag("--quiet", o.quiet, "No progress lines on stderr");
  app.add_flag("--list-presets", list_presets, "List the presets and exit");
  app.add_flag("--print-plan", print_plan, "Print the resolved plan (JSON) and exit");
  app.get_option("--plan")->excludes(app.get_option("--preset"));
  app.get_option("--simulate")->excludes(app.get_option("--dry-run"));
  for (const char* name : {"--faults", "--scenarios", "--fault-kinds", "--noise-pct"})
    app.get_option(name)->needs(app.get_option("--simulate"));
  app.get_option("--connect")->needs(app.get_option("--ranks"));

  return run_main(app, argc, argv, [&]() -> int {
    if (list_presets) {
      for (const auto& name : preset_names()) {
        const auto p = load_preset(name);
        std::cout << name << ": " << p.description << "\n";
      }
      return 0;
    }
    // --plan '' is an empty file name (refused), not "no plan".
    // --simulate judges go-live's adaptive verdict unless told otherwise.
    const std::string default_preset = o.simulate ? "go-live" : "quick";
    Plan plan =
        app.count("--plan") == 0 ? load_preset(preset.empty() ? default_preset : preset) : load_plan_file(plan_file);
    // Named options are shorthands for --set; they apply first, explicit --set last.
    auto set = [&](const std::string& key, const nlohmann::json& value) {
      apply_setting(plan, key + "=" + value.dump());
    };
    if (app.count("--timeout")) set("timeout_s", common.timeout_s);
    if (iterations > 0) {
      for (const char* key : {"verbs.bw.iterations", "verbs.lat.iterations", "gdr.iterations", "stress.iterations",
                              "collectives.iterations"})
        set(key, iterations);
      // A count replaces a preset's time-based measurement (--bw-duration brings it back).
      set("verbs.bw.duration_s", 0);
      set("stress.duration_s", 0);
    }
    if (!bw_sizes.empty()) set("verbs.bw.sizes", string_list(bw_sizes));
    if (!lat_sizes.empty()) set("verbs.lat.sizes", string_list(lat_sizes));
    if (bw_duration >= 0) set("verbs.bw.duration_s", bw_duration);
    if (window_ms > 0) set("verbs.bw.window_ms", window_ms);
    if (expect_bw_min_pct > 0) set("expect.bw_min_line_rate_pct", expect_bw_min_pct);
    if (expect_bw_min_gbps > 0) set("expect.bw_min_gbps", expect_bw_min_gbps);
    if (app.count("--max-rounds")) set("verbs.max_rounds", max_rounds);
    if (app.count("--connect-timeout")) set("reach.connect_timeout_s", connect_timeout);
    if (o.rails > 0 && !o.dry_run && !o.simulate) set("verbs.rails", o.rails);
    if (!devices.empty()) set("verbs.devices", string_list(devices));
    if (gid_index != -2) set("verbs.gid_index", gid_index);
    if (app.count("--seed")) {
      set("stress.seed", seed);
      set("verbs.adaptive.seed", seed);
      o.seed = seed;
    }
    if (exhaustive) set("verbs.mode", "all_pairs");
    if (nodes_per_leaf >= 0) set("fabric.nodes_per_leaf", nodes_per_leaf);
    if (oversubscription >= 0) set("fabric.oversubscription", oversubscription);
    if (!coll_ops.empty()) set("collectives.ops", string_list(coll_ops));
    if (!coll_min.empty()) set("collectives.min_size", coll_min);
    if (!coll_max.empty()) set("collectives.max_size", coll_max);
    if (!backend.empty()) set("collectives.backend", backend);
    if (expect_pct >= 0) {
      set("expect.line_rate_pct", expect_pct);
      set("expect.gdr_line_rate_pct", expect_pct);
      set("expect.stress_line_rate_pct", expect_pct);
    }
    if (expect_lat >= 0) set("expect.lat_max_us", expect_lat);
    if (expect_pct >= 0 || expect_lat >= 0) set("expect.soft_rdma", "judge");
    for (const auto& f : busbw_floors) {
      const auto eq = f.find('=');
      if (eq == std::string::npos) throw UsageError("--expect-busbw-GBps expects OP=GBPS, got '" + f + "'");
      apply_setting(plan, "expect.busbw_min_GBps." + f.substr(0, eq) + "=" + f.substr(eq + 1));
    }
    if (outlier_k >= 0) set("expect.outlier_k", outlier_k);
    for (const auto& s : sets) apply_setting(plan, s);
    select_stages(plan, split_list(stages), skip_stages);
    if (print_plan) {
      std::cout << to_json(plan).dump(2) << "\n";
      return 0;
    }
    o.plan = plan;
    o.command_line = command_line(argc, argv);
    o.json_path = common.json_path;
    if (o.dry_run) return run_dry(o);
    if (o.simulate) return run_simulation(o);
    if (o.ranks == 1) throw UsageError("--ranks needs at least 2 (rank 0 and the ones that --connect)");
    return run_suite(o, &argc, &argv);
  });
}

}  // namespace fabricperf::runners
