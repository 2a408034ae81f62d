#pragma once
// Straggler view: given every rank's time for the same measurement, name the slowest rank when
// it is more than a tolerance behind the others (the median of all other ranks).
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fabricperf::collectives {

struct Straggler {
  int rank = -1;
  std::string host;
  double time_us = 0;
  double others_median_us = 0;
  double behind_pct = 0;  // (time / others_median - 1) * 100
};

// `times_us[r]` is rank r's time; `hosts[r]` its host (may be shorter: then host stays "").
// Returns the slowest rank when its time exceeds the median of the other ranks by more than
// tolerance_pct percent; nothing for fewer than 2 ranks or non-positive times.
[[nodiscard]] std::optional<Straggler> find_straggler(std::span<const double> times_us,
                                                      const std::vector<std::string>& hosts, double tolerance_pct);

[[nodiscard]] nlohmann::json to_json(const Straggler& straggler);

// nccl-tests -a: which per-rank time the row reports. 0 = rank 0, 1 = average, 2 = min, 3 = max.
[[nodiscard]] double combine_rank_times(std::span<const double> times, int average_mode) noexcept;

}  // namespace fabricperf::collectives
