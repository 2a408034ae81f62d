#include "fabricperf/runners/random.hpp"

#include <cmath>
#include <numbers>

namespace fabricperf::runners {

double SplitMix64::normal() noexcept {
  // Two uniforms in (0, 1], Box-Muller.
  const double u1 = (static_cast<double>(next() >> 11) + 1.0) / 9007199254740993.0;
  const double u2 = static_cast<double>(next() >> 11) / 9007199254740992.0;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace fabricperf::runners
