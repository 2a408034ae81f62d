#pragma once
// IEEE half (binary16) and bfloat16 conversions done on the host, so expected results and the
// MPI backend's reductions round exactly as a GPU does: float -> 16 bit is round-to-nearest-even,
// overflow goes to infinity, NaN stays a (quiet) NaN.
#include <bit>
#include <cstdint>

namespace fabricperf::collectives {

[[nodiscard]] constexpr float half_bits_to_float(std::uint16_t h) noexcept {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000U) << 16;
  const std::uint32_t exponent = (h >> 10) & 0x1FU;
  const std::uint32_t mantissa = h & 0x3FFU;
  if (exponent == 0) {
    // zero or subnormal: mantissa * 2^-24
    const float magnitude = static_cast<float>(mantissa) * (1.0F / 16777216.0F);
    return sign != 0 ? -magnitude : magnitude;
  }
  if (exponent == 31) return std::bit_cast<float>(sign | 0x7F800000U | (mantissa << 13));
  return std::bit_cast<float>(sign | ((exponent + 112U) << 23) | (mantissa << 13));
}

[[nodiscard]] constexpr std::uint16_t float_to_half_bits(float value) noexcept {
  std::uint32_t u = std::bit_cast<std::uint32_t>(value);
  const std::uint32_t sign = u & 0x80000000U;
  u ^= sign;
  std::uint32_t out = 0;
  if (u >= (127U + 16U) << 23) {          // >= 65536, inf or NaN
    out = u > 0x7F800000U ? 0x7E00U : 0x7C00U;
  } else if (u < (113U << 23)) {          // result is subnormal or zero
    constexpr std::uint32_t magic_bits = ((127U - 15U) + (23U - 10U) + 1U) << 23;
    const float sum = std::bit_cast<float>(u) + std::bit_cast<float>(magic_bits);  // rounds to nearest even
    out = std::bit_cast<std::uint32_t>(sum) - magic_bits;
  } else {
    const std::uint32_t mantissa_odd = (u >> 13) & 1U;
    u += (static_cast<std::uint32_t>(15 - 127) << 23) + 0xFFFU + mantissa_odd;  // rebias and round
    out = u >> 13;  // a carry out of the mantissa rounds up to the next exponent (or to infinity)
  }
  return static_cast<std::uint16_t>(out | (sign >> 16));
}

[[nodiscard]] constexpr float bfloat16_bits_to_float(std::uint16_t b) noexcept {
  return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16);
}

[[nodiscard]] constexpr std::uint16_t float_to_bfloat16_bits(float value) noexcept {
  const std::uint32_t u = std::bit_cast<std::uint32_t>(value);
  if ((u & 0x7FFFFFFFU) > 0x7F800000U) return static_cast<std::uint16_t>((u >> 16) | 0x40U);  // quiet NaN
  const std::uint32_t lsb = (u >> 16) & 1U;
  return static_cast<std::uint16_t>((u + 0x7FFFU + lsb) >> 16);
}

}  // namespace fabricperf::collectives
