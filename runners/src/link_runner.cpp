#include "fabricperf/runners/link_runner.hpp"

#include <algorithm>
#include <map>
#include <thread>

#include "fabricperf/error.hpp"
#include "fabricperf/peer_json.hpp"
#include "fabricperf/sizes.hpp"
#include "fabricperf/stats.hpp"
#include "fabricperf/verbs/endpoint.hpp"
#include "fabricperf/verbs/engine_options.hpp"
#include "fabricperf/verbs/lane_runner.hpp"
#include "fabricperf/verbs/latency_engine.hpp"
#include "fabricperf/verbs/metrics.hpp"
#include "fabricperf/verbs/ops.hpp"
#include "fabricperf/verbs/qp_info.hpp"
#include "fabricperf/verbs/rows.hpp"
#include "fabricperf/wire.hpp"

namespace fabricperf::runners {
namespace {

using nlohmann::json;

std::string role_name(verbs::Role r) {
  return r == verbs::Role::initiator ? "initiator" : "target";
}
verbs::Role opposite(verbs::Role r) {
  return r == verbs::Role::initiator ? verbs::Role::target : verbs::Role::initiator;
}

// One task's state during the round.
struct Running {
  LinkTask* task = nullptr;
  std::unique_ptr<verbs::Endpoint> endpoint;
  std::string peer_device;
  std::string peer_name;
  bool failed = false;
  TaskPhase phase = TaskPhase::ok;
  std::string error;
  std::unique_ptr<verbs::BandwidthEngine> bw;
  std::unique_ptr<verbs::LatencyEngine> lat;
  verbs::BandwidthResult bw_result;
  verbs::LatencyResult lat_result;
};

// Messages to each peer: a small JSON header (per task: slot, role, ok) plus binary blobs.
std::map<int, std::string> pack_by_peer(const std::vector<Running>& running,
                                        const std::function<std::string(const Running&)>& blob) {
  std::map<int, std::vector<std::string>> parts;
  std::map<int, json> headers;
  for (const auto& r : running) {
    const int peer = r.task->peer_rank;
    headers[peer].push_back({{"slot", r.task->slot}, {"role", role_name(r.task->role)}, {"ok", !r.failed}});
    parts[peer].push_back(blob(r));
  }
  std::map<int, std::string> out;
  for (auto& [peer, blobs] : parts) {
    std::vector<std::string> items{headers[peer].dump()};
    items.insert(items.end(), blobs.begin(), blobs.end());
    out[peer] = wire::pack_strings(items);
  }
  return out;
}

struct PeerEntry {
  bool ok = false;
  std::string blob;
};

// What the peer said about the task matching `r` (same slot, opposite role).
PeerEntry find_entry(const std::map<int, std::string>& replies, const Running& r) {
  auto it = replies.find(r.task->peer_rank);
  if (it == replies.end()) return {};
  const auto items = wire::unpack_strings(it->second);
  if (items.empty()) throw Error("empty message from " + r.peer_name);
  const json header = parse_peer_json(items[0], r.peer_name, "round header", std::size_t{1} << 20, 2);
  if (!header.is_array()) throw PeerError(r.peer_name, r.peer_name + " sent a round header that is not a list");
  for (const auto& h : header)
    if (!h.is_object() || !h.value("slot", json(-1)).is_number_integer() || !h.value("role", json("")).is_string() ||
        !h.value("ok", json(false)).is_boolean())
      throw PeerError(r.peer_name, r.peer_name + " sent a malformed round header");
  for (std::size_t i = 0; i < header.size() && i + 1 < items.size(); ++i) {
    if (header[i].value("slot", -1) == r.task->slot && header[i].value("role", "") == role_name(opposite(r.task->role)))
      return {header[i].value("ok", false), items[i + 1]};
  }
  throw Error(r.peer_name + " has no " + role_name(opposite(r.task->role)) + " for slot " +
              std::to_string(r.task->slot) + " in this round (schedules differ?)");
}

std::map<int, std::string> exchange_all(Comm& comm, const std::map<int, std::string>& outgoing, const MeasureSpec& spec,
                                        const std::string& what) {
  return comm.exchange_many(outgoing, std::chrono::milliseconds(static_cast<long long>(spec.timeout_s * 1000)), what);
}

verbs::RowIdentity identity(const Running& r, const MeasureSpec& spec, std::uint64_t size) {
  verbs::RowIdentity id;
  id.peer_device = r.peer_device;
  id.op = spec.op;
  id.size_bytes = size;
  id.qps = static_cast<std::uint32_t>(spec.qps);
  id.bidirectional = spec.bidirectional;
  return id;
}

json with_task_labels(const json& row, const Running& r, const MeasureSpec& spec) {
  return runners::suite_row(row, spec.stage, r.task->labels, r.task->soft);
}

json latency_row(const Running& r, const MeasureSpec& spec, std::uint64_t size, const Comm& comm) {
  auto id = identity(r, spec, size);
  const auto& port = r.endpoint->port();
  id.host = comm.hostnames()[static_cast<std::size_t>(comm.rank())];
  id.peer_host = comm.hostnames()[static_cast<std::size_t>(r.task->peer_rank)];
  id.rank = comm.rank();
  id.peer_rank = r.task->peer_rank;
  id.device = port.device;
  id.port = port.port;
  return with_task_labels(verbs::make_lat_row(std::move(id), r.lat_result).to_json(), r, spec);
}

verbs::EngineOptions engine_options(const MeasureSpec& spec) {
  auto o = spec.kind == Measure::bandwidth ? verbs::bandwidth_defaults() : verbs::latency_defaults();
  o.iterations = spec.iterations;
  o.duration_s = spec.kind == Measure::bandwidth ? spec.duration_s : 0;
  o.qps = spec.kind == Measure::bandwidth ? static_cast<std::uint32_t>(spec.qps) : 1;
  o.bidirectional = spec.bidirectional;
  o.validate = spec.validate;
  o.window_ms = spec.window_ms;
  return o;
}

verbs::EndpointConfig endpoint_config(const MeasureSpec& spec) {
  const std::uint64_t largest = *std::max_element(spec.sizes.begin(), spec.sizes.end());
  const auto op = verbs::parse_op(spec.op);
  const auto o = engine_options(spec);
  return spec.kind == Measure::bandwidth ? verbs::bandwidth_endpoint(o, op, largest, false, 1)
                                         : verbs::latency_endpoint(o, op, largest, false);
}

// Bandwidth rows as fp_bw builds them: both sides' lane measurements meet at the initiator
// (one more exchange per size), which writes one row per task (both directions summed with -b).
void add_bandwidth_rows(Comm& comm, std::vector<Running>& running, const MeasureSpec& spec, std::uint64_t size,
                        RoundOutcome& outcome) {
  const std::string host = comm.hostnames()[static_cast<std::size_t>(comm.rank())];
  const auto lane = [&](const Running& r) {
    return verbs::LaneMeasurement::of(r.bw_result, host, comm.rank(), r.endpoint->port());
  };
  const auto replies = exchange_all(
      comm,
      pack_by_peer(running, [&](const Running& r) { return r.failed ? std::string() : lane(r).to_json().dump(); }),
      spec, spec.stage + ": exchanging the measurements of " + messages_of_size(size));
  for (auto& r : running) {
    if (r.failed || r.task->role != verbs::Role::initiator) continue;
    const auto entry = find_entry(replies, r);
    if (!entry.ok) continue;  // the peer reports its own failure
    const json theirs = parse_peer_json(entry.blob, r.peer_name, "lane measurement", std::size_t{1} << 16, 4);
    const auto row =
        verbs::make_bw_row(identity(r, spec, size), lane(r), verbs::LaneMeasurement::from_json(theirs, r.peer_name));
    outcome.rows.push_back(with_task_labels(row.to_json(), r, spec));
  }
}

}  // namespace

json suite_row(json row, const std::string& stage, const json& labels, bool soft) {
  row["stage"] = stage;
  for (const auto& [k, v] : labels.items()) {
    if (row.contains(k)) throw Error("link label '" + k + "' would overwrite the measured field of the same name");
    row[k] = v;
  }
  if (soft) row["soft_rdma"] = true;
  return row;
}

void RailDevices::open(const std::vector<RailPort>& ports, const std::vector<int>& rails, int gid_index) {
  rails_.clear();
  ports_.clear();
  devices_.clear();
  errors_.clear();
  for (int rail : rails) {
    rails_.push_back(rail);
    if (rail < 0 || rail >= static_cast<int>(ports.size()) || ports[static_cast<std::size_t>(rail)].device.empty()) {
      ports_.emplace_back();
      devices_.emplace_back();
      errors_.push_back("this node has no port for rail " + std::to_string(rail));
      continue;
    }
    const auto& p = ports[static_cast<std::size_t>(rail)];
    ports_.push_back(p);
    verbs::DeviceRequest req;
    req.name = p.device;
    req.port = p.port;
    if (gid_index >= 0) req.gid_index = gid_index;
    try {
      devices_.push_back(std::make_unique<verbs::Device>(verbs::open_device(req)));
      errors_.emplace_back();
    } catch (const std::exception& e) {
      devices_.emplace_back();
      errors_.push_back(std::string("opening ") + p.device + " port " + std::to_string(p.port) + ": " + e.what());
    }
  }
}

const verbs::Device* RailDevices::find(int rail) const {
  for (std::size_t i = 0; i < rails_.size(); ++i)
    if (rails_[i] == rail) return devices_[i].get();
  return nullptr;
}

std::string RailDevices::error(int rail) const {
  for (std::size_t i = 0; i < rails_.size(); ++i)
    if (rails_[i] == rail) return errors_[i];
  return {};
}

const RailPort* RailDevices::port(int rail) const {
  for (std::size_t i = 0; i < rails_.size(); ++i)
    if (rails_[i] == rail) return &ports_[i];
  return nullptr;
}

RoundOutcome measure_round(Comm& comm, std::vector<LinkTask>& tasks, const MeasureSpec& spec, const CycleClock& clock) {
  RoundOutcome outcome;
  std::vector<Running> running(tasks.size());
  auto fail = [&](Running& r, TaskPhase phase, const std::string& what) {
    if (r.failed) return;
    r.failed = true;
    r.phase = phase;
    r.error = what;
    outcome.errors.push_back(
        spec.stage + ": " + comm.hostnames()[static_cast<std::size_t>(comm.rank())] + " " +
        (r.endpoint ? r.endpoint->port().device : std::string("slot ") + std::to_string(r.task->slot)) + " <-> " +
        r.peer_name + ": " + what);
  };

  // 1. Endpoints, and their connection data to the peers.
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    auto& r = running[i];
    r.task = &tasks[i];
    r.peer_name = comm.describe(r.task->peer_rank);
    try {
      if (!r.task->device || !r.task->memory)
        throw Error(r.task->unavailable.empty() ? "no device for this rail" : r.task->unavailable);
      r.endpoint = std::make_unique<verbs::Endpoint>(*r.task->device, *r.task->memory, endpoint_config(spec));
    } catch (const std::exception& e) {
      fail(r, TaskPhase::setup, std::string("setting up: ") + e.what());
    }
  }
  const auto infos = exchange_all(
      comm,
      pack_by_peer(running,
                   [](const Running& r) { return r.endpoint ? verbs::serialize(r.endpoint->local_info()) : ""; }),
      spec, spec.stage + ": exchanging connection data");
  for (auto& r : running) {
    try {
      const auto entry = find_entry(infos, r);
      if (!entry.ok) fail(r, TaskPhase::peer, "the peer could not set up its side");
      if (r.failed) continue;
      const auto remote = verbs::parse_endpoint_info(entry.blob);
      r.peer_device = remote.device;
      r.endpoint->connect(remote, r.peer_name);
    } catch (const std::exception& e) {
      fail(r, TaskPhase::connect, std::string("connecting: ") + e.what());
    }
  }

  // 2. Size by size: prepare, agree that both sides are ready, run every task at once.
  const auto options = engine_options(spec);
  const double engine_timeout = spec.engine_timeout_s > 0 ? spec.engine_timeout_s : spec.timeout_s;
  for (std::size_t si = 0; si < spec.sizes.size(); ++si) {
    const std::uint64_t size = spec.sizes[si];
    const std::uint64_t epoch = spec.epoch_base + si + 1;
    for (auto& r : running) {
      if (r.failed) continue;
      try {
        const auto op = verbs::parse_op(spec.op);
        if (spec.kind == Measure::bandwidth) {
          r.bw = std::make_unique<verbs::BandwidthEngine>(*r.endpoint, clock);
          r.bw->prepare(verbs::bandwidth_config(options, op, size, 1, engine_timeout, epoch), r.task->role);
        } else {
          r.lat = std::make_unique<verbs::LatencyEngine>(*r.endpoint, clock);
          r.lat->prepare(verbs::latency_config(options, op, size, engine_timeout, epoch), r.task->role);
        }
      } catch (const std::exception& e) {
        fail(r, TaskPhase::setup, "preparing " + std::to_string(size) + " bytes: " + e.what());
      }
    }
    const auto ready = exchange_all(comm, pack_by_peer(running, [](const Running&) { return std::string(); }), spec,
                                    spec.stage + ": waiting for the peer to be ready");
    for (auto& r : running) {
      if (r.failed) continue;
      try {
        if (!find_entry(ready, r).ok) fail(r, TaskPhase::peer, "the peer's side failed");
      } catch (const std::exception& e) {
        fail(r, TaskPhase::peer, e.what());
      }
    }
    auto run_one = [&](Running& r) {
      try {
        if (spec.kind == Measure::bandwidth)
          r.bw_result = r.bw->run();
        else
          r.lat_result = r.lat->run();
      } catch (const std::exception& e) {
        r.error = std::string("measuring ") + std::to_string(size) + " bytes: " + e.what();
      }
    };
    std::vector<Running*> live;
    std::vector<verbs::LanePin> pins;
    for (auto& r : running)
      if (!r.failed) {
        live.push_back(&r);
        pins.push_back({std::nullopt, r.endpoint->port().numa_node});
      }
    (void)verbs::run_pinned_lanes(pins, [&](std::size_t i) { run_one(*live[i]); });
    for (auto* r : live) {
      if (!r->error.empty() && !r->failed) {
        const std::string what = r->error;
        r->error.clear();
        fail(*r, TaskPhase::measure, what);
      }
    }
    if (spec.kind == Measure::bandwidth) {
      add_bandwidth_rows(comm, running, spec, size, outcome);
    } else {
      for (auto* r : live)
        if (!r->failed && r->lat_result.measured) outcome.rows.push_back(latency_row(*r, spec, size, comm));
    }
  }
  for (auto& r : running)
    outcome.tasks.push_back({r.task, r.phase, r.error, r.peer_device,
                             r.task->device ? &r.task->device->selection() : nullptr, std::move(r.lat_result)});
  return outcome;
}

}  // namespace fabricperf::runners
