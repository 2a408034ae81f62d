#include "fabricperf/collectives/watchdog.hpp"

#include <string.h>  // sigabbrev_np

#include <cstdio>

namespace fabricperf::collectives {
namespace {

std::string signal_name(int signal) {
  const char* abbrev = ::sigabbrev_np(signal);
  return abbrev != nullptr ? std::string("SIG") + abbrev : "signal " + std::to_string(signal);
}

}  // namespace

std::string StallError::format_seconds(std::chrono::milliseconds ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", static_cast<double>(ms.count()) / 1000.0);
  return text;
}

Interrupted::Interrupted(int signal) : Error("interrupted by " + signal_name(signal)), signal_(signal) {}

void Watchdog::poll() {
  if (probe_ != nullptr) probe_->service(progress());
  if (signal_ != nullptr) {
    const int sig = signal_->load(std::memory_order_relaxed);
    if (sig != 0) throw Interrupted(sig);
  }
}

}  // namespace fabricperf::collectives
