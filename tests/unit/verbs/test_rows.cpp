// The measurement rows every verbs consumer writes (fp_bw, fp_lat, fp_gdr, fp_suite): the
// field vocabulary and the arithmetic each row kind obeys.
#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/verbs/rows.hpp"

using namespace fabricperf::verbs;
using fabricperf::LogHistogram;

namespace {

// A lane that sent `messages` of 64 KiB over `seconds` (figures as the engine computes them).
LaneMeasurement lane(const char* host, const char* dev, std::uint64_t messages, double seconds, double line) {
  LaneMeasurement m;
  m.host = host;
  m.device = dev;
  m.line_rate_gbps = line;
  m.transmitted = messages > 0;
  m.tx.messages = messages;
  m.tx.bytes = messages * 65536;
  m.tx.seconds = seconds;
  m.tx.bw_avg_gbps = bandwidth_gbps(m.tx.bytes, seconds);
  m.tx.bw_peak_gbps = m.tx.bw_avg_gbps * 1.1;
  m.tx.msg_rate_mpps = message_rate_mpps(messages, seconds);
  return m;
}

RowIdentity identity(bool bidirectional = false, std::uint32_t qps = 2) {
  RowIdentity id;
  id.op = "write";
  id.size_bytes = 65536;
  id.qps = qps;
  id.bidirectional = bidirectional;
  id.pair = 0;
  return id;
}

// bytes = messages * size; bw = bytes * 8 / duration / 1e9; rate = messages / duration / 1e6.
void expect_bandwidth_arithmetic(const nlohmann::json& row) {
  SCOPED_TRACE(row.dump());
  const auto messages = row.at("messages").get<std::uint64_t>();
  const auto bytes = row.at("bytes").get<std::uint64_t>();
  const double seconds = row.at("duration_s").get<double>();
  ASSERT_GT(seconds, 0);
  if (!row.value("aggregate", false)) {
    EXPECT_EQ(bytes, messages * row.at("size_bytes").get<std::uint64_t>());
    EXPECT_NEAR(row.at("bw_avg_gbps").get<double>(), static_cast<double>(bytes) * 8 / seconds / 1e9, 1e-9);
    EXPECT_NEAR(row.at("msg_rate_mpps").get<double>(), static_cast<double>(messages) / seconds / 1e6, 1e-12);
  }
  EXPECT_GE(row.at("bw_peak_gbps").get<double>(), row.at("bw_avg_gbps").get<double>());
}

}  // namespace

TEST(BwRow, CarriesTheVocabulary) {
  auto init = lane("node1", "rxe0", 1000, 0.5, 100);
  init.rank = 1;
  auto tgt = lane("node2", "rxe1", 0, 0, 200);
  tgt.rank = 2;
  const auto row = make_bw_row(identity(), init, tgt).to_json();
  for (const char* f :
       {"host",  "peer_host",  "rank",        "peer_rank",    "device",        "peer_device",    "port",
        "pair",  "op",         "size_bytes",  "qps",          "bidirectional", "iterations",     "messages",
        "bytes", "duration_s", "bw_avg_gbps", "bw_peak_gbps", "msg_rate_mpps", "line_rate_gbps", "line_rate_pct"})
    EXPECT_TRUE(row.contains(f)) << f;
  EXPECT_EQ(row["device"], "rxe0");
  EXPECT_EQ(row["peer_device"], "rxe1");
  EXPECT_EQ(row["rank"], 1);
  EXPECT_EQ(row["peer_rank"], 2);
  EXPECT_EQ(row["iterations"], 500);                           // per QP: 1000 messages over 2 QPs
  EXPECT_DOUBLE_EQ(row["line_rate_gbps"].get<double>(), 100);  // the slower end
  EXPECT_FALSE(row.contains("validation"));
  expect_bandwidth_arithmetic(row);
}

TEST(BwRow, UnknownLineRateIsNull) {
  const auto row = make_bw_row(identity(), lane("a", "rxe0", 10, 1, 0), lane("b", "rxe0", 0, 0, 0)).to_json();
  EXPECT_TRUE(row["line_rate_pct"].is_null());
  EXPECT_EQ(row["line_rate_gbps"], 0.0);
}

TEST(BwRow, BidirectionalSumsBytesOverTheLongerDirection) {
  // 40 Gb/s for 0.5 s one way, 30 Gb/s for 0.6 s the other: bytes add, time is the longer.
  const auto a = lane("a", "d0", 38147, 0.5, 100);
  const auto b = lane("b", "d1", 34332, 0.6, 100);
  const auto row = make_bw_row(identity(true), a, b).to_json();
  EXPECT_EQ(row["messages"], 38147 + 34332);
  EXPECT_DOUBLE_EQ(row["duration_s"].get<double>(), 0.6);
  EXPECT_EQ(row["iterations"], 38147 / 2);  // the initiator's messages per QP
  expect_bandwidth_arithmetic(row);
}

TEST(BwRow, ValidationMergedFromBothSides) {
  auto init = lane("a", "d0", 10, 1, 0);
  auto tgt = lane("b", "d0", 0, 0, 0);
  init.validation.enabled = tgt.validation.enabled = true;
  tgt.validation.record_ok();
  tgt.validation.record_mismatch(0, 3, 77);
  const auto row = make_bw_row(identity(), init, tgt).to_json();
  ASSERT_TRUE(row.contains("validation"));
  EXPECT_EQ(row["validation"]["first_bad_offset"], 77);
  EXPECT_EQ(row["validation"]["mismatched_messages"], 1);
}

TEST(BwRow, JsonRoundTripIsExact) {
  const auto row = make_bw_row(identity(true), lane("a", "d0", 100, 0.1, 100), lane("b", "d1", 90, 0.1, 50));
  EXPECT_EQ(BwRow::from_json(row.to_json()).to_json(), row.to_json());
}

TEST(BwRow, AggregateSumsRowsAndKeepsItsOwnArithmetic) {
  const auto r1 = make_bw_row(identity(), lane("a", "d0", 1000, 0.5, 100), lane("b", "d0", 0, 0, 100));
  const auto r2 = make_bw_row(identity(), lane("a", "d1", 500, 0.4, 100), lane("b", "d1", 0, 0, 100));
  const auto agg = aggregate_row({r1, r2});
  EXPECT_EQ(agg["aggregate"], true);
  EXPECT_EQ(agg["devices"].size(), 2U);
  EXPECT_DOUBLE_EQ(agg["bw_avg_gbps"].get<double>(), r1.bw_avg_gbps + r2.bw_avg_gbps);
  EXPECT_EQ(agg["messages"], 1500);
  EXPECT_EQ(agg["bytes"], 1500 * 65536);
  EXPECT_DOUBLE_EQ(agg["duration_s"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(agg["line_rate_pct"].get<double>(), 100 * (r1.bw_avg_gbps + r2.bw_avg_gbps) / 200);
  expect_bandwidth_arithmetic(agg);
}

TEST(LaneMeasurement, JsonRoundTrip) {
  auto m = lane("node1", "rxe0", 1000, 0.25, 100);
  m.rank = 3;
  m.posted = 77;
  m.validation.enabled = true;
  m.validation.record_mismatch(1, 2, 3);
  const auto back = LaneMeasurement::from_json(m.to_json());
  EXPECT_EQ(back.host, "node1");
  EXPECT_EQ(back.rank, 3);
  EXPECT_EQ(back.posted, 77U);
  EXPECT_DOUBLE_EQ(back.tx.bw_avg_gbps, m.tx.bw_avg_gbps);
  EXPECT_EQ(*back.validation.first_bad_offset, 3U);
}

TEST(LaneMeasurement, PeerValuesAreRangeChecked) {
  auto j = lane("n", "d", 1, 1, 1).to_json();
  j["messages"] = -5;
  EXPECT_THROW((void)LaneMeasurement::from_json(j, "node2"), fabricperf::PeerError);
  j = lane("n", "d", 1, 1, 1).to_json();
  j["seconds"] = "fast";
  try {
    (void)LaneMeasurement::from_json(j, "node2");
    FAIL() << "a string for seconds was accepted";
  } catch (const fabricperf::PeerError& e) {
    EXPECT_NE(std::string(e.what()).find("node2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("seconds"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)LaneMeasurement::from_json(nlohmann::json::array(), "node2"), fabricperf::PeerError);
}

TEST(LatRow, ExactSamplesCarryTheWholeSummary) {
  LatencyResult r;
  r.measured = true;
  for (int i = 1; i <= 1000; ++i) r.samples_us.push_back(i * 0.01);
  r.divisor = 2;
  RowIdentity id = identity(false, 7);
  id.op = "send";
  const auto row = make_lat_row(id, r).to_json();
  for (const char* f : {"t_min_us", "t_max_us", "t_typical_us", "t_avg_us", "t_stdev_us", "p50_us", "p90_us", "p99_us",
                        "p99_9_us", "p99_99_us", "histogram", "qps", "bidirectional"})
    EXPECT_TRUE(row.contains(f)) << f;
  EXPECT_EQ(row["iterations"], 1000);
  EXPECT_EQ(row["qps"], 1);  // a ping-pong runs on one QP whatever the identity said
  EXPECT_EQ(row["latency"], "half_round_trip");
  EXPECT_FALSE(row.contains("round_trip"));
  EXPECT_FALSE(row.contains("half_round_trip"));
  EXPECT_FALSE(row.contains("line_rate_gbps"));
  EXPECT_NEAR(row["t_min_us"].get<double>(), 0.01, 1e-12);
  EXPECT_NEAR(row["t_max_us"].get<double>(), 10.0, 1e-12);
  EXPECT_LE(row["p99_us"].get<double>(), row["p99_99_us"].get<double>());
  std::uint64_t counted = 0;
  for (const auto& b : row["histogram"]) counted += b.at("count").get<std::uint64_t>();
  EXPECT_EQ(counted, 1000U);  // the histogram holds every sample
  EXPECT_EQ(LatRow::from_json(row).to_json(), row);
}

TEST(LatRow, HistogramModeAndFullRoundTrip) {
  LatencyResult r;
  r.measured = true;
  r.duration_mode = true;
  r.divisor = 1;
  for (int i = 0; i < 500; ++i) r.histogram_ns.record(2000 + i);
  const auto row = make_lat_row(identity(), r).to_json();
  EXPECT_EQ(row["iterations"], 500);
  EXPECT_EQ(row["latency"], "round_trip");
  EXPECT_GE(row["t_min_us"].get<double>(), 1.9);
  EXPECT_LE(row["t_max_us"].get<double>(), 2.6);
}
