#include "fabricperf/collectives/failure.hpp"

#include <algorithm>

namespace fabricperf::collectives {

std::string failure_message(const std::string& error, const std::string& activity, const ProbeReport& report,
                            const Bootstrap& bootstrap) {
  std::string text = error;
  if (!activity.empty() && error.find(activity) == std::string::npos) text += " (during " + activity + ")";
  if (!report.unresponsive.empty()) {
    std::string names;
    for (std::size_t i = 0; i < report.unresponsive.size(); ++i) {
      if (i > 0) names += i + 1 == report.unresponsive.size() ? " and " : ", ";
      names += bootstrap.describe_rank(report.unresponsive[i]);
    }
    text += ": " + names + " did not answer the liveness probe (dead or hung)";
  } else if (!report.detail.empty()) {
    text += ": " + report.detail;
  } else if (bootstrap.size() > 1 && !report.progress.empty()) {
    // Everybody is alive: name whoever is furthest behind.
    const auto lowest = std::min_element(report.progress.begin(), report.progress.end());
    const auto highest = std::max_element(report.progress.begin(), report.progress.end());
    if (*lowest >= 0 && *lowest < *highest) {
      text += ": every rank answered; " + bootstrap.describe_rank(static_cast<int>(lowest - report.progress.begin())) +
              " is behind (operation " + std::to_string(*lowest) + ", others up to " + std::to_string(*highest) + ")";
    } else {
      text += ": every rank answered the liveness probe (the fabric or the library is stuck, not a process)";
    }
  }
  return text;
}

int coordinator_rank(const ProbeReport& report, int processes) noexcept {
  for (int r = 0; r < processes; ++r)
    if (std::find(report.unresponsive.begin(), report.unresponsive.end(), r) == report.unresponsive.end()) return r;
  return 0;
}

std::chrono::milliseconds probe_grace(std::chrono::milliseconds timeout) noexcept {
  const auto fifth = timeout / 5;
  return std::clamp(fifth, std::chrono::milliseconds(200), std::chrono::milliseconds(5000));
}

}  // namespace fabricperf::collectives
