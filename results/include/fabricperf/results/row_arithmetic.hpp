#pragma once
// What a schema cannot say: every fabricperf/2 bandwidth row obeys its own arithmetic
// (results/README.md, "Field vocabulary and units").
#include <nlohmann/json.hpp>
#include <vector>

#include "fabricperf/results/validate.hpp"

namespace fabricperf::results {

// Relative tolerance of the rate checks: tools write full double precision.
inline constexpr double kArithmeticTolerance = 1e-6;

// Problems of the rows of `doc` that carry bw_avg_gbps (fp_report rows, kind, excepted):
//   bytes = messages x size_bytes (exact; aggregates too);
//   bw_avg_gbps = bytes x 8 / duration_s / 1e9 and msg_rate_mpps = messages / duration_s / 1e6
//     (within kArithmeticTolerance relative, when duration_s > 0; not on aggregate rows, which
//     sum rates measured over different times);
//   bw_peak_gbps >= bw_avg_gbps.
// Fields that are absent or not numbers are left to the schema.
[[nodiscard]] std::vector<Problem> check_row_arithmetic(const nlohmann::json& doc);

}  // namespace fabricperf::results
