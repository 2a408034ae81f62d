#pragma once
// A value from an input file, made safe for a one-line message: bytes outside printable ASCII
// (and the backslash) written as \xNN, and cut to `max` characters. Internal.
#include <cstdio>
#include <string>
#include <string_view>

namespace fabricperf::topology::detail {

[[nodiscard]] inline std::string printable(std::string_view value, std::size_t max = 80) {
  std::string out;
  for (const char c : value) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '\\') {
      out += c;
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      out += hex;
    }
  }
  return out;
}

}  // namespace fabricperf::topology::detail
