#include <gtest/gtest.h>

#include "fabricperf/error.hpp"
#include "fabricperf/sizing/dtype.hpp"

using namespace fabricperf::sizing;

TEST(SizingDType, ParsesNamesAndAliases) {
  EXPECT_EQ(parse_dtype("bf16"), DType::bf16);
  EXPECT_EQ(parse_dtype("BFloat16"), DType::bf16);
  EXPECT_EQ(parse_dtype("fp8"), DType::fp8);
  EXPECT_EQ(parse_dtype("int4"), DType::int4);
  EXPECT_EQ(parse_dtype("nvfp4"), DType::fp4);
  EXPECT_EQ(parse_dtype("float16"), DType::fp16);
  EXPECT_THROW((void)parse_dtype("fp6"), fabricperf::UsageError);
}

TEST(SizingDType, KvCacheRejectsWeightOnlyFormats) {
  EXPECT_EQ(parse_kv_dtype("fp8"), DType::fp8);
  EXPECT_THROW((void)parse_kv_dtype("int4"), fabricperf::UsageError);
  EXPECT_THROW((void)parse_kv_dtype("fp4"), fabricperf::UsageError);
}

TEST(SizingDType, BytesPerWeightIncludeScales) {
  EXPECT_DOUBLE_EQ(weight_bytes_per_param(DType::bf16), 2.0);
  EXPECT_DOUBLE_EQ(weight_bytes_per_param(DType::fp32), 4.0);
  // fp8: one fp32 scale per 128x128 block = 4 / 16384 bytes per weight.
  EXPECT_DOUBLE_EQ(weight_bytes_per_param(DType::fp8), 1.0 + 4.0 / 16384.0);
  // int4: one bf16 scale per group of 128 = 2 / 128 bytes per weight.
  EXPECT_DOUBLE_EQ(weight_bytes_per_param(DType::int4), 0.5 + 2.0 / 128.0);
  // NVFP4: one fp8 scale per 16 values.
  EXPECT_DOUBLE_EQ(weight_bytes_per_param(DType::fp4), 0.5 + 1.0 / 16.0);
  EXPECT_DOUBLE_EQ(element_bytes(DType::fp8), 1.0);
}

TEST(SizingDType, UnquantizedPartsStayInSixteenBitsOrMore) {
  EXPECT_EQ(unquantized_dtype(DType::fp8), DType::bf16);
  EXPECT_EQ(unquantized_dtype(DType::int4), DType::bf16);
  EXPECT_EQ(unquantized_dtype(DType::fp16), DType::fp16);
  EXPECT_EQ(unquantized_dtype(DType::fp32), DType::fp32);
}
