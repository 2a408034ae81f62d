#include "measure.hpp"

#include <algorithm>

#include "fabricperf/verbs/bandwidth_engine.hpp"
#include "fabricperf/verbs/latency_engine.hpp"
#include "fabricperf/verbs/rows.hpp"
#include "fabricperf/verbs/sweep.hpp"
#include "rows.hpp"
#include "table.hpp"

namespace fabricperf::gdr {
namespace {

using namespace fabricperf::verbs;
using nlohmann::json;

// Who measured lane `i` of this rank (fp_lat's identity of a latency row).
RowIdentity lane_identity_of(Session& session, std::size_t i, Op op, std::uint64_t size) {
  const auto& lane = session.lanes()[i];
  const auto& hosts = session.bootstrap().hostnames();
  RowIdentity id;
  id.op = std::string(to_string(op));
  id.size_bytes = size;
  id.device = lane.device->selection().device;
  id.peer_device = lane.peer_device;
  id.port = lane.device->selection().port;
  id.host = hosts.at(static_cast<std::size_t>(session.rank()));
  id.peer_host = hosts.at(static_cast<std::size_t>(session.role()->peer));
  id.rank = session.rank();
  id.peer_rank = session.role()->peer;
  id.pair = session.role()->pair;
  return id;
}

// One engine set (the measured endpoints or the baseline's) and its last results.
template <typename Engine, typename Result>
struct EngineSet {
  std::vector<Engine> engines;
  std::vector<Result> results;
};

class Measurement {
 public:
  Measurement(Session& session, GpuLanes& lanes, const std::vector<Side>& sides, const CycleClock& clock,
              const MeasurePlan& plan, RunOutput& out)
      : session_(session), lanes_(lanes), sides_(sides), plan_(plan), out_(out) {
    staged_options_ = plan.engine;
    staged_options_.validate = false;  // the baseline measures speed; --validate checks the GPU path
    for (std::size_t i = 0; i < session.lanes().size(); ++i) {
      if (plan.latency) {
        lat_.engines.emplace_back(*session.lanes()[i].endpoint, clock);
        if (plan.staged) lat_staged_.engines.emplace_back(*lanes.staging().at(i), clock);
      } else {
        bw_.engines.emplace_back(*session.lanes()[i].endpoint, clock);
        if (plan.staged) bw_staged_.engines.emplace_back(*lanes.staging().at(i), clock);
      }
    }
  }

  void run() {
    SweepSteps steps;
    if (plan_.staged) steps.passes.push_back(pass(staged_options_, true));
    steps.passes.push_back(pass(plan_.engine, false));
    steps.report = [this](std::uint64_t size, std::size_t ph, const std::vector<json>& all) { report(size, ph, all); };
    run_sweep(session_, plan_.op, plan_.sizes, steps);
  }

 private:
  SweepPass pass(const EngineOptions& options, bool staged) {
    return SweepPass{[this, &options, staged](std::uint64_t size, std::uint64_t epoch) {
                       const Role role = session_.role()->role;
                       if (plan_.latency) {
                         const auto cfg = latency_config(options, plan_.op, size, plan_.timeout_s, epoch);
                         for (auto& e : (staged ? lat_staged_ : lat_).engines) e.prepare(cfg, role);
                       } else {
                         const auto cfg =
                             bandwidth_config(options, plan_.op, size, plan_.slots, plan_.timeout_s, epoch);
                         for (auto& e : (staged ? bw_staged_ : bw_).engines) e.prepare(cfg, role);
                       }
                     },
                     [this, staged](std::uint64_t size) { return staged ? run_staged(size) : run_measured(size); }};
  }

  template <typename Set>
  void run_set(Set& set) {
    set.results.resize(set.engines.size());
    session_.run_lanes([&](std::size_t i) { set.results[i] = set.engines[i].run(); });
  }

  json lanes_json(bool staged, std::uint64_t size) {
    json lanes = json::array();
    const std::string host = session_.bootstrap().hostnames().at(static_cast<std::size_t>(session_.rank()));
    if (plan_.latency) {
      for (std::size_t i = 0; i < (staged ? lat_staged_ : lat_).results.size(); ++i) {
        const LatencyResult& r = (staged ? lat_staged_ : lat_).results[i];
        lanes.push_back(r.measured ? make_lat_row(lane_identity_of(session_, i, plan_.op, size), r).to_json() : json());
      }
    } else {
      const auto& results = (staged ? bw_staged_ : bw_).results;
      for (std::size_t i = 0; i < results.size(); ++i)
        lanes.push_back(
            LaneMeasurement::of(results[i], host, session_.rank(), session_.lanes()[i].device->selection()).to_json());
    }
    return lanes;
  }

  // The baseline: RDMA between pinned host buffers, then the staging copies at this size.
  json run_staged(std::uint64_t size) {
    if (plan_.latency)
      run_set(lat_staged_);
    else
      run_set(bw_staged_);
    json copies = json::array();
    for (std::size_t i = 0; i < session_.lanes().size(); ++i)
      copies.push_back(lanes_.copy_costs(session_, i, size, plan_.staging_iterations));
    return {{"staged", lanes_json(true, size)}, {"copy", copies}};
  }

  json run_measured(std::uint64_t size) {
    json part = {{"pair", session_.role()->pair}};
    if (plan_.latency) {
      run_set(lat_);
      json validation = json::array();
      for (const auto& r : lat_.results) validation.push_back(r.validation.to_json());
      part["validation"] = validation;
    } else {
      run_set(bw_);
    }
    part["lanes"] = lanes_json(false, size);
    return part;
  }

  void report(std::uint64_t size, std::size_t ph, const std::vector<json>& all) {
    for (const auto p : session_.phases()[ph]) {
      const auto& pair = session_.pairs()[p];
      const json& in = all.at(static_cast<std::size_t>(pair.initiator));
      const json& ti = all.at(static_cast<std::size_t>(pair.target));
      if (!in.value("active", false) || !ti.value("active", false)) continue;
      const Side& is = sides_.at(static_cast<std::size_t>(pair.initiator));
      const Side& ts = sides_.at(static_cast<std::size_t>(pair.target));
      const std::size_t n = std::min(in.at("lanes").size(), ti.at("lanes").size());
      for (std::size_t i = 0; i < n; ++i) {
        RowContext ctx;
        ctx.id.op = std::string(to_string(plan_.op));
        ctx.id.size_bytes = size;
        ctx.id.qps = plan_.latency ? 1 : plan_.engine.qps;
        ctx.id.bidirectional = !plan_.latency && plan_.engine.bidirectional;
        ctx.id.pair = p;
        ctx.gpu = lane_identity(is, ts, i, plan_.latency ? "lat" : "bw");
        ctx.mode = measured_mode(is.mem, ts.mem);
        ctx.initiator_name = session_.bootstrap().describe_rank(pair.initiator);
        ctx.target_name = session_.bootstrap().describe_rank(pair.target);
        add(plan_.latency ? latency_rows(ctx, in, ti, i) : bandwidth_rows(ctx, in, ti, i), size, p, ctx.gpu.gpu);
      }
    }
    if (plan_.print) out_.human().flush();
  }

  void add(const LaneRows& rows, std::uint64_t size, std::size_t pair, int gpu) {
    std::ostream& human = out_.human();
    if (rows.validation) {
      Check check =
          validation_check(*rows.validation, plan_.op, size, rows.measured, pair, plan_.latency ? " <-> " : " -> ");
      check.labels["gpu"] = gpu;
      add_validation_check(out_, check, plan_.print);
    }
    for (const json* row : {&rows.staged, &rows.measured}) {
      if (row->is_null()) continue;
      out_.add_result(*row);
      if (plan_.print) human << table_line(*row, plan_.latency, plan_.gbits) << '\n';
    }
  }

  Session& session_;
  GpuLanes& lanes_;
  const std::vector<Side>& sides_;
  const MeasurePlan& plan_;
  RunOutput& out_;
  EngineOptions staged_options_;
  EngineSet<BandwidthEngine, BandwidthResult> bw_, bw_staged_;
  EngineSet<LatencyEngine, LatencyResult> lat_, lat_staged_;
};

}  // namespace

void measure(Session& session, GpuLanes& lanes, const std::vector<Side>& sides, const CycleClock& clock,
             const MeasurePlan& plan, RunOutput& out) {
  Measurement(session, lanes, sides, clock, plan, out).run();
}

}  // namespace fabricperf::gdr
