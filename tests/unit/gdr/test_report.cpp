#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "fabricperf/gdr/report.hpp"
#include "fabricperf/result_document.hpp"

using namespace fabricperf::gdr;

namespace {
EntryIdentity identity() {
  EntryIdentity id;
  id.gpu = 0;
  id.gpu_name = "NVIDIA H100 80GB HBM3";
  id.gpu_pci = "0000:17:00.0";
  id.peer_gpu = 3;
  id.path = "PIX";
  id.test = "bw";
  id.mem = MemoryKind::cuda;
  id.peer_mem = MemoryKind::cuda_host;
  return id;
}
}  // namespace

TEST(Report, GdrFieldsShape) {
  const auto j = gdr_fields(identity(), Mode::gdr);
  EXPECT_EQ(j["gpu"], 0);
  EXPECT_EQ(j["gpu_name"], "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(j["gpu_pci"], "0000:17:00.0");
  EXPECT_EQ(j["peer_gpu"], 3);
  EXPECT_EQ(j["path"], "PIX");
  EXPECT_EQ(j["test"], "bw");
  EXPECT_EQ(j["mem"], "cuda");
  EXPECT_EQ(j["peer_mem"], "cuda-host");
  EXPECT_EQ(j["mode"], "gdr");
  EXPECT_EQ(gdr_fields(identity(), Mode::host_staged)["mode"], "host_staged");
  // Who measured what and the figures are the verbs row's: never among fp_gdr's fields.
  for (const char* vocabulary : {"host", "peer_host", "device", "peer_device", "op", "size_bytes", "bw_avg_gbps"})
    EXPECT_FALSE(j.contains(vocabulary)) << vocabulary;
}

TEST(Report, AddGdrFieldsNeverOverwritesARowField) {
  nlohmann::json row = {{"op", "write"}, {"size_bytes", 8}, {"bw_avg_gbps", 1.5}};
  add_gdr_fields(row, identity(), Mode::gdr);
  EXPECT_EQ(row["mode"], "gdr");
  EXPECT_EQ(row["bw_avg_gbps"], 1.5);
  nlohmann::json clash = {{"mode", "direct"}};
  EXPECT_THROW(add_gdr_fields(clash, identity(), Mode::gdr), std::logic_error);
}

TEST(Report, HostMemoryEntriesHaveNoGpuFields) {
  EntryIdentity id;
  id.test = "lat";
  const auto j = gdr_fields(id, Mode::direct);
  EXPECT_EQ(j["gpu"], -1);
  EXPECT_FALSE(j.contains("gpu_name"));
  EXPECT_FALSE(j.contains("peer_gpu"));
  EXPECT_EQ(j["mem"], "host");
  EXPECT_EQ(j["mode"], "direct");
}

TEST(Report, Mode) {
  EXPECT_EQ(measured_mode(MemoryKind::host, MemoryKind::host), Mode::direct);
  EXPECT_EQ(measured_mode(MemoryKind::cuda_host, MemoryKind::host), Mode::direct);
  EXPECT_EQ(measured_mode(MemoryKind::host, MemoryKind::cuda), Mode::gdr);
  EXPECT_EQ(measured_mode(MemoryKind::cuda_peermem, MemoryKind::host), Mode::gdr);
}

TEST(Report, StagedArithmetic) {
  // 1 MiB at 100 Gb/s is 83.886 us on the wire; plus 40 us and 45 us of copies.
  const std::uint64_t size = 1 << 20;
  EXPECT_NEAR(wire_time_us(size, 100), 83.886, 1e-3);
  const StagingCosts c{40, 45};
  const double staged = staged_bandwidth_gbps(size, 100, c);
  EXPECT_NEAR(staged, size * 8.0 / ((83.886 + 85) * 1e3), 1e-3);
  EXPECT_LT(staged, 100);
  EXPECT_DOUBLE_EQ(staged_bandwidth_gbps(size, 100, StagingCosts{}), 100);
  EXPECT_DOUBLE_EQ(staged_bandwidth_gbps(size, 0, c), 0);
  EXPECT_DOUBLE_EQ(staged_latency_us(3.5, c), 88.5);
  EXPECT_DOUBLE_EQ(wire_time_us(size, 0), 0);
}

TEST(Report, Gains) {
  EXPECT_NEAR(*bandwidth_gain_pct(98, 49), 100, 1e-9);
  EXPECT_NEAR(*bandwidth_gain_pct(45, 50), -10, 1e-9);
  EXPECT_FALSE(bandwidth_gain_pct(50, 0));
  EXPECT_NEAR(*latency_gain_pct(3, 12), 300, 1e-9);
  EXPECT_FALSE(latency_gain_pct(0, 12));
}

TEST(Report, DataSource) {
  EXPECT_TRUE(initiator_is_source("write"));
  EXPECT_TRUE(initiator_is_source("send"));
  EXPECT_FALSE(initiator_is_source("read"));
}

namespace {
// fp_bw's row of a host-to-host run: 5000 messages of `size` in 0.2 s, on a 200 Gb/s port.
nlohmann::json bw_engine_row(std::uint64_t size) {
  const std::uint64_t bytes = size * 5000;
  const double gbps = static_cast<double>(bytes) * 8 / 0.2 / 1e9;
  return {{"device", "mlx5_0"},
          {"peer_device", "mlx5_3"},
          {"host", "node1"},
          {"peer_host", "node2"},
          {"rank", 1},
          {"peer_rank", 0},
          {"port", 1},
          {"pair", 0},
          {"op", "write"},
          {"size_bytes", size},
          {"iterations", 5000},
          {"qps", 1},
          {"bidirectional", false},
          {"bw_avg_gbps", gbps},
          {"bw_peak_gbps", gbps * 1.01},
          {"msg_rate_mpps", 5000 / 0.2 / 1e6},
          {"line_rate_pct", 100.0 * gbps / 200.0},
          {"line_rate_gbps", 200.0},
          {"duration_s", 0.2},
          {"bytes", bytes},
          {"messages", 5000}};
}

// fp_lat's row of a host-to-host ping-pong.
nlohmann::json lat_engine_row() {
  return {{"device", "mlx5_0"},
          {"peer_device", "mlx5_3"},
          {"host", "node1"},
          {"peer_host", "node2"},
          {"rank", 1},
          {"peer_rank", 0},
          {"port", 1},
          {"pair", 0},
          {"op", "send"},
          {"size_bytes", 8},
          {"qps", 1},
          {"bidirectional", false},
          {"iterations", 1000},
          {"t_min_us", 2.0},
          {"t_max_us", 9.0},
          {"t_typical_us", 2.5},
          {"t_avg_us", 2.6},
          {"t_stdev_us", 0.3},
          {"p50_us", 2.5},
          {"p90_us", 2.9},
          {"p99_us", 3.5},
          {"p99_9_us", 6.0},
          {"p99_99_us", 9.0},
          {"latency", "half_round_trip"},
          {"histogram", {{{"le", 10.0}, {"count", 1000}}}}};
}
}  // namespace

// The host_staged row keeps the measured RDMA figures in the vocabulary fields (its own
// arithmetic holds); the modelled end-to-end path goes to staged_bw_gbps.
TEST(Report, StagedBandwidthRowKeepsItsArithmetic) {
  const std::uint64_t size = 1 << 20;
  const auto rdma = bw_engine_row(size);
  auto staged = rdma;
  add_gdr_fields(staged, identity(), Mode::host_staged);
  add_staged_bandwidth(staged, StagingCosts{40, 45});
  for (const auto& [key, value] : rdma.items()) EXPECT_EQ(staged[key], value) << key << " changed";
  EXPECT_EQ(staged["bytes"].get<std::uint64_t>(), staged["messages"].get<std::uint64_t>() * size);
  EXPECT_NEAR(staged["bw_avg_gbps"].get<double>(),
              staged["bytes"].get<double>() * 8 / staged["duration_s"].get<double>() / 1e9, 1e-9);
  const double model = staged["staged_bw_gbps"].get<double>();
  EXPECT_NEAR(model, staged_bandwidth_gbps(size, rdma["bw_avg_gbps"].get<double>(), StagingCosts{40, 45}), 1e-9);
  EXPECT_LT(model, staged["bw_avg_gbps"].get<double>());
  EXPECT_EQ(staged["source_copy_us"], 40.0);
  EXPECT_EQ(staged["sink_copy_us"], 45.0);
  EXPECT_FALSE(staged.contains("rdma_bw_gbps"));
  EXPECT_EQ(staged["mode"], "host_staged");

  auto gdr = bw_engine_row(size);
  add_gdr_fields(gdr, identity(), Mode::gdr);
  attach_gain(gdr, staged, false);
  EXPECT_NEAR(gdr["gain_pct"].get<double>(), 100.0 * (gdr["bw_avg_gbps"].get<double>() / model - 1.0), 1e-9);
  EXPECT_FALSE(gdr.contains("host_staged_bw_gbps"));

  auto dead = bw_engine_row(size);
  dead["bw_avg_gbps"] = 0.0;
  add_staged_bandwidth(dead, StagingCosts{1, 1});
  attach_gain(gdr, dead, false);
  EXPECT_TRUE(gdr["gain_pct"].is_null()) << "no baseline, no gain";
}

TEST(Report, StagedLatencyRowKeepsTheMeasuredFigures) {
  EntryIdentity id = identity();
  id.test = "lat";
  const auto rdma = lat_engine_row();
  auto staged = rdma;
  add_gdr_fields(staged, id, Mode::host_staged);
  add_staged_latency(staged, StagingCosts{7.0, 8.0});
  for (const auto& [key, value] : rdma.items()) EXPECT_EQ(staged[key], value) << key << " changed";
  EXPECT_DOUBLE_EQ(staged["staged_t_typical_us"].get<double>(), 17.5);
  EXPECT_DOUBLE_EQ(staged["staged_t_avg_us"].get<double>(), 17.6);
  EXPECT_DOUBLE_EQ(staged["staged_p99_us"].get<double>(), 18.5);
  EXPECT_FALSE(staged.contains("rdma_t_typical_us"));
  auto gdr = lat_engine_row();
  add_gdr_fields(gdr, id, Mode::gdr);
  gdr["t_typical_us"] = 3.5;
  attach_gain(gdr, staged, true);
  EXPECT_NEAR(gdr["gain_pct"].get<double>(), 100.0 * (17.5 / 3.5 - 1.0), 1e-9);
  EXPECT_FALSE(gdr.contains("host_staged_t_typical_us"));
}

// The rows fp_gdr writes validate against the project's JSON Schema.
TEST(Report, DocumentWithGdrEntriesValidatesAgainstTheSchema) {
  fabricperf::ResultDocument doc("fp_gdr", {"fp_gdr", "--mem", "cuda"});
  const std::uint64_t size = 65536;
  auto staged = bw_engine_row(size);
  add_gdr_fields(staged, identity(), Mode::host_staged);
  add_staged_bandwidth(staged, StagingCosts{5, 6});
  auto gdr = bw_engine_row(size);
  add_gdr_fields(gdr, identity(), Mode::gdr);
  attach_gain(gdr, staged, false);
  doc.add_result(staged);
  doc.add_result(gdr);
  auto dead = gdr;
  dead["gain_pct"] = nullptr;
  doc.add_result(dead);
  EntryIdentity host;
  host.test = "lat";
  auto lat = lat_engine_row();
  add_gdr_fields(lat, host, Mode::direct);
  doc.add_result(lat);
  auto lat_staged = lat_engine_row();
  add_gdr_fields(lat_staged, host, Mode::host_staged);
  add_staged_latency(lat_staged, StagingCosts{1, 2});
  doc.add_result(lat_staged);
  fabricperf::Check c;
  c.name = "gpu_memory_registration";
  c.status = fabricperf::CheckStatus::pass;
  c.expected = "dma-buf or nvidia-peermem";
  c.measured = {{"path", "dma-buf"}};
  c.detail = "registered with dma-buf";
  c.labels = {{"gpu", 0}, {"device", "mlx5_0"}};
  doc.add_check(c);
  const auto path = std::filesystem::temp_directory_path() / ("fp_gdr_doc_" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << doc.to_json(fabricperf::RunStatus::ok, false).dump(2);
  const std::string cmd = std::string("/usr/bin/python3 ") + FABRICPERF_SOURCE_DIR +
                          "/tests/tools/validate_document.py " + path.string() + " >/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << "schema validation of " << path;
  std::filesystem::remove(path);
}
