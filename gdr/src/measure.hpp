#pragma once
// fp_gdr's measurement: verbs::run_sweep with two engine sets per size and phase — the
// host-staged baseline (RDMA between pinned host buffers, then the staging copies timed on the
// GPU), then the configured memory on the wire — and the reporting rank's rows, checks and table.
#include <cstdint>
#include <vector>

#include "fabricperf/clock.hpp"
#include "fabricperf/run_output.hpp"
#include "fabricperf/verbs/engine_options.hpp"
#include "fabricperf/verbs/ops.hpp"
#include "fabricperf/verbs/session.hpp"
#include "setup.hpp"
#include "side.hpp"

namespace fabricperf::gdr {

struct MeasurePlan {
  verbs::EngineOptions engine;  // the bandwidth or latency settings in force
  verbs::Op op = verbs::Op::write;
  bool latency = false;
  std::vector<std::uint64_t> sizes;
  std::uint32_t slots = 1;  // message slots per QP region (verbs::message_slots)
  double timeout_s = 0;
  bool staged = false;  // run the host-staged baseline
  int staging_iterations = 20;
  bool gbits = false;  // table in Gb/sec
  bool print = true;   // this rank prints the table
};

// `sides`: every rank's Side, by rank.
void measure(verbs::Session& session, GpuLanes& lanes, const std::vector<Side>& sides, const CycleClock& clock,
             const MeasurePlan& plan, RunOutput& out);

}  // namespace fabricperf::gdr
