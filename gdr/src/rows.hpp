#pragma once
// fp_gdr's rows of one lane of one pair at one size, from the parts the sweep gathered:
// fp_bw's BwRow (make_bw_row) or fp_lat's LatRow of the measurement, unchanged, plus the GPU
// identity fields (report.hpp gdr_fields); with the baseline, the host_staged row of the
// pinned-host run with its staged model, and gain_pct on the measured row.
//
// A rank's part for one size (what measure.cpp gathers):
//   bandwidth: "lanes": [LaneMeasurement], "staged": [LaneMeasurement], "copy": [{"d2h_us", "h2d_us"}]
//   latency:   "lanes": [LatRow or null], "validation": [ValidationOutcome], "staged": [LatRow or null], "copy"
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "fabricperf/gdr/report.hpp"
#include "fabricperf/verbs/rows.hpp"
#include "fabricperf/verbs/validation.hpp"

namespace fabricperf::gdr {

struct RowContext {
  verbs::RowIdentity id;  // op, size_bytes, qps, bidirectional, pair (who measured comes from the lanes)
  EntryIdentity gpu;      // where the buffers live (lane_identity)
  Mode mode = Mode::direct;
  std::string initiator_name = "the initiator", target_name = "the target";  // who sent each part
};

struct LaneRows {
  nlohmann::json measured;  // mode gdr or direct
  nlohmann::json staged;    // mode host_staged; null without the baseline
  std::optional<verbs::ValidationOutcome> validation;
};

[[nodiscard]] LaneRows bandwidth_rows(const RowContext& ctx, const nlohmann::json& initiator,
                                      const nlohmann::json& target, std::size_t lane);
[[nodiscard]] LaneRows latency_rows(const RowContext& ctx, const nlohmann::json& initiator,
                                    const nlohmann::json& target, std::size_t lane);

// The copy costs of lane `lane`: GPU -> host on the data's source, host -> GPU on its sink.
[[nodiscard]] StagingCosts staging_costs(const std::string& op, const nlohmann::json& initiator,
                                         const nlohmann::json& target, std::size_t lane);

}  // namespace fabricperf::gdr
