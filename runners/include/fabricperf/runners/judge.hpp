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
[[nodiscard]] std::vector<Check> judge_bandwidth(const std::string& stage, const nlohmann::json& rows,
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
