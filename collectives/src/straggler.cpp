#include "fabricperf/collectives/straggler.hpp"

#include <algorithm>
#include <numeric>

namespace fabricperf::collectives {

std::optional<Straggler> find_straggler(std::span<const double> times_us, const std::vector<std::string>& hosts,
                                        double tolerance_pct) {
  if (times_us.size() < 2) return std::nullopt;
  const auto slowest = std::max_element(times_us.begin(), times_us.end());
  const auto rank = static_cast<std::size_t>(slowest - times_us.begin());
  std::vector<double> others;
  others.reserve(times_us.size() - 1);
  for (std::size_t r = 0; r < times_us.size(); ++r)
    if (r != rank) others.push_back(times_us[r]);
  std::sort(others.begin(), others.end());
  const std::size_t m = others.size();
  const double median = m % 2 == 1 ? others[m / 2] : (others[m / 2 - 1] + others[m / 2]) / 2.0;
  if (!(median > 0) || !(*slowest > median * (1.0 + tolerance_pct / 100.0))) return std::nullopt;
  Straggler s;
  s.rank = static_cast<int>(rank);
  if (rank < hosts.size()) s.host = hosts[rank];
  s.time_us = *slowest;
  s.others_median_us = median;
  s.behind_pct = (*slowest / median - 1.0) * 100.0;
  return s;
}

nlohmann::json to_json(const Straggler& s) {
  return {{"rank", s.rank},
          {"host", s.host},
          {"time_us", s.time_us},
          {"others_median_us", s.others_median_us},
          {"behind_pct", s.behind_pct}};
}

double combine_rank_times(std::span<const double> times, int average_mode) noexcept {
  if (times.empty()) return 0;
  switch (average_mode) {
    case 0: return times.front();
    case 2: return *std::min_element(times.begin(), times.end());
    case 3: return *std::max_element(times.begin(), times.end());
    default: return std::accumulate(times.begin(), times.end(), 0.0) / static_cast<double>(times.size());
  }
}

}  // namespace fabricperf::collectives
