// half and bfloat16 conversions: exact values, round-to-nearest-even ties, overflow, subnormals.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "fabricperf/collectives/float16.hpp"

using namespace fabricperf::collectives;

TEST(Half, ExactValues) {
  EXPECT_EQ(float_to_half_bits(0.0F), 0x0000);
  EXPECT_EQ(float_to_half_bits(-0.0F), 0x8000);
  EXPECT_EQ(float_to_half_bits(1.0F), 0x3C00);
  EXPECT_EQ(float_to_half_bits(-2.0F), 0xC000);
  EXPECT_EQ(float_to_half_bits(65504.0F), 0x7BFF);
  EXPECT_EQ(float_to_half_bits(2048.0F), 0x6800);
  EXPECT_EQ(half_bits_to_float(0x3C00), 1.0F);
  EXPECT_EQ(half_bits_to_float(0x7BFF), 65504.0F);
  EXPECT_EQ(half_bits_to_float(0x0001), std::ldexp(1.0F, -24));  // smallest subnormal
  EXPECT_EQ(half_bits_to_float(0x0400), std::ldexp(1.0F, -14));  // smallest normal
  EXPECT_TRUE(std::isinf(half_bits_to_float(0x7C00)));
  EXPECT_TRUE(std::isnan(half_bits_to_float(0x7E00)));
}

TEST(Half, RoundsToNearestEven) {
  // Above 2048 the spacing is 2: odd integers are ties.
  EXPECT_EQ(half_bits_to_float(float_to_half_bits(2049.0F)), 2048.0F);  // tie -> even mantissa
  EXPECT_EQ(half_bits_to_float(float_to_half_bits(2051.0F)), 2052.0F);  // tie -> even mantissa
  EXPECT_EQ(half_bits_to_float(float_to_half_bits(2050.9F)), 2050.0F);
  EXPECT_EQ(half_bits_to_float(float_to_half_bits(1.0F + std::ldexp(1.0F, -11))), 1.0F);  // tie
  EXPECT_EQ(half_bits_to_float(float_to_half_bits(1.0F + 3 * std::ldexp(1.0F, -11))), 1.0F + std::ldexp(1.0F, -9));
  // 0.1 is not representable: nearest half is 0x2E66.
  EXPECT_EQ(float_to_half_bits(0.1F), 0x2E66);
}

TEST(Half, OverflowSubnormalsAndNaN) {
  EXPECT_EQ(float_to_half_bits(65519.0F), 0x7BFF);  // below the rounding boundary
  EXPECT_EQ(float_to_half_bits(65520.0F), 0x7C00);  // rounds up to infinity
  EXPECT_EQ(float_to_half_bits(1e10F), 0x7C00);
  EXPECT_EQ(float_to_half_bits(-std::numeric_limits<float>::infinity()), 0xFC00);
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.0F, -24)), 0x0001);
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.0F, -25)), 0x0000);  // tie with 0 -> even (0)
  EXPECT_EQ(float_to_half_bits(std::ldexp(3.0F, -25)), 0x0002);  // tie 1.5 ulp -> 2
  EXPECT_EQ(float_to_half_bits(std::ldexp(1.0F, -14)), 0x0400);
  const std::uint16_t nan = float_to_half_bits(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7C00, 0x7C00);
  EXPECT_NE(nan & 0x03FF, 0);
}

TEST(Half, EveryHalfRoundTrips) {
  for (std::uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const auto h = static_cast<std::uint16_t>(bits);
    const float f = half_bits_to_float(h);
    if (std::isnan(f)) continue;
    EXPECT_EQ(float_to_half_bits(f), h) << std::hex << bits;
  }
}

TEST(BFloat16, ExactRoundingAndSpecials) {
  EXPECT_EQ(float_to_bfloat16_bits(1.0F), 0x3F80);
  EXPECT_EQ(float_to_bfloat16_bits(-2.0F), 0xC000);
  EXPECT_EQ(bfloat16_bits_to_float(0x3F80), 1.0F);
  EXPECT_EQ(float_to_bfloat16_bits(256.0F), 0x4380);
  // Spacing above 256 is 2: 257 is a tie -> 256 (even), 259 -> 260.
  EXPECT_EQ(bfloat16_bits_to_float(float_to_bfloat16_bits(257.0F)), 256.0F);
  EXPECT_EQ(bfloat16_bits_to_float(float_to_bfloat16_bits(259.0F)), 260.0F);
  EXPECT_EQ(bfloat16_bits_to_float(float_to_bfloat16_bits(258.5F)), 258.0F);
  EXPECT_EQ(float_to_bfloat16_bits(std::numeric_limits<float>::infinity()), 0x7F80);
  EXPECT_EQ(float_to_bfloat16_bits(3.4e38F), 0x7F80);  // rounds past the largest finite value
  const std::uint16_t nan = float_to_bfloat16_bits(std::numeric_limits<float>::quiet_NaN());
  EXPECT_TRUE(std::isnan(bfloat16_bits_to_float(nan)));
  for (std::uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const auto b = static_cast<std::uint16_t>(bits);
    if (std::isnan(bfloat16_bits_to_float(b))) continue;
    EXPECT_EQ(float_to_bfloat16_bits(bfloat16_bits_to_float(b)), b);
  }
}
