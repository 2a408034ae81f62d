#pragma once
// Time sources for hot loops: a monotonic nanosecond clock, and a calibrated cycle counter
// (x86 TSC when it is invariant) that is cheaper to read.
#include <cstdint>
#include <string>

namespace fabricperf {

// CLOCK_MONOTONIC in nanoseconds.
[[nodiscard]] std::uint64_t monotonic_ns() noexcept;

// Wall clock (CLOCK_REALTIME) as RFC 3339 UTC with milliseconds: "2026-11-26T21:43:34.123Z".
[[nodiscard]] std::string rfc3339_now();

class CycleClock {
 public:
  // Measures the counter's rate against CLOCK_MONOTONIC for about `calibration_ms`.
  // Falls back to the monotonic clock (1 tick = 1 ns) without an invariant TSC.
  [[nodiscard]] static CycleClock calibrate(unsigned calibration_ms = 20);
  // A clock that reads CLOCK_MONOTONIC (for tests and non-x86 machines).
  [[nodiscard]] static CycleClock monotonic() noexcept { return CycleClock(false, 1.0); }

  [[nodiscard]] std::uint64_t now() const noexcept;
  [[nodiscard]] double ticks_per_ns() const noexcept { return ticks_per_ns_; }
  [[nodiscard]] double to_ns(std::uint64_t ticks) const noexcept {
    return static_cast<double>(ticks) / ticks_per_ns_;
  }
  [[nodiscard]] double to_us(std::uint64_t ticks) const noexcept { return to_ns(ticks) / 1000.0; }
  [[nodiscard]] bool uses_tsc() const noexcept { return use_tsc_; }

 private:
  CycleClock(bool use_tsc, double ticks_per_ns) noexcept : use_tsc_(use_tsc), ticks_per_ns_(ticks_per_ns) {}
  bool use_tsc_;
  double ticks_per_ns_;
};

// True when /proc/cpuinfo advertises constant_tsc and nonstop_tsc.
[[nodiscard]] bool has_invariant_tsc();

}  // namespace fabricperf
