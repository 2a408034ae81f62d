// The window floor of verbs_bw (--expect-bw-min-pct / --expect-bw-min-gbps): a link whose slowest
// window drops below it fails even when its average passes, named with its window.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "fabricperf/error.hpp"
#include "fabricperf/runners/judge.hpp"
#include "fabricperf/runners/plan.hpp"

namespace fr = fabricperf::runners;
using fabricperf::Check;
using fabricperf::CheckStatus;
using nlohmann::json;

namespace {

// A verbs_bw link row at 1 MiB on a 100 Gb/s port: average `avg`, slowest 100 ms window `min`.
json link(const std::string& from, const std::string& to, double avg, std::optional<double> min, double at = 0.7) {
  json row = {{"stage", "verbs_bw"},     {"host", from},
              {"peer_host", to},         {"device", "mlx5_0"},
              {"peer_device", "mlx5_0"}, {"rail", 0},
              {"size_bytes", 1 << 20},   {"bw_avg_gbps", avg},
              {"line_rate_gbps", 100.0}, {"line_rate_pct", avg},
              {"bw_window_ms", 100},     {"bw_windows", 20}};
  row["bw_min_gbps"] = min ? json(*min) : json(nullptr);
  if (min) {
    row["bw_min_at_s"] = at;
    row["bw_cv"] = 0.01;
  } else {
    row["bw_windows"] = 1;
    row["bw_cv"] = nullptr;
  }
  return row;
}

fr::JudgeOptions floor_pct(double pct) {
  fr::JudgeOptions o;
  o.bw_min_line_rate_pct = pct;
  return o;
}

std::vector<const Check*> named(const std::vector<Check>& checks, const std::string& name) {
  std::vector<const Check*> out;
  for (const auto& c : checks)
    if (c.name == name) out.push_back(&c);
  return out;
}

// The recorded suite run (tests/data/results/v2/suite_golive.json: a real 2-node Soft-RoCE go-live)
// with its verbs_bw link row.
json recorded_link() {
  std::ifstream in(std::string(FABRICPERF_SOURCE_DIR) + "/tests/data/results/v2/suite_golive.json");
  const auto doc = json::parse(in);
  for (const auto& r : doc["results"])
    if (r.value("stage", "") == "verbs_bw" && !r.contains("aggregate")) return r;
  ADD_FAILURE() << "no verbs_bw link row";
  return json::object();
}

}  // namespace

TEST(JudgeWindowFloor, AFlappingLinkFailsAlthoughItsAveragePasses) {
  const json rows = json::array({link("node1", "node2", 95, 93), link("node3", "node4", 92, 4.5, 1.2)});
  const auto checks = fr::judge_bandwidth("verbs_bw", rows, floor_pct(50));
  // The average check passes both links...
  const auto line = named(checks, "verbs_bw_line_rate");
  ASSERT_EQ(line.size(), 1U);
  EXPECT_EQ(line[0]->status, CheckStatus::pass);
  // ...the window floor fails exactly the flapping one, naming it and its window.
  const auto floor = named(checks, "verbs_bw_bw_min");
  ASSERT_EQ(floor.size(), 1U);
  EXPECT_EQ(floor[0]->status, CheckStatus::fail);
  EXPECT_EQ(floor[0]->detail,
            "node3 mlx5_0 -> node4 mlx5_0: the 100 ms window at 1.20-1.30 s moved 4.5 Gb/s, below the floor 50 Gb/s "
            "(50 % of its 100 Gb/s line rate) at 1M; its average 92 Gb/s");
  EXPECT_EQ(floor[0]->labels["host"], "node3");
  EXPECT_EQ(floor[0]->labels["peer_host"], "node4");
  EXPECT_EQ(floor[0]->labels["rail"], 0);
  EXPECT_DOUBLE_EQ(floor[0]->measured["bw_min_gbps"].get<double>(), 4.5);
  EXPECT_DOUBLE_EQ(floor[0]->measured["bw_min_at_s"].get<double>(), 1.2);
  EXPECT_DOUBLE_EQ(floor[0]->expected["min_gbps"].get<double>(), 50);
}

TEST(JudgeWindowFloor, SteadyLinksPassAndNoFloorMeansNoCheck) {
  const json rows = json::array({link("node1", "node2", 95, 93), link("node3", "node4", 92, 90)});
  const auto checks = fr::judge_window_floor("verbs_bw", rows, floor_pct(50));
  ASSERT_EQ(checks.size(), 1U);
  EXPECT_EQ(checks[0].status, CheckStatus::pass);
  EXPECT_NE(checks[0].detail.find("all 2 judged links kept every 100 ms window at or above their floor"),
            std::string::npos)
      << checks[0].detail;
  EXPECT_TRUE(fr::judge_window_floor("verbs_bw", rows, {}).empty());
  EXPECT_TRUE(named(fr::judge_bandwidth("verbs_bw", rows, {}), "verbs_bw_bw_min").empty());
}

TEST(JudgeWindowFloor, GbpsFloorAndTheHigherOfBoth) {
  const json rows = json::array({link("node1", "node2", 95, 40)});
  fr::JudgeOptions o;
  o.bw_min_gbps = 30;
  EXPECT_EQ(fr::judge_window_floor("verbs_bw", rows, o).at(0).status, CheckStatus::pass);
  o.bw_min_line_rate_pct = 45;  // 45 Gb/s: the higher floor
  const auto checks = fr::judge_window_floor("verbs_bw", rows, o);
  EXPECT_EQ(checks.at(0).status, CheckStatus::fail);
  EXPECT_DOUBLE_EQ(checks.at(0).expected["min_gbps"].get<double>(), 45);
  o.bw_min_line_rate_pct = 20;
  o.bw_min_gbps = 41;
  const auto by_gbps = fr::judge_window_floor("verbs_bw", rows, o);
  EXPECT_EQ(by_gbps.at(0).status, CheckStatus::fail);
  EXPECT_NE(by_gbps.at(0).detail.find("(expect.bw_min_gbps)"), std::string::npos) << by_gbps.at(0).detail;
}

TEST(JudgeWindowFloor, LinksThatCannotBeJudgedWarnOrSkip) {
  // A run shorter than two windows has no minimum.
  const json rows = json::array({link("node1", "node2", 95, 93), link("node3", "node4", 92, std::nullopt)});
  const auto warn = fr::judge_window_floor("verbs_bw", rows, floor_pct(50));
  ASSERT_EQ(warn.size(), 1U);
  EXPECT_EQ(warn[0].status, CheckStatus::warn);
  EXPECT_NE(warn[0].detail.find("1 link(s) ran fewer than two full windows"), std::string::npos) << warn[0].detail;
  const auto skip = fr::judge_window_floor("verbs_bw", json::array({rows[1]}), floor_pct(50));
  EXPECT_EQ(skip.at(0).status, CheckStatus::skip);
  // A % floor needs the line rate; a Gb/s floor does not.
  json unknown = json::array({link("node1", "node2", 95, 3)});
  unknown[0]["line_rate_gbps"] = 0;
  EXPECT_EQ(fr::judge_window_floor("verbs_bw", unknown, floor_pct(50)).at(0).status, CheckStatus::skip);
  fr::JudgeOptions o;
  o.bw_min_gbps = 10;
  EXPECT_EQ(fr::judge_window_floor("verbs_bw", unknown, o).at(0).status, CheckStatus::fail);
}

TEST(JudgeWindowFloor, BidirectionalRowsNameTheSummedWindows) {
  json row = link("node1", "node2", 180, 20);
  row.erase("bw_min_at_s");
  row["bidirectional"] = true;
  const auto checks = fr::judge_window_floor("verbs_bw", json::array({row}), floor_pct(50));
  ASSERT_EQ(checks.at(0).status, CheckStatus::fail);
  EXPECT_NE(checks[0].detail.find("its slowest 100 ms windows (both directions summed) moved 20 Gb/s"),
            std::string::npos)
      << checks[0].detail;
}

TEST(JudgeWindowFloor, ManyFailingLinksAreCapped) {
  json rows = json::array();
  for (int i = 0; i < 30; ++i) rows.push_back(link("node" + std::to_string(i), "peer", 90, 1.0 + i));
  fr::JudgeOptions o = floor_pct(50);
  o.max_named = 5;
  const auto checks = fr::judge_window_floor("verbs_bw", rows, o);
  ASSERT_EQ(checks.size(), 6U);
  EXPECT_NE(checks[0].detail.find("node0 mlx5_0"), std::string::npos);  // the worst first
  EXPECT_EQ(checks[5].detail, "25 more links had a window below the floor than named above");
}

TEST(JudgeWindowFloor, RecordedSuiteRowIsJudgedWithoutItsOldFieldsAndWithWindows) {
  // The recorded go-live row predates windows: with a floor set it cannot be judged (skip),
  // and it is judged as soon as it carries them (here: a window at 40 % of its average).
  json row = recorded_link();
  ASSERT_FALSE(row.contains("bw_min_gbps"));
  fr::JudgeOptions o;
  o.bw_min_gbps = 0.05;
  EXPECT_EQ(fr::judge_window_floor("verbs_bw", json::array({row}), o).at(0).status, CheckStatus::skip);
  const double avg = row["bw_avg_gbps"].get<double>();
  row["bw_window_ms"] = 100;
  row["bw_windows"] = 9;
  row["bw_min_gbps"] = 0.4 * avg;
  row["bw_min_at_s"] = 0.3;
  const auto checks = fr::judge_window_floor("verbs_bw", json::array({row}), o);
  ASSERT_EQ(checks.at(0).status, CheckStatus::fail);
  EXPECT_NE(checks[0].detail.find("node1 rxe0 -> node2 rxe0: the 100 ms window at 0.30-0.40 s"), std::string::npos)
      << checks[0].detail;
}

TEST(JudgeWindowFloor, PlanKeysReachTheVerbsBwJudgeOnly) {
  auto plan = fr::load_preset("quick");
  fr::apply_setting(plan, "expect.bw_min_line_rate_pct=60");
  fr::apply_setting(plan, "expect.bw_min_gbps=2.5");
  fr::apply_setting(plan, "verbs.bw.window_ms=250");
  EXPECT_DOUBLE_EQ(plan.verbs.bw.window_ms, 250);
  EXPECT_DOUBLE_EQ(fr::judge_options(plan, "verbs_bw").bw_min_line_rate_pct, 60);
  EXPECT_DOUBLE_EQ(fr::judge_options(plan, "verbs_bw").bw_min_gbps, 2.5);
  EXPECT_DOUBLE_EQ(fr::judge_options(plan, "stress").bw_min_gbps, 0);
  EXPECT_EQ(fr::to_json(plan)["expect"]["bw_min_line_rate_pct"], 60.0);
  EXPECT_THROW(fr::apply_setting(plan, "verbs.bw.window_ms=0"), fabricperf::UsageError);
  EXPECT_THROW(fr::apply_setting(plan, "expect.bw_min_gbps=-1"), fabricperf::UsageError);
}

TEST(JudgeWindowFloor, RecordedTestbedRunsSteadyPassesFlappingFails) {
  // Two recorded verbs_bw runs of one link (64K, -D 4, 100 ms windows): steady, and with the
  // link cut three times for 0.15 s. Their averages are the same (0.062 Gb/s); their slowest
  // windows are not (0.028 vs 0.016 Gb/s), and a floor between them tells them apart.
  std::ifstream in(std::string(FABRICPERF_SOURCE_DIR) + "/tests/data/runners/window_floor_rows.json");
  const auto recorded = json::parse(in);
  fr::JudgeOptions o;
  o.bw_min_gbps = 0.02;
  const auto steady = fr::judge_bandwidth("verbs_bw", recorded["steady"], o);
  const auto flapping = fr::judge_bandwidth("verbs_bw", recorded["flapping"], o);
  EXPECT_EQ(named(steady, "verbs_bw_bw_min").at(0)->status, CheckStatus::pass);
  const auto failed = named(flapping, "verbs_bw_bw_min");
  ASSERT_EQ(failed.size(), 1U);
  EXPECT_EQ(failed[0]->status, CheckStatus::fail);
  EXPECT_EQ(failed[0]->detail,
            "node1 rxe0 -> node2 rxe0: the 100 ms window at 1.60-1.70 s moved 0.016 Gb/s, below the floor 0.02 Gb/s "
            "(expect.bw_min_gbps) at 64K; its average 0.0622 Gb/s");
  // Their averages both pass any line-rate expectation the floor does not.
  EXPECT_EQ(named(flapping, "verbs_bw_line_rate").at(0)->status, named(steady, "verbs_bw_line_rate").at(0)->status);
}
