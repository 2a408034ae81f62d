// fp_gdr's rows from the parts its sweep gathers (gdr/src/rows.cpp) and its table: the measured
// row is fp_bw's / fp_lat's row of the same measurement plus only the GPU identity fields.
#include <gtest/gtest.h>

#include <set>

#include "fabricperf/error.hpp"
#include "fabricperf/verbs/rows.hpp"
#include "rows.hpp"
#include "table.hpp"

using namespace fabricperf::gdr;
using fabricperf::verbs::LaneMeasurement;
using nlohmann::json;

namespace {

LaneMeasurement lane(const std::string& host, int rank, const std::string& device, bool transmitted,
                     std::uint64_t messages, double seconds, std::uint64_t size) {
  LaneMeasurement m;
  m.host = host;
  m.rank = rank;
  m.device = device;
  m.line_rate_gbps = rank == 0 ? 200 : 100;
  m.transmitted = transmitted;
  m.tx.messages = transmitted ? messages : 0;
  m.tx.bytes = m.tx.messages * size;
  m.tx.seconds = transmitted ? seconds : 0;
  m.tx.bw_avg_gbps = transmitted ? static_cast<double>(m.tx.bytes) * 8 / seconds / 1e9 : 0;
  m.tx.bw_peak_gbps = m.tx.bw_avg_gbps * 1.02;
  m.tx.msg_rate_mpps = transmitted ? static_cast<double>(messages) / seconds / 1e6 : 0;
  m.posted = m.tx.messages;
  m.received = transmitted ? 0 : messages;
  return m;
}

fabricperf::verbs::RowIdentity row_identity(std::uint64_t size, std::uint32_t qps, bool bidirectional) {
  fabricperf::verbs::RowIdentity id;
  id.op = "write";
  id.size_bytes = size;
  id.qps = qps;
  id.bidirectional = bidirectional;
  id.pair = 0;
  return id;
}

const std::set<std::string> kGdrFields = {"gpu",  "gpu_name", "gpu_pci",  "peer_gpu", "path",
                                          "test", "mem",      "peer_mem", "mode",     "gain_pct"};

// Every field of fp_bw's row is in fp_gdr's with the same value; the others are gdr fields.
void expect_same_row(const json& tool_row, const json& gdr_row) {
  for (const auto& [key, value] : tool_row.items()) {
    ASSERT_TRUE(gdr_row.contains(key)) << key;
    EXPECT_EQ(gdr_row.at(key), value) << key;
  }
  for (const auto& [key, value] : gdr_row.items()) {
    if (!tool_row.contains(key)) {
      EXPECT_TRUE(kGdrFields.count(key)) << "fp_gdr adds a vocabulary field: " << key;
    }
  }
}

}  // namespace

// fp_gdr with host memory on both sides writes fp_bw's row of the same measurement.
TEST(GdrRows, HostMemoryBandwidthRowIsFpBwRow) {
  for (const bool bidirectional : {false, true}) {
    const std::uint64_t size = 65536;
    const auto init = lane("node2", 1, "mlx5_1", true, 10000, 0.05, size);
    auto target = lane("node1", 0, "mlx5_0", bidirectional, 9000, 0.06, size);
    const json tool = fabricperf::verbs::make_bw_row(row_identity(size, 2, bidirectional), init, target).to_json();

    RowContext ctx;
    ctx.id = row_identity(size, 2, bidirectional);
    ctx.gpu.test = "bw";
    ctx.mode = Mode::direct;
    const json in = {{"active", true}, {"lanes", {init.to_json()}}};
    const json ti = {{"active", true}, {"lanes", {target.to_json()}}};
    const LaneRows rows = bandwidth_rows(ctx, in, ti, 0);
    expect_same_row(tool, rows.measured);
    EXPECT_EQ(rows.measured["mode"], "direct");
    EXPECT_EQ(rows.measured["gpu"], -1);
    EXPECT_EQ(rows.measured["mem"], "host");
    EXPECT_TRUE(rows.staged.is_null());
    EXPECT_FALSE(rows.measured.contains("gain_pct"));
  }
}

// With the baseline: the host_staged row is fp_bw's row of the pinned-host run (arithmetic
// intact) plus the staged model; the measured row's gain compares with that model.
TEST(GdrRows, StagedBandwidthRowIsFpBwRowPlusTheModel) {
  const std::uint64_t size = 1 << 20;
  const auto init = lane("node2", 1, "mlx5_1", true, 2000, 0.2, size);
  const auto target = lane("node1", 0, "mlx5_0", false, 2000, 0.2, size);
  const auto s_init = lane("node2", 1, "mlx5_1", true, 2000, 0.25, size);
  const auto s_target = lane("node1", 0, "mlx5_0", false, 2000, 0.25, size);
  RowContext ctx;
  ctx.id = row_identity(size, 1, false);
  ctx.gpu.test = "bw";
  ctx.gpu.gpu = 0;
  ctx.gpu.mem = MemoryKind::cuda;
  ctx.gpu.peer_mem = MemoryKind::cuda;
  ctx.mode = Mode::gdr;
  const json in = {
      {"lanes", {init.to_json()}}, {"staged", {s_init.to_json()}}, {"copy", {{{"d2h_us", 30.0}, {"h2d_us", 31.0}}}}};
  const json ti = {{"lanes", {target.to_json()}},
                   {"staged", {s_target.to_json()}},
                   {"copy", {{{"d2h_us", 40.0}, {"h2d_us", 41.0}}}}};
  const LaneRows rows = bandwidth_rows(ctx, in, ti, 0);
  const json tool_staged = fabricperf::verbs::make_bw_row(ctx.id, s_init, s_target).to_json();
  expect_same_row(tool_staged, [&] {
    json r = rows.staged;
    for (const char* k : {"staged_bw_gbps", "source_copy_us", "sink_copy_us"}) r.erase(k);
    return r;
  }());
  const json& st = rows.staged;
  EXPECT_EQ(st["mode"], "host_staged");
  EXPECT_EQ(st["bytes"].get<std::uint64_t>(), st["messages"].get<std::uint64_t>() * size);
  EXPECT_NEAR(st["bw_avg_gbps"].get<double>(), st["bytes"].get<double>() * 8 / st["duration_s"].get<double>() / 1e9,
              1e-9);
  // write: the initiator is the data's source (GPU -> host there), the target its sink.
  EXPECT_EQ(st["source_copy_us"], 30.0);
  EXPECT_EQ(st["sink_copy_us"], 41.0);
  const double model = staged_bandwidth_gbps(size, st["bw_avg_gbps"].get<double>(), StagingCosts{30, 41});
  EXPECT_NEAR(st["staged_bw_gbps"].get<double>(), model, 1e-9);
  EXPECT_NEAR(rows.measured["gain_pct"].get<double>(), 100 * (rows.measured["bw_avg_gbps"].get<double>() / model - 1),
              1e-9);
  expect_same_row(fabricperf::verbs::make_bw_row(ctx.id, init, target).to_json(), rows.measured);
}

TEST(GdrRows, ReadCopiesOnTheTargetFirst) {
  const json in = {{"copy", {{{"d2h_us", 1.0}, {"h2d_us", 2.0}}}}};
  const json ti = {{"copy", {{{"d2h_us", 3.0}, {"h2d_us", 4.0}}}}};
  const StagingCosts c = staging_costs("read", in, ti, 0);
  EXPECT_EQ(c.source_copy_us, 3.0);
  EXPECT_EQ(c.sink_copy_us, 2.0);
  EXPECT_THROW((void)staging_costs("write", {{"copy", {{{"d2h_us", -1.0}}}}}, ti, 0), fabricperf::PeerError);
}

// The latency row is fp_lat's LatRow of the initiator's samples; the staged row keeps the
// measured RDMA times and adds the model.
TEST(GdrRows, LatencyRowIsFpLatRow) {
  fabricperf::verbs::LatencyResult r;
  r.measured = true;
  r.divisor = 2;
  for (int i = 0; i < 100; ++i) r.samples_us.push_back(2.0 + 0.01 * i);
  fabricperf::verbs::RowIdentity id = row_identity(8, 1, false);
  id.op = "send";
  id.host = "node2";
  id.device = "mlx5_1";
  const json tool = fabricperf::verbs::make_lat_row(id, r).to_json();
  RowContext ctx;
  ctx.id = id;
  ctx.gpu.test = "lat";
  const json in = {{"lanes", {tool}}, {"staged", {tool}}, {"copy", {{{"d2h_us", 5.0}, {"h2d_us", 6.0}}}}};
  const json ti = {{"lanes", {nullptr}}, {"copy", {{{"d2h_us", 7.0}, {"h2d_us", 8.0}}}}};
  const LaneRows rows = latency_rows(ctx, in, ti, 0);
  expect_same_row(tool, rows.measured);
  EXPECT_EQ(rows.measured["latency"], "half_round_trip");
  EXPECT_FALSE(rows.measured.contains("half_round_trip"));
  EXPECT_EQ(rows.staged["t_typical_us"], tool["t_typical_us"]);
  EXPECT_DOUBLE_EQ(rows.staged["staged_t_typical_us"].get<double>(), tool["t_typical_us"].get<double>() + 5 + 8);
  EXPECT_DOUBLE_EQ(rows.staged["staged_p99_us"].get<double>(), tool["p99_us"].get<double>() + 13);
  EXPECT_THROW((void)latency_rows(ctx, ti, ti, 0), fabricperf::PeerError);
}

TEST(GdrTable, StagedLinesShowTheModelInMiBPerSecond) {
  const std::string header = table_header(false, false, true);
  EXPECT_NE(header.find("BW avg[MiB/s]"), std::string::npos) << header;
  EXPECT_EQ(header.find("MB/s"), std::string::npos) << header;
  EXPECT_NE(header.find("host_staged lines: the modelled path"), std::string::npos) << header;
  const json staged = {
      {"size_bytes", 65536}, {"mode", "host_staged"}, {"mem", "cuda"},         {"peer_mem", "cuda"},        {"gpu", 0},
      {"device", "mlx5_0"},  {"bw_avg_gbps", 100.0},  {"bw_peak_gbps", 101.0}, {"staged_bw_gbps", 8.388608}};
  const std::string line = table_line(staged, false, false);
  EXPECT_NE(line.find("1000.00"), std::string::npos) << line;   // 8.388608 Gb/s = 1000 MiB/s
  EXPECT_EQ(line.find("11920.93"), std::string::npos) << line;  // not the RDMA figure
  EXPECT_NE(table_line(staged, false, true).find("8.39"), std::string::npos);
}
