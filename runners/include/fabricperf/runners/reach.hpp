#pragma once
// The reachability mesh (stage "reach"): which port is each node's rail, one row per (node,
// rail, peer) as that node saw it, and the checks that name every unreachable pair and every
// mismatch between the ends of a rail. Pure functions of fingerprints and rows, so they are
// tested on recorded inputs; stages/reach.cpp measures with the verbs engines.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fabricperf/result_document.hpp"
#include "fabricperf/runners/layout.hpp"

namespace fabricperf::runners {

// Every node's ports in rail order. Unlike the measuring stages' rails (ACTIVE ports only), a
// port that is DOWN keeps its rail, so the mesh can name it. Positions that no node has ACTIVE
// (an uncabled second port everywhere) are left out; a node without a port at a rail others
// have gets an empty device there.
struct ReachRails {
  int rails = 0;
  std::vector<std::vector<RailPort>> ports_of_node;  // [node][rail]
  std::vector<std::string> unused;                   // "mlx5_1:2" left out: ACTIVE on no node
};

// From every node's fingerprint (core host_info JSON): the plan's `devices` in that order when
// given (a device a node lacks leaves an empty device there), else every port by device name
// then port; at most `max_rails` rails when > 0.
[[nodiscard]] ReachRails reach_rails(const std::vector<nlohmann::json>& fingerprints,
                                     const std::vector<std::string>& devices, int max_rails);
// Rank 0 decides, every rank gets it: [[{"device", "port", "state", "link_layer",
// "rate_gbps", "soft"}, ...] per node]. Throws Error on a malformed table.
[[nodiscard]] nlohmann::json to_json(const ReachRails& rails);
[[nodiscard]] ReachRails reach_rails_from_json(const nlohmann::json& j);

// What verbs' device selection read of a port that opened.
struct ReachPortFacts {
  std::string link_layer;  // Ethernet | InfiniBand
  std::string gid;
  int gid_index = 0;
  std::string gid_type;  // "RoCE v2", "RoCE v1", "IB"
  int active_mtu_bytes = 0;
  double line_rate_gbps = 0;
  std::string rate;  // "4X EDR": width and speed
  double lane_speed_gbps = 0;
  int width_lanes = 0;
};

// Where a task of the mesh failed, from its own end: its port (DOWN, does not open), the peer's
// end (the peer said so), the path between two working ports (no answer, retries exhausted),
// or the data (the write arrived wrong).
enum class ReachFault { none, port, peer, path, data };
[[nodiscard]] std::string to_string(ReachFault fault);

// The step a task failed in (link_runner's TaskPhase, without its verbs types).
enum class ReachStep { ok, setup, peer, connect, exchange };

struct ReachFailure {
  ReachFault fault = ReachFault::none;
  std::string reason;  // "port DOWN", "connect timed out", "the peer's end failed", ...
};
// `error` as link_runner reports it; `port_state` the local port's state as read now.
[[nodiscard]] ReachFailure classify_reach_failure(ReachStep step, const std::string& error,
                                                  const std::string& port_state);

// One task of the mesh as its rank saw it.
struct ReachEnd {
  std::string host;
  int rank = 0;
  int rail = 0;
  RailPort port;                        // device and port of the rail; state as read at the stage's start
  std::optional<ReachPortFacts> facts;  // when the port opened
  std::string peer_host;
  int peer_rank = 0;
  std::string peer_device;
  ReachFailure failure;
  std::optional<bool> data_ok;       // the data check of the write this end received
  std::string data_detail;           // its description when it failed
  std::optional<double> latency_us;  // half the round trip (the initiator's end)
};

// The row: stage, host, rank, rail, device, port, port_state, link_layer, gid, gid_index,
// gid_type, active_mtu_bytes, line_rate_gbps, rate, lane_speed_gbps, width_lanes (those the port
// has), peer_host, peer_rank, peer_device, reachable, fault + reason (when not), data_ok,
// latency_us, soft_rdma.
[[nodiscard]] nlohmann::json reach_row(const ReachEnd& end);

// Checks over every row of the stage:
//   reach_path        a port that reaches none of its peers while they reach others (or is
//                     DOWN): one check naming it and its peers; every other unreachable pair:
//                     one check naming the end that fails more often, "node2 rail 1 (rxe1): no
//                     path to node3 rail 1 — connect timed out"; one pass when none.
//   reach_port_match  active MTU, rate, GID type, link layer: a port that differs from the
//                     majority of its rail, or (no majority) the two ends of a tested pair that
//                     differ; one pass when every rail agrees.
// Beyond `max_named` checks of a kind, one more summarizes the rest.
[[nodiscard]] std::vector<Check> judge_reach(const nlohmann::json& rows, std::size_t max_named = 20);

}  // namespace fabricperf::runners
