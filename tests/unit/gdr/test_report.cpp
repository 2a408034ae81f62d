#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "fabricperf/gdr/report.hpp"
#include "fabricperf/result_document.hpp"

using namespace fabricperf::gdr;

namespace {
EntryIdentity identity() {
  EntryIdentity id;
  id.host = "node1";
  id.peer_host = "node2";
  id.gpu = 0;
  id.gpu_name = "NVIDIA H100 80GB HBM3";
  id.gpu_pci = "0000:17:00.0";
  id.peer_gpu = 3;
  id.device = "mlx5_0";
  id.peer_device = "mlx5_3";
  id.path = "PIX";
  id.test = "bw";
  id.op = "write";
  id.mem = MemoryKind::cuda;
  id.peer_mem = MemoryKind::cuda_host;
  return id;
}
}  // namespace

TEST(Report, EntryShape) {
  const auto j = entry(identity(), Mode::gdr, 65536);
  EXPECT_EQ(j["host"], "node1");
  EXPECT_EQ(j["peer_host"], "node2");
  EXPECT_EQ(j["gpu"], 0);
  EXPECT_EQ(j["gpu_name"], "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(j["gpu_pci"], "0000:17:00.0");
  EXPECT_EQ(j["peer_gpu"], 3);
  EXPECT_EQ(j["device"], "mlx5_0");
  EXPECT_EQ(j["peer_device"], "mlx5_3");
  EXPECT_EQ(j["path"], "PIX");
  EXPECT_EQ(j["test"], "bw");
  EXPECT_EQ(j["op"], "write");
  EXPECT_EQ(j["mem"], "cuda");
  EXPECT_EQ(j["peer_mem"], "cuda-host");
  EXPECT_EQ(j["mode"], "gdr");
  EXPECT_EQ(j["size_bytes"], 65536);
  EXPECT_EQ(entry(identity(), Mode::host_staged, 8)["mode"], "host_staged");
}

TEST(Report, HostMemoryEntriesHaveNoGpuFields) {
  EntryIdentity id;
  id.test = "lat";
  id.op = "send";
  const auto j = entry(id, Mode::direct, 2);
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
// An fp_bw-style row of a host-to-host run at 100 Gb/s on a 200 Gb/s port.
nlohmann::json bw_engine_row(std::uint64_t size) {
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
          {"bw_avg_gbps", 100.0},
          {"bw_peak_gbps", 101.0},
          {"msg_rate_mpps", 0.19},
          {"line_rate_pct", 50.0},
          {"line_rate_gbps", 200.0},
          {"duration_s", 0.2},
          {"bytes", size * 5000},
          {"messages", 5000},
          {"validation", {{"enabled", true}}}};
}
}  // namespace

TEST(Report, StagedBandwidthRowAndGain) {
  const std::uint64_t size = 1 << 20;
  auto staged = bw_engine_row(size);
  staged.update(entry(identity(), Mode::host_staged, size));
  make_staged_bandwidth(staged, size, StagingCosts{40, 45});
  EXPECT_DOUBLE_EQ(staged["rdma_bw_gbps"].get<double>(), 100.0);
  const double bw = staged["bw_avg_gbps"].get<double>();
  EXPECT_NEAR(bw, staged_bandwidth_gbps(size, 100, StagingCosts{40, 45}), 1e-9);
  EXPECT_DOUBLE_EQ(staged["bw_peak_gbps"].get<double>(), bw);
  EXPECT_NEAR(staged["line_rate_pct"].get<double>(), 100.0 * bw / 200.0, 1e-9);
  EXPECT_NEAR(staged["msg_rate_mpps"].get<double>(), bw * 1e3 / (size * 8.0), 1e-12);
  EXPECT_EQ(staged["source_copy_us"], 40.0);
  EXPECT_EQ(staged["sink_copy_us"], 45.0);
  EXPECT_FALSE(staged.contains("validation"));
  EXPECT_EQ(staged["mode"], "host_staged");

  auto gdr = bw_engine_row(size);
  gdr["bw_avg_gbps"] = 190.0;
  gdr.update(entry(identity(), Mode::gdr, size));
  attach_gain(gdr, staged, false);
  EXPECT_NEAR(gdr["gain_pct"].get<double>(), 100.0 * (190.0 / bw - 1.0), 1e-9);
  EXPECT_DOUBLE_EQ(gdr["host_staged_bw_gbps"].get<double>(), bw);

  auto dead = bw_engine_row(size);
  dead["bw_avg_gbps"] = 0.0;
  make_staged_bandwidth(dead, size, StagingCosts{1, 1});
  EXPECT_TRUE(dead["line_rate_pct"].is_number());
  attach_gain(gdr, dead, false);
  EXPECT_TRUE(gdr["gain_pct"].is_null()) << "no baseline, no gain";
}

TEST(Report, StagedLatencyRowAndGain) {
  const nlohmann::json rdma = {{"iterations", 1000}, {"t_min_us", 2.0},   {"t_max_us", 9.0}, {"t_typical_us", 2.5},
                               {"t_avg_us", 2.6},    {"t_stdev_us", 0.3}, {"p50_us", 2.5},   {"p90_us", 2.9},
                               {"p99_us", 3.5},      {"p99_9_us", 6.0},   {"p99_99_us", 9.0}};
  EntryIdentity id = identity();
  id.test = "lat";
  id.op = "send";
  nlohmann::json staged = entry(id, Mode::host_staged, 8);
  make_staged_latency(staged, rdma, StagingCosts{7.0, 8.0});
  EXPECT_DOUBLE_EQ(staged["t_typical_us"].get<double>(), 17.5);
  EXPECT_DOUBLE_EQ(staged["p99_us"].get<double>(), 18.5);
  EXPECT_DOUBLE_EQ(staged["t_min_us"].get<double>(), 17.0);
  EXPECT_DOUBLE_EQ(staged["t_stdev_us"].get<double>(), 0.3);
  EXPECT_DOUBLE_EQ(staged["rdma_t_typical_us"].get<double>(), 2.5);
  EXPECT_EQ(staged["iterations"], 1000);
  nlohmann::json gdr = entry(id, Mode::gdr, 8);
  gdr.update(rdma);
  gdr["t_typical_us"] = 3.5;
  attach_gain(gdr, staged, true);
  EXPECT_NEAR(gdr["gain_pct"].get<double>(), 100.0 * (17.5 / 3.5 - 1.0), 1e-9);
  EXPECT_DOUBLE_EQ(gdr["host_staged_t_typical_us"].get<double>(), 17.5);
}

// The entries fp_gdr writes validate against the project's JSON Schema.
TEST(Report, DocumentWithGdrEntriesValidatesAgainstTheSchema) {
  fabricperf::ResultDocument doc("fp_gdr", {"fp_gdr", "--mem", "cuda"});
  const std::uint64_t size = 65536;
  auto staged = bw_engine_row(size);
  staged.update(entry(identity(), Mode::host_staged, size));
  make_staged_bandwidth(staged, size, StagingCosts{5, 6});
  auto gdr = bw_engine_row(size);
  gdr.update(entry(identity(), Mode::gdr, size));
  attach_gain(gdr, staged, false);
  doc.add_result(staged);
  doc.add_result(gdr);
  auto dead = gdr;
  dead["gain_pct"] = nullptr;
  doc.add_result(dead);
  EntryIdentity host;
  host.test = "lat";
  host.op = "send";
  auto lat = entry(host, Mode::direct, 2);
  lat["t_typical_us"] = 3.0;
  doc.add_result(lat);
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
