#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/sizes.hpp"

using fabricperf::parse_size;
using fabricperf::UsageError;

TEST(ParseSize, PlainAndSuffixed) {
  EXPECT_EQ(parse_size("4096"), 4096U);
  EXPECT_EQ(parse_size("64K"), 65536U);
  EXPECT_EQ(parse_size("64k"), 65536U);
  EXPECT_EQ(parse_size("1M"), 1048576U);
  EXPECT_EQ(parse_size("2G"), 2ULL << 30);
  EXPECT_EQ(parse_size("1T"), 1ULL << 40);
  EXPECT_EQ(parse_size("8KB"), 8192U);
  EXPECT_EQ(parse_size("8KiB"), 8192U);
  EXPECT_EQ(parse_size("0", /*allow_zero=*/true), 0U);
}

TEST(ParseSize, RejectsBadInputNamingIt) {
  for (const char* bad : {"", "K", "-1", "12Q", "1.5K", " 8", "8 ", "0x10"}) {
    try {
      (void)parse_size(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("'") + bad + "'"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW((void)parse_size("0"), UsageError);
}

TEST(ParseSize, RejectsOverflow) {
  EXPECT_THROW((void)parse_size("18446744073709551616"), UsageError);
  EXPECT_THROW((void)parse_size("17179869184G"), UsageError);
  EXPECT_EQ(parse_size("18446744073709551615"), 18446744073709551615ULL);
}

TEST(FormatSize, ShortestExactForm) {
  EXPECT_EQ(fabricperf::format_size(65536), "64K");
  EXPECT_EQ(fabricperf::format_size(1000), "1000");
  EXPECT_EQ(fabricperf::format_size(3ULL << 30), "3G");
  EXPECT_EQ(fabricperf::format_size(1536), "1536");
  EXPECT_EQ(fabricperf::format_size(0), "0");
}

TEST(SizeSweep, NcclTestsStyleFactor) {
  fabricperf::SizeSweep sweep{8, 128, 2.0, 0};
  EXPECT_EQ(sweep.sizes(), (std::vector<std::uint64_t>{8, 16, 32, 64, 128}));
  sweep = {8, 100, 2.0, 0};  // max not on the ladder: stop below it, like nccl-tests
  EXPECT_EQ(sweep.sizes(), (std::vector<std::uint64_t>{8, 16, 32, 64}));
  sweep = {1000, 1000, 2.0, 0};
  EXPECT_EQ(sweep.sizes(), (std::vector<std::uint64_t>{1000}));
}

TEST(SizeSweep, IncrementAndErrors) {
  fabricperf::SizeSweep sweep{100, 400, 0.0, 100};
  EXPECT_EQ(sweep.sizes(), (std::vector<std::uint64_t>{100, 200, 300, 400}));
  sweep = {200, 100, 2.0, 0};
  EXPECT_THROW((void)sweep.sizes(), UsageError);
  sweep = {8, 64, 1.0, 0};
  EXPECT_THROW((void)sweep.sizes(), UsageError);
  sweep = {1, 3, 1.5, 0};  // floor(1*1.5)=1 must still advance
  EXPECT_EQ(sweep.sizes(), (std::vector<std::uint64_t>{1, 2, 3}));
}

TEST(AllPowerOfTwo, PerftestDashA) {
  const auto sizes = fabricperf::all_power_of_two_sizes();
  ASSERT_EQ(sizes.size(), 23U);  // 2 .. 8M, as perftest -a
  EXPECT_EQ(sizes.front(), 2U);
  EXPECT_EQ(sizes.back(), 8ULL << 20);
  EXPECT_EQ(fabricperf::all_power_of_two_sizes(100, 3), (std::vector<std::uint64_t>{4, 8, 16, 32, 64}));
  EXPECT_THROW((void)fabricperf::all_power_of_two_sizes(1, 2), UsageError);
}
