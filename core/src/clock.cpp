#include "fabricperf/clock.hpp"

#include <ctime>
#include <fstream>
#include <string>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define FABRICPERF_HAVE_TSC 1
#else
#define FABRICPERF_HAVE_TSC 0
#endif

namespace fabricperf {

std::uint64_t monotonic_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
}

std::string rfc3339_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm utc{};
  gmtime_r(&ts.tv_sec, &utc);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(buf + n, sizeof buf - n, ".%03ldZ", ts.tv_nsec / 1'000'000L);
  return buf;
}

bool has_invariant_tsc() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) == 0) {
      return line.find(" constant_tsc") != std::string::npos && line.find(" nonstop_tsc") != std::string::npos;
    }
  }
  return false;
}

std::uint64_t CycleClock::now() const noexcept {
#if FABRICPERF_HAVE_TSC
  if (use_tsc_) return __rdtsc();
#endif
  return monotonic_ns();
}

CycleClock CycleClock::calibrate(unsigned calibration_ms) {
#if FABRICPERF_HAVE_TSC
  if (has_invariant_tsc()) {
    const std::uint64_t ns0 = monotonic_ns();
    const std::uint64_t t0 = __rdtsc();
    std::this_thread::sleep_for(std::chrono::milliseconds(calibration_ms));
    const std::uint64_t ns1 = monotonic_ns();
    const std::uint64_t t1 = __rdtsc();
    if (ns1 > ns0 && t1 > t0) {
      return CycleClock(true, static_cast<double>(t1 - t0) / static_cast<double>(ns1 - ns0));
    }
  }
#else
  (void)calibration_ms;
#endif
  return monotonic();
}

}  // namespace fabricperf
