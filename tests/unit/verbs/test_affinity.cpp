#include <gtest/gtest.h>

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
