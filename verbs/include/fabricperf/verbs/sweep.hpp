#pragma once
// The measurement loop fp_bw, fp_lat and fp_gdr share: for every size and every phase of the
// pair schedule, each pass (an engine set: fp_gdr runs a host-staged set, then the GPU set)
// has the active ranks prepare their engines, meets at a barrier, and runs the lanes; then
// every rank's part is gathered and the reporting rank turns the parts into rows.
//
//   run_sweep(session, op, sizes, {
//     .passes = {{.prepare = [&](std::uint64_t size, std::uint64_t epoch) { ...prepare engines... },
//                 .run = [&](std::uint64_t size) { session.run_lanes(...); return json{{"lanes", ...}}; }}},
//     .report = [&](std::uint64_t size, std::size_t phase, const std::vector<nlohmann::json>& all) { ... },
//   });
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "fabricperf/result_document.hpp"
#include "fabricperf/run_output.hpp"
#include "fabricperf/verbs/engine_options.hpp"
#include "fabricperf/verbs/ops.hpp"
#include "fabricperf/verbs/session.hpp"
#include "fabricperf/verbs/validation.hpp"

namespace fabricperf::verbs {

// What fp_bw and fp_lat take: the tool options, the operation and the engine options (fp_lat
// starts from latency_defaults()).
struct EngineToolOptions : ToolOptions {
  std::string op = "write";
  EngineOptions engine = bandwidth_defaults();
};

struct SweepPass {
  // Active ranks, before the barrier that starts the run. epoch: distinct per run, same on both sides.
  std::function<void(std::uint64_t size, std::uint64_t epoch)> prepare;
  // Active ranks: runs the lanes and returns this pass's part (merged into {"active": true}).
  std::function<nlohmann::json(std::uint64_t size)> run;
};

struct SweepSteps {
  std::vector<SweepPass> passes;
  // The reporting rank: every rank's part, by rank ({"active": false} for ranks idle in the phase).
  std::function<void(std::uint64_t size, std::size_t phase, const std::vector<nlohmann::json>& all)> report;
};

void run_sweep(Session& session, Op op, const std::vector<std::uint64_t>& sizes, const SweepSteps& steps);

// The data_validation check for one result row (host/device/peer fields of `row`).
// link: " -> " for one direction, " <-> " for a ping-pong.
[[nodiscard]] Check validation_check(const ValidationOutcome& outcome, Op op, std::uint64_t size,
                                     const nlohmann::json& row, std::size_t pair, const std::string& link);

// Adds a data_validation check to `out`; a failed one also prints "VALIDATION FAILED: <detail>"
// under the table row when `print`.
void add_validation_check(RunOutput& out, const Check& check, bool print);

// Records the run in `out`: `params` plus the session's connection description and `memory`,
// then every rank's host info (`my_host`, gathered: rank 0 writes all under MPI, both sides over TCP).
void record_run(Session& session, RunOutput& out, nlohmann::json params, const nlohmann::json& memory,
                const nlohmann::json& my_host);

// Ends a run that went through: a barrier with every rank, the params again (now with the
// pinning the lanes used), and the document finished with status ok; returns the exit code.
[[nodiscard]] int finish_run(Session& session, RunOutput& out, nlohmann::json params, const nlohmann::json& memory);

// The rest of a tool run once its banner is printed: run_sweep, the table's closing rule
// (`closing_rule`, printed when `print`) and finish_run; returns the exit code.
[[nodiscard]] int sweep_and_finish(Session& session, Op op, const std::vector<std::uint64_t>& sizes,
                                   const SweepSteps& steps, RunOutput& out, nlohmann::json params,
                                   const nlohmann::json& memory, bool print, const std::string& closing_rule);

// The perftest-style banner: rule, title, device/port/rate, GID, MTU and max inline of the first lane.
void print_banner(std::ostream& human, Session& session, const std::string& rule, const std::string& title);

}  // namespace fabricperf::verbs
