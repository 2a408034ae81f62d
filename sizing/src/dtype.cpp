#include "fabricperf/sizing/dtype.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>

#include "fabricperf/error.hpp"

namespace fabricperf::sizing {
namespace {

constexpr std::array<std::pair<std::string_view, DType>, 17> kNames{{
    {"fp32", DType::fp32},
    {"float32", DType::fp32},
    {"f32", DType::fp32},
    {"bf16", DType::bf16},
    {"bfloat16", DType::bf16},
    {"fp16", DType::fp16},
    {"float16", DType::fp16},
    {"half", DType::fp16},
    {"fp8", DType::fp8},
    {"fp8_e4m3", DType::fp8},
    {"e4m3", DType::fp8},
    {"int8", DType::int8},
    {"w8", DType::int8},
    {"int4", DType::int4},
    {"w4", DType::int4},
    {"fp4", DType::fp4},
    {"nvfp4", DType::fp4},
}};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

DType parse_dtype(std::string_view text) {
  const std::string key = lower(text);
  for (const auto& [name, dtype] : kNames) {
    if (name == key) return dtype;
  }
  throw UsageError("unknown data type '" + std::string(text) + "' (use bf16, fp16, fp32, fp8, int8, int4 or fp4)");
}

DType parse_kv_dtype(std::string_view text) {
  const DType dtype = parse_dtype(text);
  if (dtype == DType::int8 || dtype == DType::int4 || dtype == DType::fp4)
    throw UsageError("KV-cache data type '" + std::string(text) + "' is not supported (use bf16, fp16, fp32 or fp8)");
  return dtype;
}

std::string_view to_string(DType dtype) noexcept {
  switch (dtype) {
    case DType::fp32:
      return "fp32";
    case DType::bf16:
      return "bf16";
    case DType::fp16:
      return "fp16";
    case DType::fp8:
      return "fp8";
    case DType::int8:
      return "int8";
    case DType::int4:
      return "int4";
    case DType::fp4:
      return "fp4";
  }
  return "?";
}

double element_bytes(DType dtype) noexcept {
  switch (dtype) {
    case DType::fp32:
      return 4.0;
    case DType::bf16:
    case DType::fp16:
      return 2.0;
    case DType::fp8:
    case DType::int8:
      return 1.0;
    case DType::int4:
    case DType::fp4:
      return 0.5;
  }
  return 2.0;
}

double weight_bytes_per_param(DType dtype) noexcept {
  switch (dtype) {
    case DType::fp8:
      return 1.0 + 4.0 / (128.0 * 128.0);
    case DType::int4:
      return 0.5 + 2.0 / 128.0;
    case DType::fp4:
      return 0.5 + 1.0 / 16.0;
    default:
      return element_bytes(dtype);
  }
}

bool is_quantized(DType dtype) noexcept {
  return dtype == DType::fp8 || dtype == DType::int8 || dtype == DType::int4 || dtype == DType::fp4;
}

DType unquantized_dtype(DType weights) noexcept {
  return is_quantized(weights) ? DType::bf16 : weights;
}

}  // namespace fabricperf::sizing
