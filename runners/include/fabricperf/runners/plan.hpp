#pragma once
// What one fp_suite run does: stages, sizes, iteration counts, durations and the expectations
// every measurement is judged against. Presets (quick, go-live, regression) are plan files
// compiled into the binary (runners/presets/*.json); a plan file may `extends` a preset and
// override any key; `--set key.path=value` and the named options override on top.
//
// Plan file (JSON; unknown keys and wrong types are errors naming the key):
// {
//   "name": "my-plan", "extends": "go-live",
//   "stages": ["reach", "preflight", "verbs_bw", "verbs_lat", "gdr", "collectives", "stress"],
//   "timeout_s": 120,
//   "reach": {"connect_timeout_s": 2},
//   "verbs": {"bw": {"op": "write", "sizes": ["64K", "1M"], "iterations": 2000, "duration_s": 0,
//                    "bidirectional": false, "qps": 1, "window_ms": 100},
//             "lat": {"op": "write", "sizes": ["2"], "iterations": 2000},
//             "mode": "all_pairs", "adaptive": {"rounds": 4, "good_peers": 3, "max_retest_rounds": 13,
//                                               "window_floor_pct": 50, "seed": 1},
//             "max_rounds": 0, "rails": 0, "devices": [], "gid_index": -1, "port_base": 18600},
//   "fabric": {"nodes_per_leaf": 32, "oversubscription": 1},
//   "gdr": {"op": "write", "sizes": ["1M"], "iterations": 500},
//   "collectives": {"backend": "auto", "ops": ["all_reduce"], "min_size": "8M", "max_size": "256M",
//                   "factor": 2, "iterations": 20, "warmup": 5, "dtype": "float"},
//   "stress": {"bisection": true, "permutations": 1, "seed": 1, "op": "write", "size": "1M",
//              "iterations": 5000, "duration_s": 0},
//   "expect": {"line_rate_pct": 90, "lat_max_us": 5, "gdr_line_rate_pct": 80,
//              "stress_line_rate_pct": 75, "busbw_min_GBps": {"all_reduce": 0},
//              "busbw_min_line_rate_pct": 0, "bw_min_gbps": 0, "bw_min_line_rate_pct": 0, "outlier_k": 5,
//              "outlier_min_deviation_pct": 5, "outlier_min_samples": 5, "fingerprint_mismatch": "fail", "soft_rdma":
//              "warn"}
// }
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fabricperf::runners {

// Stage names, in the order they run.
inline constexpr std::string_view kStageNames[] = {"reach", "preflight",   "verbs_bw", "verbs_lat",
                                                   "gdr",   "collectives", "stress"};
[[nodiscard]] bool is_stage_name(std::string_view name) noexcept;

struct BwPlan {
  std::string op = "write";  // write | read | send
  std::vector<std::uint64_t> sizes = {65536, 1 << 20};
  std::uint64_t iterations = 2000;  // per size
  double duration_s = 0;            // > 0: time-based (perftest -D), iterations ignored
  bool bidirectional = false;
  int qps = 1;
  double window_ms = 100;  // windowed bandwidth (bw_min_gbps, bw_cv): verbs::kDefaultWindowMs
};

struct LatPlan {
  std::string op = "write";  // write | read | send
  std::vector<std::uint64_t> sizes = {2};
  std::uint64_t iterations = 2000;
};

// verbs.mode "adaptive" (go-live): instead of every pair of nodes, a few full-rate rounds that load
// every NIC and every leaf/spine path class, then retests of whatever fell below expectation
// against known-good peers until the fault is attributed (adaptive_rounds.hpp, attribution.hpp).
struct AdaptivePlan {
  std::uint64_t rounds = 4;              // full-rate rounds: intra-leaf, leaf bisection, random matchings
  int good_peers = 3;                    // retests of a suspect NIC, each against another known-good peer
  std::uint64_t max_retest_rounds = 13;  // retest rounds at most (good peers + loopback + cross-rail probes)
  double window_floor_pct = 50;          // bw_min_gbps under this % of the expected rate: a flapping link
  std::uint64_t seed = 1;                // which random matchings
};

struct VerbsPlan {
  BwPlan bw;
  LatPlan lat;
  std::string mode = "all_pairs";  // all_pairs (every pair of nodes) | adaptive
  AdaptivePlan adaptive;
  std::uint64_t max_rounds = 0;      // 0: every round (all pairs); else the first N rounds
  int rails = 0;                     // 0: every active RDMA port of the node
  std::vector<std::string> devices;  // explicit rail order, e.g. ["mlx5_0", "mlx5_3"]
  int gid_index = -1;                // -1: the engine's default (RoCE v2 IPv4 when present)
  int port_base = 18600;             // TCP ports for pair connection setup: port_base + rail
};

// The reachability mesh: every rail of every node pair connects once and exchanges one small
// write (data-checked) and one latency sample.
struct ReachPlan {
  double connect_timeout_s = 2;  // per pair: no answer within this is "connect timed out"
};
inline constexpr std::uint64_t kReachMessageBytes = 64;  // the one write each way (63 bytes checked)

struct GdrPlan {
  std::string op = "write";
  std::vector<std::uint64_t> sizes = {1 << 20};
  std::uint64_t iterations = 500;
};

struct CollectivesPlan {
  std::string backend = "auto";  // auto (nccl with GPUs, mpi otherwise) | nccl | mpi
  std::vector<std::string> ops = {"all_reduce"};
  std::uint64_t min_bytes = 8ULL << 20;
  std::uint64_t max_bytes = 256ULL << 20;
  double factor = 2;
  std::uint64_t iterations = 20;
  std::uint64_t warmup = 5;
  std::string dtype = "float";
};

struct StressPlan {
  bool bisection = true;
  std::uint64_t permutations = 1;  // random all-to-all permutations, each a step
  std::uint64_t seed = 1;
  std::string op = "write";
  std::uint64_t size = 1 << 20;
  std::uint64_t iterations = 5000;
  double duration_s = 0;
};

// The switch fabric as far as the plan needs it: rail-optimized leaves (rail r of the nodes of one
// leaf group, in node order, on one leaf switch per rail), each leaf with nodes_per_leaf /
// oversubscription uplinks' worth of capacity to the spines.
struct FabricPlan {
  int nodes_per_leaf = 32;        // nodes per leaf group (a scalable unit); 0: one leaf for all
  double oversubscription = 1.0;  // downlink:uplink capacity of a leaf (2 = 2:1)
};

enum class SoftRdmaPolicy { warn, judge };  // Soft-RoCE/siw: no line rate to judge against

struct Expectations {
  double line_rate_pct = 90;                     // verbs bw per link, % of the port's line rate
  double lat_max_us = 5;                         // verbs latency ceiling (median, smallest size)
  double gdr_line_rate_pct = 80;                 // GPUDirect bw, % of the NIC's line rate
  double stress_line_rate_pct = 75;              // bisection/permutation, % of the sum of the links' line rates
  std::map<std::string, double> busbw_min_GBps;  // per collective op, largest size
  double busbw_min_line_rate_pct = 0;            // else: floor as % of a node's summed line rate (0: none)
  double bw_min_gbps = 0;                        // verbs bw: floor of every link's slowest window (0: none)
  double bw_min_line_rate_pct = 0;               // the same in % of the link's line rate; both set: the higher
  double outlier_k = 5;
  double outlier_min_deviation_pct = 5;
  std::uint64_t outlier_min_samples = 5;
  std::string fingerprint_mismatch = "fail";  // fail | warn
  SoftRdmaPolicy soft_rdma = SoftRdmaPolicy::warn;
};

struct Plan {
  std::string name = "custom";
  std::string description;
  std::vector<std::string> stages{std::begin(kStageNames), std::end(kStageNames)};
  double timeout_s = 120;
  ReachPlan reach;
  VerbsPlan verbs;
  GdrPlan gdr;
  CollectivesPlan collectives;
  StressPlan stress;
  FabricPlan fabric;
  Expectations expect;

  [[nodiscard]] bool runs(std::string_view stage) const;
};

// Names of the built-in presets, and their plan-file text.
[[nodiscard]] std::vector<std::string> preset_names();
[[nodiscard]] std::optional<std::string_view> preset_text(std::string_view name);

// Reads a plan from JSON text; `origin` names it in errors ("plan my.json", "preset quick").
// Starts from `base` (defaults, a preset or an `extends` target). Throws UsageError with one
// line: "plan my.json: verbs.bw.iterations: expected a positive integer, got \"ten\"".
[[nodiscard]] Plan parse_plan(std::string_view text, const std::string& origin, const Plan& base = Plan{});
[[nodiscard]] Plan load_preset(std::string_view name);
[[nodiscard]] Plan load_plan_file(const std::string& path);

// `--set verbs.bw.iterations=100`: VALUE is JSON when it parses ("[\"64K\"]", "true", "100"),
// else a string. Same validation and messages as a plan file ("--set verbs.bw.iterations").
void apply_setting(Plan& plan, std::string_view assignment);

// --stages a,b / --skip-stage NAME.
void select_stages(Plan& plan, const std::vector<std::string>& only, const std::vector<std::string>& skip);

// The plan as JSON (the format above, sizes as text), recorded in the document's params.
[[nodiscard]] nlohmann::json to_json(const Plan& plan);

// Expectations looser than the defaults (a lower line-rate %, a higher latency ceiling), e.g.
// scripts/demo.sh's for emulated links: [{"key": "expect.line_rate_pct", "value": 0.001,
// "default": 90}, ...]; fp_suite records it as params.expectations_loosened, and the verdict
// (terminal and HTML) says so.
[[nodiscard]] nlohmann::json loosened_expectations(const Plan& plan);

}  // namespace fabricperf::runners
