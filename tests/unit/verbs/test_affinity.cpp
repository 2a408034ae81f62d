#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fabricperf/error.hpp"
#include "fabricperf/verbs/affinity.hpp"
#include "fabricperf/verbs/device.hpp"

using namespace fabricperf;
using namespace fabricperf::verbs;

TEST(Affinity, ParsesCpuLists) {
  EXPECT_EQ(parse_cpulist("0-3,8,10-11"), (std::vector<int>{0, 1, 2, 3, 8, 10, 11}));
  EXPECT_EQ(parse_cpulist("5"), (std::vector<int>{5}));
  EXPECT_TRUE(parse_cpulist("").empty());
  EXPECT_THROW((void)parse_cpulist("3-1"), UsageError);
  EXPECT_THROW((void)parse_cpulist("a"), UsageError);
}

TEST(Affinity, UnknownNodeLeavesThreadAlone) {
  const auto p = pin_current_thread(std::nullopt, -1);
  EXPECT_TRUE(p.cpus.empty());
  EXPECT_NE(p.how.find("none"), std::string::npos);
}

TEST(Devices, SplitsDeviceLists) {
  EXPECT_EQ(split_device_list("mlx5_0,mlx5_1"), (std::vector<std::string>{"mlx5_0", "mlx5_1"}));
  EXPECT_EQ(split_device_list("rxe0"), (std::vector<std::string>{"rxe0"}));
  EXPECT_THROW((void)split_device_list("a,,b"), UsageError);
  EXPECT_THROW((void)split_device_list(""), UsageError);
}

namespace {
// A fake sysfs under a fresh temporary folder; removed with the object.
class FakeSys {
 public:
  FakeSys()
      : root_(std::filesystem::temp_directory_path() /
              ("fp-affinity-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++))) {
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  ~FakeSys() { std::filesystem::remove_all(root_); }
  FakeSys(const FakeSys&) = delete;
  FakeSys& operator=(const FakeSys&) = delete;

  void write(const std::string& relative, const std::string& text) const {
    const auto path = root_ / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text << "\n";
  }
  void mkdir(const std::string& relative) const { std::filesystem::create_directories(root_ / relative); }
  void link(const std::string& relative, const std::string& target) const {
    std::filesystem::create_directories((root_ / relative).parent_path());
    std::filesystem::create_directory_symlink(target, root_ / relative);
  }
  [[nodiscard]] std::string str() const { return root_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path root_;
};
}  // namespace

TEST(DeviceNumaNode, ReadsThePciFunctionOfAHardwareDevice) {
  FakeSys sys;
  sys.write("devices/pci0000:40/0000:41:00.0/numa_node", "1");
  sys.link("class/infiniband/mlx5_1/device", "../../../devices/pci0000:40/0000:41:00.0");
  EXPECT_EQ(device_numa_node("mlx5_1", "", sys.str()), 1);
  EXPECT_EQ(device_numa_node("mlx5_1", "ens1", sys.str()), 1);
}

TEST(DeviceNumaNode, SoftwareDeviceTakesTheNearestAncestorOfItsNetdev) {
  // rxe1 on eth1, a virtio NIC: /sys/class/net/eth1/device is the virtio device (no numa_node),
  // whose parent PCI function behind an expander bridge says NUMA node 1.
  FakeSys sys;
  sys.mkdir("class/infiniband/rxe1");
  sys.write("devices/pci0000:40/0000:40:00.0/0000:41:00.0/0000:42:01.0/numa_node", "1");
  sys.mkdir("devices/pci0000:40/0000:40:00.0/0000:41:00.0/0000:42:01.0/virtio3");
  sys.link("class/net/eth1/device", "../../../devices/pci0000:40/0000:40:00.0/0000:41:00.0/0000:42:01.0/virtio3");
  EXPECT_EQ(device_numa_node("rxe1", "eth1", sys.str()), 1);
  EXPECT_EQ(device_numa_node("rxe1", "", sys.str()), -1);      // no netdev: unknown
  EXPECT_EQ(device_numa_node("rxe1", "eth9", sys.str()), -1);  // no such netdev
}

TEST(DeviceNumaNode, NumaLessMachineAndMalformedValuesAreUnknown) {
  FakeSys sys;
  sys.mkdir("class/infiniband/rxe0");
  sys.write("devices/pci0000:00/0000:00:04.0/numa_node", "-1");
  sys.mkdir("devices/pci0000:00/0000:00:04.0/virtio2");
  sys.link("class/net/eth0/device", "../../../devices/pci0000:00/0000:00:04.0/virtio2");
  EXPECT_EQ(device_numa_node("rxe0", "eth0", sys.str()), -1);
  sys.write("devices/pci0000:00/0000:00:04.0/numa_node", "garbage");
  EXPECT_EQ(device_numa_node("rxe0", "eth0", sys.str()), -1);
  // A netdev that is no PCI device at all (its device link is missing): nothing above sysfs is read.
  sys.mkdir("class/net/lo");
  EXPECT_EQ(device_numa_node("rxe0", "lo", sys.str()), -1);
}
