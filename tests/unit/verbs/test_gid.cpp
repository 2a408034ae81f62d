#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/verbs/gid.hpp"

using namespace fabricperf;
using namespace fabricperf::verbs;

namespace {
std::string tree(const std::string& name) { return std::string(FABRICPERF_SOURCE_DIR) + "/tests/data/verbs/" + name; }
}  // namespace

TEST(Gid, FormatAndParseRoundTrip) {
  const auto g = parse_gid("0000:0000:0000:0000:0000:ffff:0a4d:0001");
  ASSERT_TRUE(g);
  EXPECT_TRUE(is_ipv4_mapped(*g));
  EXPECT_FALSE(is_link_local(*g));
  EXPECT_EQ(ipv4_of(*g), "10.77.0.1");
  EXPECT_EQ(format_gid(*g), "0000:0000:0000:0000:0000:ffff:0a4d:0001");
  const auto ll = parse_gid("fe80::5054:ff:fe4d:1");
  ASSERT_TRUE(ll);
  EXPECT_TRUE(is_link_local(*ll));
  EXPECT_EQ(ipv4_of(*ll), "");
  EXPECT_FALSE(parse_gid("not a gid"));
  EXPECT_FALSE(parse_gid("10.0.0.1"));
  EXPECT_TRUE(is_zero(*parse_gid("::")));
}

TEST(Gid, ParseType) {
  EXPECT_EQ(parse_gid_type("RoCE v2"), GidType::roce_v2);
  EXPECT_EQ(parse_gid_type("IB/RoCE v1"), GidType::roce_v1);
  EXPECT_EQ(parse_gid_type("IB"), GidType::ib);
  EXPECT_EQ(parse_gid_type(""), GidType::unknown);
}

TEST(Gid, ReadsSysfsTableSkippingEmptySlots) {
  const auto t = read_gid_table_sysfs(tree("sysfs-mlx5-roce"), "mlx5_0", 1);
  ASSERT_EQ(t.size(), 4U);  // slots 4 and 5 are all-zero
  EXPECT_EQ(t[0].type, GidType::roce_v1);
  EXPECT_EQ(t[3].type, GidType::roce_v2);
  EXPECT_EQ(t[3].netdev, "ens1f0");
  EXPECT_EQ(ipv4_of(t[3].gid), "10.0.0.1");
  EXPECT_TRUE(read_gid_table_sysfs(tree("sysfs-mlx5-roce"), "nosuch", 1).empty());
}

struct PickCase {
  const char* tree;
  const char* device;
  bool ethernet;
  unsigned expected;
};

class AutoPick : public ::testing::TestWithParam<PickCase> {};

TEST_P(AutoPick, ChoosesTheDocumentedGid) {
  const auto& c = GetParam();
  const auto table = read_gid_table_sysfs(tree(c.tree), c.device, 1);
  EXPECT_EQ(pick_gid(table, c.ethernet, std::nullopt, c.device).index, c.expected) << c.tree;
}

INSTANTIATE_TEST_SUITE_P(Trees, AutoPick,
                         ::testing::Values(PickCase{"sysfs-mlx5-roce", "mlx5_0", true, 3},
                                           PickCase{"sysfs-rxe", "rxe0", true, 1},
                                           PickCase{"sysfs-roce-v1-only", "mlx4_0", true, 2},
                                           PickCase{"sysfs-roce-ipv6-only", "mlx5_1", true, 3},
                                           PickCase{"sysfs-ib", "mlx5_2", false, 0}));

TEST(Gid, ExplicitIndexMustBePopulated) {
  const auto table = read_gid_table_sysfs(tree("sysfs-roce-v1-only"), "mlx4_0", 1);
  EXPECT_EQ(pick_gid(table, true, 0, "mlx4_0 port 1").index, 0U);
  try {
    (void)pick_gid(table, true, 1, "mlx4_0 port 1");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("GID index 1"), std::string::npos) << what;
    EXPECT_NE(what.find("valid: 0, 2"), std::string::npos) << what;
  }
}

TEST(Gid, EmptyTableIsAUsageError) {
  const auto table = read_gid_table_sysfs(tree("sysfs-empty"), "rxe9", 1);
  EXPECT_TRUE(table.empty());
  EXPECT_THROW((void)pick_gid(table, true, std::nullopt, "rxe9 port 1"), UsageError);
}
