#pragma once
// Strict number parsing for attribute values read from topology files: the whole text must be the
// number (no sign, no blanks, no trailing text) and fit the type, so that "4294967296" or
// "1e308" is noticed and refused by the caller instead of wrapping like atoi/casts. Internal.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace fabricperf::topology::detail {

// Decimal (base 10) or hexadecimal (base 16, an optional "0x"/"0X" prefix) digits only.
[[nodiscard]] inline std::optional<std::uint64_t> parse_unsigned(std::string_view text, int base) {
  if (base == 16 && text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text.remove_prefix(2);
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// A finite decimal number (strtod syntax, no blanks), e.g. "400000" or "12.5".
[[nodiscard]] inline std::optional<double> parse_finite(const std::string& text) {
  if (text.empty() || text.front() == ' ' || text.front() == '\t') return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

}  // namespace fabricperf::topology::detail
