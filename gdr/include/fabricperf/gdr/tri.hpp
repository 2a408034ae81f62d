#pragma once
// A fact that may not be knowable on this host (no permission, no driver, not probed).
#include <string_view>

namespace fabricperf::gdr {

enum class Tri { unknown, no, yes };

[[nodiscard]] constexpr std::string_view to_string(Tri t) noexcept {
  return t == Tri::yes ? "yes" : t == Tri::no ? "no" : "unknown";
}
[[nodiscard]] constexpr Tri tri(bool b) noexcept {
  return b ? Tri::yes : Tri::no;
}

}  // namespace fabricperf::gdr
