// The reach stage's rails, its rows and how a failed task is named (the checks are in
// reach_judge.cpp).
#include "fabricperf/runners/reach.hpp"

#include <algorithm>

#include "fabricperf/error.hpp"

namespace fabricperf::runners {
namespace {

using nlohmann::json;

// The node's ports in the plan's device order ("mlx5_0" or "mlx5_0:1"); a missing one stays as
// an empty device so the rails of the other nodes keep their positions.
std::vector<RailPort> ports_in_order(const json& fingerprint, const std::vector<std::string>& devices) {
  auto all = all_rail_ports(fingerprint);
  if (devices.empty()) return all;
  std::vector<RailPort> out;
  for (const auto& spec : devices) {
    const auto it =
        std::find_if(all.begin(), all.end(), [&](const RailPort& p) { return matches_device_spec(p, spec); });
    out.push_back(it == all.end() ? RailPort{} : *it);
  }
  return out;
}

bool is_timeout(const std::string& error) {
  // The engines' no-progress deadline: "no write from rank 1 on node2 (rxe0) for 2 s during ...".
  return error.find("no ") != std::string::npos && error.find(" s during ") != std::string::npos;
}

}  // namespace

ReachRails reach_rails(const std::vector<json>& fingerprints, const std::vector<std::string>& devices, int max_rails) {
  std::vector<std::vector<RailPort>> listed;
  std::size_t positions = 0;
  for (const auto& fp : fingerprints) {
    listed.push_back(ports_in_order(fp, devices));
    positions = std::max(positions, listed.back().size());
  }
  ReachRails out;
  out.ports_of_node.assign(listed.size(), {});
  for (std::size_t p = 0; p < positions; ++p) {
    const bool used = std::any_of(listed.begin(), listed.end(),
                                  [&](const auto& ports) { return p < ports.size() && ports[p].active(); });
    if (!used) {
      for (const auto& ports : listed)
        if (p < ports.size() && !ports[p].device.empty()) {
          out.unused.push_back(ports[p].device + ":" + std::to_string(ports[p].port));
          break;
        }
      continue;
    }
    if (max_rails > 0 && out.rails >= max_rails) break;
    for (std::size_t n = 0; n < listed.size(); ++n)
      out.ports_of_node[n].push_back(p < listed[n].size() ? listed[n][p] : RailPort{});
    ++out.rails;
  }
  return out;
}

json to_json(const ReachRails& rails) {
  json nodes = json::array();
  for (const auto& ports : rails.ports_of_node) {
    json list = json::array();
    for (const auto& p : ports)
      list.push_back({{"device", p.device},
                      {"port", p.port},
                      {"state", p.state},
                      {"link_layer", p.link_layer},
                      {"rate_gbps", p.rate_gbps},
                      {"soft", p.soft}});
    nodes.push_back(list);
  }
  return {{"rails", rails.rails}, {"nodes", nodes}, {"unused", rails.unused}};
}

ReachRails reach_rails_from_json(const json& j) {
  ReachRails out;
  try {
    out.rails = j.at("rails").get<int>();
    out.unused = j.at("unused").get<std::vector<std::string>>();
    for (const auto& list : j.at("nodes")) {
      std::vector<RailPort> ports;
      for (const auto& p : list) {
        RailPort rp;
        rp.device = p.at("device").get<std::string>();
        rp.port = p.at("port").get<int>();
        rp.state = p.at("state").get<std::string>();
        rp.link_layer = p.at("link_layer").get<std::string>();
        rp.rate_gbps = p.at("rate_gbps").get<double>();
        rp.soft = p.at("soft").get<bool>();
        ports.push_back(std::move(rp));
      }
      if (static_cast<int>(ports.size()) != out.rails) throw Error("a node has a different number of rails");
      out.ports_of_node.push_back(std::move(ports));
    }
  } catch (const json::exception& e) {
    throw Error(std::string("malformed reach rail table: ") + e.what());
  } catch (const Error& e) {
    throw Error(std::string("malformed reach rail table: ") + e.what());
  }
  return out;
}

std::string to_string(ReachFault fault) {
  switch (fault) {
    case ReachFault::none:
      return "none";
    case ReachFault::port:
      return "port";
    case ReachFault::peer:
      return "peer";
    case ReachFault::path:
      return "path";
    case ReachFault::data:
      return "data";
  }
  return "none";
}

ReachFailure classify_reach_failure(ReachStep step, const std::string& error, const std::string& port_state) {
  switch (step) {
    case ReachStep::ok:
      return {};
    case ReachStep::setup:
      if (!port_state.empty() && port_state.find("ACTIVE") == std::string::npos)
        return {ReachFault::port, "port " + port_state};
      return {ReachFault::port, "cannot set up: " + error};
    case ReachStep::peer:
      return {ReachFault::peer, "the peer's end failed"};
    case ReachStep::connect:
      return {ReachFault::path, "connect failed: " + error};
    case ReachStep::exchange:
      if (is_timeout(error)) return {ReachFault::path, "connect timed out"};
      return {ReachFault::path, error};
  }
  return {};
}

json reach_row(const ReachEnd& e) {
  json row = {{"stage", "reach"},
              {"host", e.host},
              {"rank", e.rank},
              {"rail", e.rail},
              {"port_state", e.port.device.empty()  ? "absent"
                             : e.port.state.empty() ? "unknown"
                                                    : e.port.state},
              {"link_layer", e.facts ? e.facts->link_layer : e.port.link_layer}};
  if (!e.port.device.empty()) {  // a node without a port at this rail has neither
    row["device"] = e.port.device;
    row["port"] = e.port.port;
  }
  if (e.facts) {
    const auto& f = *e.facts;
    row["gid"] = f.gid;
    row["gid_index"] = f.gid_index;
    row["gid_type"] = f.gid_type;
    row["active_mtu_bytes"] = f.active_mtu_bytes;
    row["line_rate_gbps"] = f.line_rate_gbps;
    row["rate"] = f.rate;
    row["lane_speed_gbps"] = f.lane_speed_gbps;
    row["width_lanes"] = f.width_lanes;
  }
  row["peer_host"] = e.peer_host;
  row["peer_rank"] = e.peer_rank;
  if (!e.peer_device.empty()) row["peer_device"] = e.peer_device;
  ReachFailure failure = e.failure;
  if (failure.fault == ReachFault::none && e.data_ok == false)
    failure = {ReachFault::data, "data check failed: " + e.data_detail};
  row["reachable"] = failure.fault == ReachFault::none;
  if (failure.fault != ReachFault::none) {
    row["fault"] = to_string(failure.fault);
    row["reason"] = failure.reason;
  }
  if (e.data_ok) row["data_ok"] = *e.data_ok;
  if (e.latency_us) row["latency_us"] = *e.latency_us;
  if (e.port.soft) row["soft_rdma"] = true;
  return row;
}

}  // namespace fabricperf::runners
