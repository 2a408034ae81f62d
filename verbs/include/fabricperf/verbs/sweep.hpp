#pragma once
// The measurement loop fp_bw and fp_lat share: for every size and every phase of the pair
// schedule, active ranks prepare their engines, everyone meets at a barrier, active ranks run
// their lanes, every rank's part is gathered, and the reporting rank turns the parts into rows.
//
//   run_sweep(session, op, sizes, {
//     .prepare = [&](std::uint64_t size, std::uint64_t epoch) { for (auto& e : engines) e.prepare(...); },
//     .run = [&](std::uint64_t size) { session.run_lanes(...); return nlohmann::json{{"lanes", ...}}; },
//     .report = [&](std::uint64_t size, std::size_t phase, const std::vector<nlohmann::json>& all) { ... },
//   });
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "fabricperf/result_document.hpp"
#include "fabricperf/verbs/ops.hpp"
#include "fabricperf/verbs/session.hpp"
#include "fabricperf/verbs/validation.hpp"

namespace fabricperf::verbs {

struct SweepSteps {
  // Active ranks, before the barrier that starts the run. epoch: distinct per run, same on both sides.
  std::function<void(std::uint64_t size, std::uint64_t epoch)> prepare;
  // Active ranks: runs the lanes and returns this rank's part (merged into {"active": true}).
  std::function<nlohmann::json(std::uint64_t size)> run;
  // The reporting rank: every rank's part, by rank ({"active": false} for ranks idle in the phase).
  std::function<void(std::uint64_t size, std::size_t phase, const std::vector<nlohmann::json>& all)> report;
};

void run_sweep(Session& session, Op op, const std::vector<std::uint64_t>& sizes, const SweepSteps& steps);

// -D warm-up: --warmup when given (>= 0), else min(2 s, D/4); none in iteration mode.
[[nodiscard]] double warmup_seconds(double duration_s, double warmup_s) noexcept;

// The data_validation check for one result row (host/device/peer fields of `row`).
// link: " -> " for one direction, " <-> " for a ping-pong.
[[nodiscard]] Check validation_check(const ValidationOutcome& outcome, Op op, std::uint64_t size,
                                     const nlohmann::json& row, std::size_t pair, const std::string& link);

// The perftest-style banner: rule, title, device/port/rate, GID, MTU and max inline of the first lane.
void print_banner(std::ostream& human, Session& session, const std::string& rule, const std::string& title);

}  // namespace fabricperf::verbs
