#pragma once
// The table at the end of a run: per stage the checks by status, the rows and the time; then
// every failed and warned check in one line each, the errors, and the verdict.
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "fabricperf/runners/suite_plan.hpp"

namespace fabricperf::runners {

struct StageTiming {
  std::string stage;
  double seconds = 0;
  bool ran = false;
};

// The stage a check or row belongs to: labels.stage / row.stage, else its name's prefix.
[[nodiscard]] std::string stage_of_check(const nlohmann::json& check);

void print_summary(std::ostream& os, const nlohmann::json& document, const std::vector<StageTiming>& timings);

// The dry-run plan as a table: stage, rounds, pairs per round, pairs, links, estimate.
void print_schedule(std::ostream& os, const SuiteSchedule& schedule, const std::string& plan_name);

// fp_suite --simulate's table: one line per fault-kind row (simulate.hpp), the "all" row last.
void print_simulation(std::ostream& os, const std::vector<nlohmann::json>& rows);

}  // namespace fabricperf::runners
