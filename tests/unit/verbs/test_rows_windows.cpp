// The window fields of bandwidth rows: from lane measurements, over -b, in aggregates, through
// JSON (range-checked) and absent in rows of older tools.
#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/verbs/rows.hpp"

using namespace fabricperf::verbs;
using nlohmann::json;

namespace {

// A lane that sent 64 KiB messages for 1 s at 8 Gb/s, with windows of 100 ms (whose length
// the engine measures in ticks: a hair off 0.1 s).
LaneMeasurement lane(const char* host, const char* dev, std::optional<double> min_gbps, std::uint64_t full = 10) {
  LaneMeasurement m;
  m.host = host;
  m.device = dev;
  m.line_rate_gbps = 10;
  m.transmitted = true;
  m.tx.messages = 15258;
  m.tx.bytes = m.tx.messages * 65536;
  m.tx.seconds = 1;
  m.tx.bw_avg_gbps = bandwidth_gbps(m.tx.bytes, 1);
  m.tx.bw_peak_gbps = m.tx.bw_avg_gbps;
  m.tx.msg_rate_mpps = message_rate_mpps(m.tx.messages, 1);
  m.windows.window_s = 0.1 + 3e-10;
  m.windows.full_windows = full;
  m.windows.min_gbps = min_gbps;
  if (min_gbps) {
    m.windows.min_at_s = 0.3;
    m.windows.cv = 0.05;
  }
  return m;
}

RowIdentity identity(bool bidirectional = false) {
  RowIdentity id;
  id.op = "write";
  id.size_bytes = 65536;
  id.bidirectional = bidirectional;
  id.pair = 0;
  return id;
}

}  // namespace

TEST(BwRowWindows, OneDirectionCarriesTheInitiatorsWindows) {
  const auto row = make_bw_row(identity(), lane("a", "d0", 6.5), lane("b", "d0", 1.0)).to_json();
  EXPECT_DOUBLE_EQ(row.at("bw_window_ms").get<double>(), 100);  // the configured length, not the ticks'
  EXPECT_EQ(row.at("bw_windows"), 10);
  EXPECT_DOUBLE_EQ(row.at("bw_min_gbps").get<double>(), 6.5);
  EXPECT_DOUBLE_EQ(row.at("bw_min_at_s").get<double>(), 0.3);
  EXPECT_DOUBLE_EQ(row.at("bw_cv").get<double>(), 0.05);
}

TEST(BwRowWindows, TooShortARunHasNullMinimumAndVariation) {
  const auto row =
      make_bw_row(identity(), lane("a", "d0", std::nullopt, 1), lane("b", "d0", std::nullopt, 0)).to_json();
  EXPECT_EQ(row.at("bw_windows"), 1);
  EXPECT_TRUE(row.at("bw_min_gbps").is_null());
  EXPECT_TRUE(row.at("bw_cv").is_null());
  EXPECT_TRUE(row.at("bw_min_at_s").is_null());
  const auto back = BwRow::from_json(row);
  EXPECT_FALSE(back.bw_min_gbps);
  EXPECT_EQ(back.to_json(), row);
}

TEST(BwRowWindows, BidirectionalSumsTheMinimaAndHasNoVariation) {
  const auto row = make_bw_row(identity(true), lane("a", "d0", 6.5, 10), lane("b", "d0", 7.0, 9)).to_json();
  EXPECT_DOUBLE_EQ(row.at("bw_min_gbps").get<double>(), 13.5);
  EXPECT_EQ(row.at("bw_windows"), 9);
  EXPECT_TRUE(row.at("bw_cv").is_null());
  EXPECT_TRUE(row.at("bw_min_at_s").is_null());
  // One side too short: no minimum for the pair.
  const auto short_side = make_bw_row(identity(true), lane("a", "d0", 6.5), lane("b", "d0", std::nullopt, 1)).to_json();
  EXPECT_TRUE(short_side.at("bw_min_gbps").is_null());
}

TEST(BwRowWindows, AggregateSumsTheMinimaOfMembersWithTheSameWindow) {
  const auto r1 = make_bw_row(identity(), lane("a", "d0", 6.5, 10), lane("b", "d0", 1));
  const auto r2 = make_bw_row(identity(), lane("a", "d1", 3.0, 8), lane("b", "d1", 1));
  const auto agg = aggregate_row({r1, r2});
  EXPECT_DOUBLE_EQ(agg.at("bw_min_gbps").get<double>(), 9.5);
  EXPECT_LE(agg.at("bw_min_gbps").get<double>(), agg.at("bw_avg_gbps").get<double>());
  EXPECT_EQ(agg.at("bw_windows"), 8);
  EXPECT_DOUBLE_EQ(agg.at("bw_window_ms").get<double>(), 100);
  EXPECT_FALSE(agg.contains("bw_cv"));
  // A member without a minimum: none for the sum.
  const auto r3 = make_bw_row(identity(), lane("a", "d2", std::nullopt, 1), lane("b", "d2", 1));
  EXPECT_TRUE(aggregate_row({r1, r3}).at("bw_min_gbps").is_null());
  // Members with different windows: no window fields at all.
  auto other = lane("a", "d3", 2.0);
  other.windows.window_s = 0.25;
  const auto r4 = make_bw_row(identity(), other, lane("b", "d3", 1));
  EXPECT_FALSE(aggregate_row({r1, r4}).contains("bw_min_gbps"));
}

TEST(BwRowWindows, RowsOfOlderToolsHaveNoWindowFields) {
  LaneMeasurement old = lane("a", "d0", 6.5);
  old.windows = WindowFigures{};
  const auto row = make_bw_row(identity(), old, lane("b", "d0", 1)).to_json();
  for (const char* key : {"bw_window_ms", "bw_windows", "bw_min_gbps", "bw_cv", "bw_min_at_s"})
    EXPECT_FALSE(row.contains(key)) << key;
  EXPECT_EQ(BwRow::from_json(row).to_json(), row);
}

TEST(BwRowWindows, JsonIsRangeChecked) {
  const auto good = make_bw_row(identity(), lane("a", "d0", 6.5), lane("b", "d0", 1)).to_json();
  EXPECT_EQ(BwRow::from_json(good).to_json(), good);
  for (const auto& [key, value] : std::vector<std::pair<const char*, json>>{{"bw_min_gbps", -1},
                                                                            {"bw_cv", "high"},
                                                                            {"bw_window_ms", -100},
                                                                            {"bw_windows", 2.5},
                                                                            {"bw_min_at_s", -0.1}}) {
    auto bad = good;
    bad[key] = value;
    try {
      (void)BwRow::from_json(bad);
      ADD_FAILURE() << key << " = " << value.dump() << " was accepted";
    } catch (const fabricperf::Error& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  }
}

TEST(BwRowWindows, LaneWindowsTravelBetweenRanksAndAreRangeChecked) {
  const auto m = lane("node1", "rxe0", 6.5);
  const auto back = LaneMeasurement::from_json(m.to_json());
  EXPECT_DOUBLE_EQ(back.windows.window_s, m.windows.window_s);
  EXPECT_EQ(back.windows.full_windows, 10U);
  EXPECT_DOUBLE_EQ(*back.windows.min_gbps, 6.5);
  EXPECT_DOUBLE_EQ(*back.windows.cv, 0.05);
  const auto none = LaneMeasurement::from_json(lane("n", "d", std::nullopt, 1).to_json());
  EXPECT_FALSE(none.windows.min_gbps);
  auto j = m.to_json();
  j["bw_cv"] = -0.5;
  EXPECT_THROW((void)LaneMeasurement::from_json(j, "node2"), fabricperf::PeerError);
  j = m.to_json();
  j["full_windows"] = "many";
  EXPECT_THROW((void)LaneMeasurement::from_json(j, "node2"), fabricperf::PeerError);
}
