#include <gtest/gtest.h>

#include "fabricperf/gdr/report.hpp"

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
