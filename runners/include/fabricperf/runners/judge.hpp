#pragma once
// The expected-value model: every measurement row of a stage judged against an expectation
// (bandwidth as % of the port's line rate, latency ceilings, busbw floors) and against its
// peers (MAD outliers of links, NICs, nodes, GPUs), as checks that name what is wrong. Pure
// functions of the stage's rows, so they are tested on synthetic fabrics of any size.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fabricperf/result_document.hpp"
#include "fabricperf/runners/outliers.hpp"
#include "fabricperf/runners/plan.hpp"

namespace fabricperf::runners {

struct JudgeOptions {
  double line_rate_pct = 90;
  double lat_max_us = 5;
  SoftRdmaPolicy soft_rdma = SoftRdmaPolicy::warn;
  double bw_min_gbps = 0;           // floor of every link's slowest window (verbs_bw; 0: none)
  double bw_min_line_rate_pct = 0;  // the same in % of the link's line rate; both set: the higher
  OutlierOptions outliers;
  std::size_t max_named = 20;  // per level: entity checks beyond this are summarized
};

[[nodiscard]] JudgeOptions judge_options(const Plan& plan, const std::string& stage);

// Bandwidth rows of one stage (verbs_bw, gdr, stress): rows with bw_avg_gbps; link rows have
// host/peer_host/device/peer_device (+ rail or gpu); rows with "aggregate": true sum a node's
// rails. Judged at each row group's largest size_bytes. Checks:
//   <stage>_line_rate        every link at >= line_rate_pct of its line rate
//   <stage>_node_aggregate   every node's concurrent all-rail sum (multi-rail only)
//   <stage>_outlier_link / _outlier_nic / _outlier_gpu / _outlier_node   one per flagged entity
//   <stage>_outliers         pass (none), skip (too few peers) or the summary when many flagged
//   <stage>_bw_min           with a window floor set: judge_window_floor
[[nodiscard]] std::vector<Check> judge_bandwidth(const std::string& stage, const nlohmann::json& rows,
                                                 const JudgeOptions& options);

// The window floor (judge_window_floor.cpp): every link's slowest window (bw_min_gbps, rows at
// the largest size) against max(bw_min_gbps, bw_min_line_rate_pct % of its line_rate_gbps), so a
// flapping link fails even when its average passes. One failing <stage>_bw_min check per link
// below the floor, naming the link and the window (up to max_named, then one for the rest); else
// one check: pass, warn when some links could not be judged (a run of fewer than two windows: no
// bw_min_gbps; a % floor on an unknown line rate), skip when none could. Judged on software RDMA
// too: the floor is only there when asked for. No floor set: no check.
[[nodiscard]] std::vector<Check> judge_window_floor(const std::string& stage, const nlohmann::json& rows,
                                                    const JudgeOptions& options);

// Latency rows (verbs_lat): t_typical_us (median) of the smallest size against lat_max_us
// (verbs_lat_ceiling), and outliers (higher is worse) of links and NICs.
[[nodiscard]] std::vector<Check> judge_latency(const std::string& stage, const nlohmann::json& rows,
                                               const JudgeOptions& options);

// Collective rows (coll, busbw_GBps, size_bytes, backend): per op the busbw of the largest size
// against its floor (explicit GB/s per op, else busbw_min_line_rate_pct of a node's summed line
// rate for NCCL). Ops without a floor get a skip check saying so.
[[nodiscard]] std::vector<Check> judge_collectives(const nlohmann::json& rows, const Expectations& expect,
                                                   double node_line_rate_gbps);

// Stress patterns: rows with "aggregate": true and "pattern": the sum of every flow against
// stress_line_rate_pct of the summed line rates (stress_<pattern>_line_rate... one check per
// pattern named "stress_line_rate" with a "pattern" label), plus link/NIC outliers per pattern.
[[nodiscard]] std::vector<Check> judge_stress(const nlohmann::json& rows, const Plan& plan);

}  // namespace fabricperf::runners
