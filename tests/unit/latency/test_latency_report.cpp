#include <gtest/gtest.h>

#include <vector>

#include "fabricperf/latency/report.hpp"
#include "fabricperf/verbs/rows.hpp"

using namespace fabricperf;
using namespace fabricperf::latency;

namespace {
verbs::RowIdentity ctx() {
  verbs::RowIdentity c;
  c.op = "write";
  c.size_bytes = 2;
  c.device = "rxe0";
  c.peer_device = "rxe0";
  c.host = "node1";
  c.peer_host = "node2";
  return c;
}
// fp_lat's row from exact samples (iteration mode) or a histogram of nanoseconds (-D).
nlohmann::json latency_row(const verbs::RowIdentity& id, const std::vector<double>& samples_us) {
  verbs::LatencyResult r;
  r.measured = true;
  r.samples_us = samples_us;
  return verbs::make_lat_row(id, r).to_json();
}
nlohmann::json latency_row(const verbs::RowIdentity& id, const LogHistogram& histogram_ns, bool half_round_trip) {
  verbs::LatencyResult r;
  r.measured = true;
  r.duration_mode = true;
  r.histogram_ns = histogram_ns;
  r.divisor = half_round_trip ? 2 : 1;
  return verbs::make_lat_row(id, r).to_json();
}
const char* kFields[] = {"device", "op", "size_bytes", "iterations", "t_min_us", "t_max_us", "t_typical_us",
                         "t_avg_us", "t_stdev_us", "p50_us", "p90_us", "p99_us", "p99_9_us", "p99_99_us",
                         "histogram"};
void expect_ordered(const nlohmann::json& row) {
  const double vals[] = {row["t_min_us"], row["p50_us"], row["p90_us"], row["p99_us"],
                         row["p99_9_us"], row["p99_99_us"], row["t_max_us"]};
  for (std::size_t i = 1; i < std::size(vals); ++i) EXPECT_LE(vals[i - 1], vals[i]) << i;
}
}  // namespace

TEST(LatencyReport, ExactSamples) {
  std::vector<double> s;
  for (int i = 100; i >= 1; --i) s.push_back(i);  // 1..100 us, reversed
  const auto row = latency_row(ctx(), s);
  for (const char* f : kFields) EXPECT_TRUE(row.contains(f)) << f;
  EXPECT_EQ(row["iterations"], 100);
  EXPECT_DOUBLE_EQ(row["t_min_us"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(row["t_max_us"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(row["p50_us"].get<double>(), 50.0);  // nearest rank
  EXPECT_DOUBLE_EQ(row["t_typical_us"].get<double>(), row["p50_us"].get<double>());
  EXPECT_DOUBLE_EQ(row["p90_us"].get<double>(), 90.0);
  EXPECT_DOUBLE_EQ(row["p99_us"].get<double>(), 99.0);
  EXPECT_DOUBLE_EQ(row["t_avg_us"].get<double>(), 50.5);
  EXPECT_EQ(row["latency"], "half_round_trip");
  expect_ordered(row);
  std::uint64_t total = 0;
  for (const auto& b : row["histogram"]) total += b["count"].get<std::uint64_t>();
  EXPECT_EQ(total, 100U);
}

TEST(LatencyReport, DurationHistogramHasPercentiles) {
  LogHistogram h;
  for (int i = 1; i <= 10000; ++i) h.record(static_cast<std::uint64_t>(i) * 100);  // 0.1 .. 1000 us in ns
  const auto row = latency_row(ctx(), h, false);
  for (const char* f : kFields) EXPECT_TRUE(row.contains(f)) << f;
  EXPECT_EQ(row["iterations"], 10000);
  EXPECT_EQ(row["latency"], "round_trip");
  EXPECT_NEAR(row["p50_us"].get<double>(), 500.0, 500.0 / 16);
  EXPECT_NEAR(row["p99_us"].get<double>(), 990.0, 990.0 / 16);
  EXPECT_NEAR(row["t_avg_us"].get<double>(), 500.05, 0.01);
  expect_ordered(row);
  EXPECT_FALSE(row["histogram"].empty());
}

TEST(LatencyReport, TableLine) {
  std::vector<double> s{1.5, 2.5};
  const auto row = latency_row(ctx(), s);
  const auto line = table_line(row, false);
  EXPECT_NE(line.find("1.50"), std::string::npos) << line;
  EXPECT_NE(table_header(false).find("t_typical[usec]"), std::string::npos);
  EXPECT_NE(table_line(row, true).find("node1:rxe0 -> node2:rxe0"), std::string::npos);
}
