#pragma once
// The engine settings every verbs consumer shares (fp_bw, fp_lat, fp_gdr, fp_suite's link
// stages): one type, its perftest-named command-line options, and the one place that turns it
// into a BandwidthConfig / LatencyConfig and the matching EndpointConfig. A consumer that
// measures a link therefore runs the engines exactly as fp_bw / fp_lat would.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "fabricperf/verbs/bandwidth_engine.hpp"
#include "fabricperf/verbs/endpoint.hpp"
#include "fabricperf/verbs/latency_engine.hpp"
#include "fabricperf/verbs/ops.hpp"

namespace fabricperf::verbs {

struct EngineOptions {
  std::uint64_t iterations = 5000;      // -n: messages per QP (bandwidth), samples (latency)
  double duration_s = 0;                // -D: seconds instead of -n
  double warmup_s = -1;                 // --warmup (-1: min(2 s, D/4) in -D mode)
  double window_ms = kDefaultWindowMs;  // --window-ms: windowed bandwidth (bw_min_gbps, bw_cv)
  std::uint32_t qps = 1;                // -q
  std::uint32_t tx_depth = 128;         // -t
  std::uint32_t rx_depth = 512;         // -r
  std::uint32_t cq_mod = 100;           // -Q
  std::uint32_t post_list = 1;          // -l
  std::uint32_t inline_size = 0;        // -I
  std::uint32_t outstanding_reads = 0;  // -o (0: the device's maximum)
  bool bidirectional = false;           // -b
  bool validate = false;                // --validate
};

// perftest's defaults: ib_*_bw and ib_*_lat.
[[nodiscard]] EngineOptions bandwidth_defaults() noexcept;
[[nodiscard]] EngineOptions latency_defaults() noexcept;

// -n -D --warmup -q -t -r -Q -l -I -o -b --window-ms --validate (fp_bw, fp_gdr; fp_suite takes
// the window from its plan, verbs.bw.window_ms, and gives it to the same bandwidth_config).
void add_bandwidth_options(CLI::App& app, EngineOptions& options);
// -n -D --warmup -I -r --validate (fp_lat).
void add_latency_options(CLI::App& app, EngineOptions& options);
// Cross-option rules (UsageError): a post list no longer than the tx depth.
void check_engine_options(const EngineOptions& options);

// The engine settings as a result document's params, spelled the same by every tool: bandwidth
// adds qps, depths, -Q, -l, -b and window_ms; both add inline_bytes, validate and duration_s + warmup_s
// (-D) or iterations (-n).
[[nodiscard]] nlohmann::json engine_params(const EngineOptions& options, bool bandwidth);

// -D warm-up: --warmup when given (>= 0), else min(2 s, D/4); none in iteration mode.
[[nodiscard]] double warmup_seconds(double duration_s, double warmup_s) noexcept;

// How long one run goes, for the debug trace: "warm-up 0.5 s, then 2 s measured" (-D) or
// "300 iterations per QP, no warm-up" (-n).
[[nodiscard]] std::string run_length_text(double duration_s, double warmup_s, std::uint64_t iterations);

// Message slots per QP region: 1, or with --validate as many as fit in 64 MiB (up to the depth).
[[nodiscard]] std::uint32_t message_slots(const EngineOptions& options, std::uint64_t max_size, bool ud);

[[nodiscard]] BandwidthConfig bandwidth_config(const EngineOptions& options, Op op, std::uint64_t size,
                                               std::uint32_t slots, double timeout_s, std::uint64_t epoch);
[[nodiscard]] LatencyConfig latency_config(const EngineOptions& options, Op op, std::uint64_t size, double timeout_s,
                                           std::uint64_t epoch);

[[nodiscard]] EndpointConfig bandwidth_endpoint(const EngineOptions& options, Op op, std::uint64_t max_size, bool ud,
                                                std::uint32_t slots);
[[nodiscard]] EndpointConfig latency_endpoint(const EngineOptions& options, Op op, std::uint64_t max_size, bool ud);

}  // namespace fabricperf::verbs
