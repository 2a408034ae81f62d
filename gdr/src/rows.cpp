#include "rows.hpp"

#include <cmath>

#include "fabricperf/error.hpp"

namespace fabricperf::gdr {
namespace {

using nlohmann::json;

// Element `lane` of a part's list `key`; null when absent.
const json& lane_of(const json& part, const char* key, std::size_t lane) {
  static const json none;
  const auto it = part.find(key);
  if (it == part.end() || !it->is_array() || lane >= it->size()) return none;
  return (*it)[lane];
}

double copy_us(const json& part, std::size_t lane, const char* key, const std::string& from) {
  const json& c = lane_of(part, "copy", lane);
  if (!c.is_object() || !c.contains(key)) return 0;
  const json& v = c.at(key);
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0)
    throw PeerError(from, from + " sent a staging copy time that is not a non-negative number");
  return v.get<double>();
}

json with_gpu_fields(json row, const EntryIdentity& gpu, Mode mode) {
  add_gdr_fields(row, gpu, mode);
  return row;
}

}  // namespace

StagingCosts staging_costs(const std::string& op, const json& initiator, const json& target, std::size_t lane) {
  const bool init_src = initiator_is_source(op);
  const json& src = init_src ? initiator : target;
  const json& snk = init_src ? target : initiator;
  return {copy_us(src, lane, "d2h_us", init_src ? "the initiator" : "the target"),
          copy_us(snk, lane, "h2d_us", init_src ? "the target" : "the initiator")};
}

LaneRows bandwidth_rows(const RowContext& ctx, const json& initiator, const json& target, std::size_t lane) {
  using verbs::LaneMeasurement;
  LaneRows out;
  const verbs::BwRow row =
      verbs::make_bw_row(ctx.id, LaneMeasurement::from_json(lane_of(initiator, "lanes", lane), ctx.initiator_name),
                         LaneMeasurement::from_json(lane_of(target, "lanes", lane), ctx.target_name));
  out.validation = row.validation;
  out.measured = with_gpu_fields(row.to_json(), ctx.gpu, ctx.mode);
  const json& is = lane_of(initiator, "staged", lane);
  const json& ts = lane_of(target, "staged", lane);
  if (!is.is_null() && !ts.is_null()) {
    const verbs::BwRow staged = verbs::make_bw_row(ctx.id, LaneMeasurement::from_json(is, ctx.initiator_name),
                                                   LaneMeasurement::from_json(ts, ctx.target_name));
    out.staged = with_gpu_fields(staged.to_json(), ctx.gpu, Mode::host_staged);
    add_staged_bandwidth(out.staged, staging_costs(ctx.id.op, initiator, target, lane));
    attach_gain(out.measured, out.staged, false);
  }
  return out;
}

LaneRows latency_rows(const RowContext& ctx, const json& initiator, const json& target, std::size_t lane) {
  LaneRows out;
  const json& measured = lane_of(initiator, "lanes", lane);
  if (!measured.is_object())
    throw PeerError(ctx.initiator_name,
                    ctx.initiator_name + " sent no latency measurement for lane " + std::to_string(lane));
  verbs::LatRow row = verbs::LatRow::from_json(measured);
  const json& tv = lane_of(target, "validation", lane);
  if (row.validation || (tv.is_object() && tv.value("enabled", false))) {
    verbs::ValidationOutcome v = row.validation.value_or(verbs::ValidationOutcome{});
    if (tv.is_object()) v.merge(verbs::ValidationOutcome::from_json(tv));
    row.validation = v;
  }
  out.validation = row.validation;
  out.measured = with_gpu_fields(row.to_json(), ctx.gpu, ctx.mode);
  if (const json& staged = lane_of(initiator, "staged", lane); staged.is_object()) {
    out.staged = with_gpu_fields(verbs::LatRow::from_json(staged).to_json(), ctx.gpu, Mode::host_staged);
    add_staged_latency(out.staged, staging_costs(ctx.id.op, initiator, target, lane));
    attach_gain(out.measured, out.staged, true);
  }
  return out;
}

}  // namespace fabricperf::gdr
