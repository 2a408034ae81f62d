#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fabricperf/host_info.hpp"

namespace fs = std::filesystem;
using namespace fabricperf;

namespace {

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text << '\n';
}

// A sysfs tree shaped like a ConnectX-7 (IB, NDR) and an rxe device over eth0.
fs::path make_fake_sysfs() {
  const fs::path root = fs::temp_directory_path() / ("fp_sysfs_" + std::to_string(::getpid()));
  fs::remove_all(root);
  const fs::path mlx = root / "class/infiniband/mlx5_0";
  write(mlx / "fw_ver", "28.39.1002");
  write(mlx / "node_type", "1: CA");
  write(mlx / "node_guid", "a088:c203:0045:67e2");
  write(mlx / "ports/1/state", "4: ACTIVE");
  write(mlx / "ports/1/phys_state", "5: LinkUp");
  write(mlx / "ports/1/link_layer", "InfiniBand");
  write(mlx / "ports/1/rate", "400 Gb/sec (4X NDR)");
  fs::create_directories(root / "devices/pci0000:00/0000:00:01.0/0000:1a:00.0/net/ib0");
  fs::create_directory_symlink(root / "devices/pci0000:00/0000:00:01.0/0000:1a:00.0", mlx / "device");
  const fs::path rxe = root / "class/infiniband/rxe0";
  write(rxe / "fw_ver", "0.0.0");
  write(rxe / "node_type", "1: CA");
  write(rxe / "ports/1/state", "1: DOWN");
  write(rxe / "ports/1/phys_state", "3: Disabled");
  write(rxe / "ports/1/link_layer", "Ethernet");
  write(rxe / "ports/1/rate", "10 Gb/sec (1X QDR)");
  write(root / "module/nvidia/version", "580.65.06");
  return root;
}

}  // namespace

TEST(HostInfo, ReadsRdmaDevicesFromSysfs) {
  const fs::path root = make_fake_sysfs();
  const auto devices = list_rdma_devices({root.string(), "/proc", "/etc"});
  ASSERT_EQ(devices.size(), 2U);
  const auto& mlx = devices[0];
  EXPECT_EQ(mlx["name"], "mlx5_0");
  EXPECT_EQ(mlx["fw_ver"], "28.39.1002");
  EXPECT_EQ(mlx["pci"], "0000:1a:00.0");
  EXPECT_EQ(mlx["netdevs"][0], "ib0");
  ASSERT_EQ(mlx["ports"].size(), 1U);
  EXPECT_EQ(mlx["ports"][0]["state"], "ACTIVE");
  EXPECT_EQ(mlx["ports"][0]["link_layer"], "InfiniBand");
  EXPECT_DOUBLE_EQ(mlx["ports"][0]["rate_gbps"].get<double>(), 400.0);
  EXPECT_EQ(devices[1]["name"], "rxe0");
  EXPECT_EQ(devices[1]["ports"][0]["state"], "DOWN");
  EXPECT_EQ(devices[1]["pci"], "");
}

TEST(HostInfo, FingerprintHasHostKernelAndDriver) {
  const fs::path root = make_fake_sysfs();
  const auto host = collect_host_info({root.string(), "/proc", "/etc"});
  EXPECT_FALSE(host["hostname"].get<std::string>().empty());
  EXPECT_FALSE(host["kernel"].get<std::string>().empty());
  EXPECT_EQ(host["nvidia_driver"], "580.65.06");
  EXPECT_FALSE(host["rdma_core_version"].get<std::string>().empty());
  EXPECT_EQ(host["rdma_devices"].size(), 2U);
}

TEST(HostInfo, NoRdmaDevicesIsAnEmptyList) {
  const auto host = collect_host_info({"/nonexistent-sys", "/proc", "/etc"});
  EXPECT_TRUE(host["rdma_devices"].is_array());
  EXPECT_TRUE(host["rdma_devices"].empty());
  EXPECT_FALSE(host.contains("nvidia_driver"));
}

TEST(HostInfo, ParsesIbRates) {
  EXPECT_DOUBLE_EQ(parse_ib_rate_gbps("100 Gb/sec (4X EDR)"), 100.0);
  EXPECT_DOUBLE_EQ(parse_ib_rate_gbps("2.5 Gb/sec (1X SDR)"), 2.5);
  EXPECT_DOUBLE_EQ(parse_ib_rate_gbps("garbage"), 0.0);
  EXPECT_DOUBLE_EQ(parse_ib_rate_gbps(""), 0.0);
}
