// The reach stage's logic on recorded inputs: which port is each rail (DOWN ports kept), how a
// failed task is named, the rows, the checks (a dead port is one check naming only it; a lone
// bad pair names the end that fails more; MTU/rate/GID type/link layer mismatches), and the
// estimate for 2,048 nodes x 8 rails.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "fabricperf/error.hpp"
#include "fabricperf/runners/reach.hpp"
#include "fabricperf/runners/suite_plan.hpp"

namespace fr = fabricperf::runners;
using fabricperf::CheckStatus;
using nlohmann::json;

namespace {

// A fingerprint as core's host_info writes it (only the fields reach reads).
json host(const std::string& name, std::vector<std::pair<std::string, std::string>> ports) {
  json devs = json::array();
  for (const auto& [dev, state] : ports)
    devs.push_back({{"name", dev},
                    {"ports",
                     {{{"port", 1},
                       {"state", state},
                       {"phys_state", state == "ACTIVE" ? "LINK_UP" : "DISABLED"},
                       {"link_layer", "Ethernet"},
                       {"rate", "100 Gb/sec (4X EDR)"},
                       {"rate_gbps", 100}}}}});
  return {{"hostname", name}, {"rdma_devices", devs}};
}

fr::ReachPortFacts facts(int mtu = 4096, const std::string& gid_type = "RoCE v2", double rate = 100) {
  fr::ReachPortFacts f;
  f.link_layer = "Ethernet";
  f.gid = "0000:0000:0000:0000:0000:ffff:0a4d:0001";
  f.gid_index = 1;
  f.gid_type = gid_type;
  f.active_mtu_bytes = mtu;
  f.line_rate_gbps = rate;
  f.rate = rate == 100 ? "4X EDR" : "4X HDR";
  f.lane_speed_gbps = rate / 4;
  f.width_lanes = 4;
  return f;
}

// One end's row for node `me` on `rail` towards `peer`.
json end_row(const std::string& me, int rail, const std::string& peer, fr::ReachFailure failure = {},
             std::optional<fr::ReachPortFacts> f = facts(), const std::string& state = "ACTIVE") {
  fr::ReachEnd e;
  e.host = me;
  e.rail = rail;
  e.port.device = "rxe" + std::to_string(rail);
  e.port.state = state;
  e.port.link_layer = "Ethernet";
  e.facts = state == "ACTIVE" ? f : std::nullopt;
  e.peer_host = peer;
  e.peer_device = "rxe" + std::to_string(rail);
  e.failure = std::move(failure);
  if (e.failure.fault == fr::ReachFault::none) {
    e.data_ok = true;
    e.latency_us = 12.5;
  }
  return fr::reach_row(e);
}

const fr::ReachFailure kTimedOut{fr::ReachFault::path, "connect timed out"};
const fr::ReachFailure kPortDown{fr::ReachFault::port, "port DOWN"};
const fr::ReachFailure kPeerFailed{fr::ReachFault::peer, "the peer's end failed"};

// Rows of a full mesh over `nodes` on `rails` rails; `row_of` may replace any end's row.
json mesh(const std::vector<std::string>& nodes, int rails,
          const std::function<json(const std::string&, int, const std::string&)>& row_of = {}) {
  json rows = json::array();
  for (int rail = 0; rail < rails; ++rail)
    for (const auto& me : nodes)
      for (const auto& peer : nodes) {
        if (me == peer) continue;
        json r = row_of ? row_of(me, rail, peer) : json();
        rows.push_back(r.is_null() ? end_row(me, rail, peer) : r);
      }
  return rows;
}

std::vector<fabricperf::Check> failed(const std::vector<fabricperf::Check>& checks) {
  std::vector<fabricperf::Check> out;
  for (const auto& c : checks)
    if (c.status == CheckStatus::fail) out.push_back(c);
  return out;
}

const fabricperf::Check* find(const std::vector<fabricperf::Check>& checks, const std::string& name) {
  for (const auto& c : checks)
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace

TEST(ReachRails, DownPortKeepsItsRailUnusedPositionLeftOut) {
  // node2's rxe1 is DOWN (a cut cable); mlx5_9 is DOWN everywhere (an uncabled port).
  const std::vector<json> fps = {host("node1", {{"rxe0", "ACTIVE"}, {"rxe1", "ACTIVE"}, {"rxe9", "DOWN"}}),
                                 host("node2", {{"rxe0", "ACTIVE"}, {"rxe1", "DOWN"}, {"rxe9", "DOWN"}}),
                                 host("node3", {{"rxe0", "ACTIVE"}, {"rxe1", "ACTIVE"}, {"rxe9", "DOWN"}})};
  const auto rails = fr::reach_rails(fps, {}, 0);
  EXPECT_EQ(rails.rails, 2);
  ASSERT_EQ(rails.ports_of_node.size(), 3u);
  EXPECT_EQ(rails.ports_of_node[1][1].device, "rxe1");
  EXPECT_EQ(rails.ports_of_node[1][1].state, "DOWN");
  EXPECT_EQ(rails.unused, std::vector<std::string>{"rxe9:1"});
  // The measuring stages' rails would have shifted node2's rails: only ACTIVE ports.
  EXPECT_EQ(fr::rail_ports(fps[1], {}).size(), 1u);

  const auto round_trip = fr::reach_rails_from_json(fr::to_json(rails));
  EXPECT_EQ(round_trip.rails, 2);
  EXPECT_EQ(round_trip.ports_of_node[1][1].state, "DOWN");
  EXPECT_THROW((void)fr::reach_rails_from_json(json{{"rails", 2}}), fabricperf::Error);

  EXPECT_EQ(fr::reach_rails(fps, {}, 1).rails, 1) << "--rails caps the mesh";
  const auto ordered = fr::reach_rails(fps, {"rxe1", "rxe0"}, 0);
  EXPECT_EQ(ordered.ports_of_node[0][0].device, "rxe1") << "--devices order";
  const auto missing = fr::reach_rails({fps[0], host("node4", {{"rxe0", "ACTIVE"}})}, {"rxe0", "rxe1"}, 0);
  EXPECT_EQ(missing.rails, 2);
  EXPECT_EQ(missing.ports_of_node[1][1].device, "") << "a node without that device keeps an empty rail";
}

TEST(ReachFailure, NamesWhereItFailed) {
  auto f =
      fr::classify_reach_failure(fr::ReachStep::setup, "setting up: opening rxe1 port 1: rxe1 port 1 is DOWN", "DOWN");
  EXPECT_EQ(f.fault, fr::ReachFault::port);
  EXPECT_EQ(f.reason, "port DOWN");
  // The latency engine's no-progress deadline, as it words it.
  f = fr::classify_reach_failure(
      fr::ReachStep::exchange,
      "measuring 64 bytes: no write from rank 1 on node2 (rxe0) for 2 s during write latency, 64 bytes (iteration 0)",
      "ACTIVE");
  EXPECT_EQ(f.fault, fr::ReachFault::path);
  EXPECT_EQ(f.reason, "connect timed out");
  f = fr::classify_reach_failure(fr::ReachStep::exchange, "write to node2 failed (transport retry counter exceeded)",
                                 "ACTIVE");
  EXPECT_EQ(f.reason, "write to node2 failed (transport retry counter exceeded)");
  EXPECT_EQ(fr::classify_reach_failure(fr::ReachStep::peer, "the peer could not set up its side", "ACTIVE").fault,
            fr::ReachFault::peer);
  EXPECT_EQ(fr::classify_reach_failure(fr::ReachStep::ok, "", "ACTIVE").fault, fr::ReachFault::none);
}

TEST(ReachRow, CarriesThePortAndTheOutcome) {
  const auto ok = end_row("node1", 0, "node2");
  EXPECT_EQ(ok["stage"], "reach");
  EXPECT_EQ(ok["port_state"], "ACTIVE");
  EXPECT_EQ(ok["gid_type"], "RoCE v2");
  EXPECT_EQ(ok["active_mtu_bytes"], 4096);
  EXPECT_EQ(ok["line_rate_gbps"], 100.0);
  EXPECT_EQ(ok["width_lanes"], 4);
  EXPECT_EQ(ok["lane_speed_gbps"], 25.0);
  EXPECT_EQ(ok["reachable"], true);
  EXPECT_EQ(ok["data_ok"], true);
  EXPECT_FALSE(ok.contains("reason"));

  const auto down = end_row("node2", 0, "node1", kPortDown, facts(), "DOWN");
  EXPECT_EQ(down["reachable"], false);
  EXPECT_EQ(down["fault"], "port");
  EXPECT_EQ(down["reason"], "port DOWN");
  EXPECT_FALSE(down.contains("active_mtu_bytes")) << "a port that did not open has no MTU to report";
  EXPECT_EQ(down["link_layer"], "Ethernet") << "still known from sysfs";

  fr::ReachEnd bad;
  bad.host = "node1";
  bad.peer_host = "node2";
  bad.port.state = "ACTIVE";
  bad.data_ok = false;
  bad.data_detail = "first bad byte at offset 17 of message 0 on QP 0 (1 of 1 messages wrong)";
  const auto corrupt = fr::reach_row(bad);
  EXPECT_EQ(corrupt["reachable"], false);
  EXPECT_EQ(corrupt["fault"], "data");
  EXPECT_EQ(corrupt["reason"], "data check failed: " + bad.data_detail);
}

TEST(ReachJudge, HealthyMeshPasses) {
  const auto checks = fr::judge_reach(mesh({"node1", "node2", "node3"}, 2));
  EXPECT_TRUE(failed(checks).empty());
  ASSERT_NE(find(checks, "reach_path"), nullptr);
  EXPECT_EQ(find(checks, "reach_path")->status, CheckStatus::pass);
  EXPECT_NE(find(checks, "reach_path")->detail.find("6 rail pairs over 2 rail(s)"), std::string::npos);
  EXPECT_EQ(find(checks, "reach_port_match")->status, CheckStatus::pass);
}

TEST(ReachJudge, DeadPortIsNamedAloneOnce) {
  // node2's rail 1 is DOWN: its own rows blame its port, its peers' rows say the peer failed.
  const auto rows = mesh({"node1", "node2", "node3"}, 2, [](const std::string& me, int rail, const std::string& peer) {
    if (rail == 1 && me == "node2") return end_row(me, rail, peer, kPortDown, std::nullopt, "DOWN");
    if (rail == 1 && peer == "node2") return end_row(me, rail, peer, kPeerFailed);
    return json();
  });
  const auto checks = fr::judge_reach(rows);
  const auto bad = failed(checks);
  ASSERT_EQ(bad.size(), 1u) << "one check for the port, none for node1 or node3";
  EXPECT_EQ(bad[0].name, "reach_path");
  EXPECT_EQ(bad[0].detail, "node2 rail 1 (rxe1): no path to node1 rail 1, node3 rail 1 \u2014 port DOWN");
  EXPECT_EQ(bad[0].labels["host"], "node2");
  EXPECT_EQ(bad[0].labels["rail"], 1);
  EXPECT_EQ(bad[0].labels["device"], "rxe1");
  EXPECT_EQ(find(checks, "reach_port_match")->status, CheckStatus::pass)
      << "a DOWN port has no MTU or rate to disagree with";
}

TEST(ReachJudge, SilentDeadPortBlamedBecauseItsPeersReachOthers) {
  // node3's rail 0 looks ACTIVE but answers nobody (both directions time out); the others are fine.
  const auto rows =
      mesh({"node1", "node2", "node3", "node4"}, 1, [](const std::string& me, int rail, const std::string& peer) {
        if (me == "node3" || peer == "node3") return end_row(me, rail, peer, kTimedOut);
        return json();
      });
  const auto bad = failed(fr::judge_reach(rows));
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].detail,
            "node3 rail 0 (rxe0): no path to node1 rail 0, node2 rail 0, node4 rail 0 \u2014 connect timed out");
  EXPECT_EQ(bad[0].measured, "connect timed out");
}

TEST(ReachJudge, LonePairNamesTheEndThatFailsMore) {
  // node2-node3 on rail 1 times out (a bad cable or switch port between them); node3 also fails
  // with node4, so node3 is the end named.
  const auto rows =
      mesh({"node1", "node2", "node3", "node4"}, 2, [](const std::string& me, int rail, const std::string& peer) {
        const bool bad = rail == 1 && ((me == "node2" && peer == "node3") || (me == "node3" && peer == "node2") ||
                                       (me == "node3" && peer == "node4") || (me == "node4" && peer == "node3"));
        return bad ? end_row(me, rail, peer, kTimedOut) : json();
      });
  const auto bad = failed(fr::judge_reach(rows));
  ASSERT_EQ(bad.size(), 2u);
  EXPECT_EQ(bad[0].detail, "node3 rail 1 (rxe1): no path to node2 rail 1 \u2014 connect timed out");
  EXPECT_EQ(bad[1].detail, "node3 rail 1 (rxe1): no path to node4 rail 1 \u2014 connect timed out");
  EXPECT_EQ(bad[0].labels["peer_host"], "node2");

  // Two nodes: nobody to compare with, so the pair is named from the first node.
  const auto two = mesh({"node1", "node2"}, 1, [](const std::string& me, int rail, const std::string& peer) {
    return end_row(me, rail, peer, kTimedOut);
  });
  const auto bad2 = failed(fr::judge_reach(two));
  ASSERT_EQ(bad2.size(), 1u);
  EXPECT_EQ(bad2[0].detail, "node1 rail 0 (rxe0): no path to node2 rail 0 \u2014 connect timed out");
}

TEST(ReachJudge, MismatchAgainstTheRailMajority) {
  const auto rows = mesh({"node1", "node2", "node3"}, 1, [](const std::string& me, int rail, const std::string& peer) {
    return me == "node3" ? end_row(me, rail, peer, {}, facts(1024)) : json();
  });
  const auto bad = failed(fr::judge_reach(rows));
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].name, "reach_port_match");
  EXPECT_EQ(bad[0].detail, "node3 rail 0 (rxe0): active MTU 1024 B, but 2 of 3 ports on rail 0 have 4096 B");
  EXPECT_EQ(bad[0].labels["field"], "active_mtu_bytes");
  EXPECT_EQ(bad[0].expected, "4096 B");
}

TEST(ReachJudge, MismatchBetweenTheTwoEnds) {
  const auto rows = mesh({"node1", "node2"}, 1, [](const std::string& me, int rail, const std::string& peer) {
    return me == "node2" ? end_row(me, rail, peer, {}, facts(4096, "RoCE v1", 200)) : json();
  });
  const auto bad = failed(fr::judge_reach(rows));
  ASSERT_EQ(bad.size(), 2u) << "rate and GID type";
  EXPECT_EQ(bad[0].detail,
            "node1 rail 0 (rxe0) and node2 rail 0 (rxe0) differ in rate: 100 Gb/s (4X EDR) vs 200 Gb/s (4X HDR)");
  EXPECT_EQ(bad[1].detail, "node1 rail 0 (rxe0) and node2 rail 0 (rxe0) differ in GID type: RoCE v2 vs RoCE v1");
}

TEST(ReachJudge, ManyProblemsAreCapped) {
  // Every pair of 6 nodes times out on its own (no end worse than another): 15 pair checks.
  const auto rows =
      mesh({"n1", "n2", "n3", "n4", "n5", "n6"}, 1,
           [](const std::string& me, int rail, const std::string& peer) { return end_row(me, rail, peer, kTimedOut); });
  const auto bad = failed(fr::judge_reach(rows, 4));
  ASSERT_EQ(bad.size(), 5u);
  EXPECT_EQ(bad[4].detail, "and 11 more unreachable pairs (see the reach rows)");
}

TEST(ReachPlan, PresetsAndEstimate) {
  const auto reach = fr::load_preset("reach");
  EXPECT_EQ(reach.stages, std::vector<std::string>{"reach"});
  EXPECT_EQ(reach.reach.connect_timeout_s, 2);
  EXPECT_EQ(fr::load_preset("go-live").stages.front(), "reach");

  // 2,048 nodes x 8 rails: every pair (2,047 rounds), one connect + one message per round.
  const auto big = fr::plan_suite(reach, {2048, 8, 0, 1, 400});
  const auto* st = big.find("reach");
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(st->rounds.size(), 2047u);
  EXPECT_EQ(st->pairs, 2048u * 2047u / 2u);
  EXPECT_EQ(st->links, 2048u * 2047u / 2u * 8u);
  EXPECT_LT(big.estimated_s, 120.0);
  const fr::CostModel cost;
  EXPECT_NEAR(st->estimated_s, 2047 * (cost.reach_connect_s + 2 * cost.lat_base_us * 1e-6), 0.5);
  // max_rounds does not thin the mesh: an untested pair is an unknown path.
  auto capped = reach;
  capped.verbs.max_rounds = 3;
  EXPECT_EQ(fr::plan_suite(capped, {16, 1, 0, 1, 400}).find("reach")->rounds.size(), 15u);
  EXPECT_EQ(fr::plan_suite(reach, {1, 1, 0, 1, 400}).find("reach")->skip_reason,
            "needs at least 2 nodes (the job spans 1)");

  auto bad = reach;
  EXPECT_THROW(fr::apply_setting(bad, "reach.connect_timeout_s=0"), fabricperf::UsageError);
  fr::apply_setting(bad, "reach.connect_timeout_s=5");
  EXPECT_EQ(bad.reach.connect_timeout_s, 5);
}

TEST(ReachJudge, EndWithoutRowsIsTheOneNamed) {
  // node3's report never reached rank 0 (a malformed report is left out): only its peers' rows
  // say anything, and they name node3, not themselves.
  json rows = json::array();
  for (const auto& r : mesh({"node1", "node2", "node3"}, 1, [](const std::string&me, int rail, const std::string&peer) {
         return peer == "node3" ? end_row(me, rail, peer, kPeerFailed) : json();
       }))
    if (r["host"] != "node3") rows.push_back(r);
  const auto bad = failed(fr::judge_reach(rows));
  ASSERT_EQ(bad.size(), 2u);
  EXPECT_EQ(bad[0].detail, "node3 rail 0: no path to node1 rail 0 \u2014 the peer's end failed");
  EXPECT_EQ(bad[1].detail, "node3 rail 0: no path to node2 rail 0 \u2014 the peer's end failed");
  EXPECT_EQ(bad[0].labels["host"], "node3");
}

namespace {

// fp_suite --preset reach on the 3-guest Soft-RoCE test bed (3 nodes x 1 rail), as written.
json recorded_rows() {
  std::ifstream in(std::string(FABRICPERF_SOURCE_DIR) + "/tests/data/runners/reach-3node-testbed.json");
  const auto doc = json::parse(in);
  json rows = json::array();
  for (const auto& r : doc["results"])
    if (r["stage"] == "reach") rows.push_back(r);
  return rows;
}

}  // namespace

TEST(ReachRecorded, TestbedRunPassesAndFaultsOnItAreNamed) {
  const auto rows = recorded_rows();
  ASSERT_EQ(rows.size(), 6u) << "3 nodes x 2 peers x 1 rail";
  EXPECT_TRUE(failed(fr::judge_reach(rows)).empty());

  // node2's rxe0 with a 1024-byte MTU: the rail's other two ports outvote it.
  auto mtu = rows;
  for (auto& r : mtu)
    if (r["host"] == "node2") r["active_mtu_bytes"] = 1024;
  auto bad = failed(fr::judge_reach(mtu));
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].detail, "node2 rail 0 (rxe0): active MTU 1024 B, but 2 of 3 ports on rail 0 have 4096 B");

  // node2's rxe0 DOWN, as its rows and its peers' rows would say it.
  auto down = rows;
  for (auto& r : down) {
    if (r["host"] != "node2" && r["peer_host"] != "node2") continue;
    const bool mine = r["host"] == "node2";
    r["reachable"] = false;
    r["fault"] = mine ? "port" : "peer";
    r["reason"] = mine ? "port DOWN" : "the peer's end failed";
    if (mine) r["port_state"] = "DOWN";
    r.erase("data_ok");
    r.erase("latency_us");
  }
  bad = failed(fr::judge_reach(down));
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].detail, "node2 rail 0 (rxe0): no path to node1 rail 0, node3 rail 0 \u2014 port DOWN");
}

TEST(ReachRecorded, TestbedRailCutIsNamedAlone) {
  // fp_suite --preset reach on 3 guests x 2 rails with `fp-testbed link node2 1 down`.
  std::ifstream in(std::string(FABRICPERF_SOURCE_DIR) + "/tests/data/runners/reach-3node-2rail-cut.json");
  const auto doc = json::parse(in);
  json rows = json::array();
  for (const auto& r : doc["results"])
    if (r["stage"] == "reach") rows.push_back(r);
  ASSERT_EQ(rows.size(), 12u);
  const auto bad = failed(fr::judge_reach(rows));
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].detail, "node2 rail 1 (rxe1): no path to node1 rail 1, node3 rail 1 \u2014 port DOWN");
  EXPECT_EQ(bad[0].labels["host"], "node2");
  EXPECT_EQ(bad[0].labels["rail"], 1);
}
