#include <gtest/gtest.h>

#include "fabricperf/bw/report.hpp"

using namespace fabricperf::bw;

namespace {
LaneMeasurement lane(const char* host, const char* dev, double gbps, double line) {
  LaneMeasurement m;
  m.host = host;
  m.device = dev;
  m.line_rate_gbps = line;
  m.transmitted = gbps > 0;
  m.tx.bw_avg_gbps = gbps;
  m.tx.bw_peak_gbps = gbps * 1.1;
  m.tx.msg_rate_mpps = gbps / 8 / 65536 * 1000;
  m.tx.messages = 1000;
  m.tx.bytes = 1000 * 65536;
  m.tx.seconds = 0.5;
  return m;
}
RowContext ctx(bool bidir = false) {
  RowContext c;
  c.op = "write";
  c.size_bytes = 65536;
  c.qps = 2;
  c.iterations = 500;
  c.bidirectional = bidir;
  return c;
}
}  // namespace

TEST(BwReport, RowHasTheContractFields) {
  auto init = lane("node1", "rxe0", 50, 100);
  init.rank = 1;
  auto tgt = lane("node2", "rxe1", 0, 200);
  const auto row = bw_row(ctx(), init, tgt);
  for (const char* f : {"device", "op", "size_bytes", "iterations", "bw_avg_gbps", "bw_peak_gbps", "msg_rate_mpps",
                        "line_rate_pct", "host", "peer_host", "peer_device"})
    EXPECT_TRUE(row.contains(f)) << f;
  EXPECT_EQ(row["device"], "rxe0");
  EXPECT_EQ(row["peer_device"], "rxe1");
  EXPECT_EQ(row["iterations"], 500);
  EXPECT_DOUBLE_EQ(row["bw_avg_gbps"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(row["line_rate_pct"].get<double>(), 50.0);  // min of the two line rates
  EXPECT_FALSE(row.contains("validation"));
}

TEST(BwReport, UnknownLineRateIsNull) {
  const auto row = bw_row(ctx(), lane("a", "rxe0", 1, 0), lane("b", "rxe0", 0, 0));
  EXPECT_TRUE(row["line_rate_pct"].is_null());
}

TEST(BwReport, BidirectionalSumsBothSides) {
  const auto row = bw_row(ctx(true), lane("a", "d0", 40, 100), lane("b", "d1", 30, 100));
  EXPECT_DOUBLE_EQ(row["bw_avg_gbps"].get<double>(), 70.0);
  EXPECT_DOUBLE_EQ(row["line_rate_pct"].get<double>(), 70.0);
  EXPECT_GE(row["bw_peak_gbps"].get<double>(), 70.0);
}

TEST(BwReport, DurationModeIterationsFromMessages) {
  auto c = ctx();
  c.duration_mode = true;
  const auto row = bw_row(c, lane("a", "d0", 1, 0), lane("b", "d0", 0, 0));
  EXPECT_EQ(row["iterations"], 500);  // 1000 messages over 2 QPs
}

TEST(BwReport, ValidationMergedFromBothSides) {
  auto init = lane("a", "d0", 1, 0);
  auto tgt = lane("b", "d0", 0, 0);
  init.validation.enabled = tgt.validation.enabled = true;
  tgt.validation.record_ok();
  tgt.validation.record_mismatch(0, 3, 77);
  const auto row = bw_row(ctx(), init, tgt);
  ASSERT_TRUE(row.contains("validation"));
  EXPECT_EQ(row["validation"]["first_bad_offset"], 77);
  EXPECT_EQ(row["validation"]["mismatched_messages"], 1);
}

TEST(BwReport, AggregateSumsRows) {
  const auto r1 = bw_row(ctx(), lane("a", "d0", 40, 100), lane("b", "d0", 0, 100));
  const auto r2 = bw_row(ctx(), lane("a", "d1", 20, 100), lane("b", "d1", 0, 100));
  const auto agg = aggregate_row({r1, r2});
  EXPECT_EQ(agg["aggregate"], true);
  EXPECT_EQ(agg["devices"].size(), 2U);
  EXPECT_DOUBLE_EQ(agg["bw_avg_gbps"].get<double>(), 60.0);
  EXPECT_DOUBLE_EQ(agg["line_rate_pct"].get<double>(), 30.0);
  EXPECT_EQ(agg["size_bytes"], 65536);
  EXPECT_EQ(agg["iterations"], 1000);
}

TEST(BwReport, MeasurementJsonRoundTrip) {
  auto m = lane("node1", "rxe0", 12.5, 100);
  m.rank = 3;
  m.posted = 77;
  m.validation.enabled = true;
  m.validation.record_mismatch(1, 2, 3);
  const auto back = LaneMeasurement::from_json(m.to_json());
  EXPECT_EQ(back.host, "node1");
  EXPECT_EQ(back.rank, 3);
  EXPECT_EQ(back.posted, 77U);
  EXPECT_DOUBLE_EQ(back.tx.bw_avg_gbps, 12.5);
  EXPECT_EQ(*back.validation.first_bad_offset, 3U);
}

TEST(BwReport, TableInMBAndGb) {
  const auto row = bw_row(ctx(), lane("a", "d0", 8.388608, 0), lane("b", "d0", 0, 0));
  const auto gb = table_line(row, true, false);
  EXPECT_NE(gb.find("8.39"), std::string::npos) << gb;
  const auto mb = table_line(row, false, false);
  EXPECT_NE(mb.find("1000.00"), std::string::npos) << mb;  // 8.388608 Gb/s = 1000 MiB/s
  EXPECT_NE(table_header(true, false).find("Gb/sec"), std::string::npos);
  EXPECT_NE(table_line(row, true, true).find("a:d0 -> b:d0"), std::string::npos);
}
