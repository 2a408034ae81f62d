#include "fabricperf/runners/summary.hpp"

#include <cstdio>
#include <iomanip>

#include "fabricperf/results/verdict.hpp"
#include "fabricperf/runners/plan.hpp"

namespace fabricperf::runners {

std::string stage_of_check(const nlohmann::json& check) {
  if (check.contains("labels") && check["labels"].contains("stage") && check["labels"]["stage"].is_string())
    return check["labels"]["stage"].get<std::string>();
  const std::string name = check.value("name", "");
  for (auto s : kStageNames)
    if (name.rfind(std::string(s) + "_", 0) == 0) return std::string(s);
  return "other";
}

void print_summary(std::ostream& os, const nlohmann::json& doc, const std::vector<StageTiming>& timings) {
  struct Counts {
    int pass = 0, fail = 0, warn = 0, skip = 0;
    std::size_t rows = 0;
  };
  std::map<std::string, Counts> counts;
  for (const auto& c : doc["checks"]) {
    auto& n = counts[stage_of_check(c)];
    const std::string st = c.value("status", "skip");
    (st == "pass" ? n.pass : st == "fail" ? n.fail : st == "warn" ? n.warn : n.skip)++;
  }
  for (const auto& r : doc["results"]) ++counts[r.value("stage", "other")].rows;

  os << "\nfp_suite summary\n";
  os << std::left << std::setw(13) << "stage" << std::right << std::setw(7) << "pass" << std::setw(7) << "fail"
     << std::setw(7) << "warn" << std::setw(7) << "skip" << std::setw(9) << "rows" << std::setw(12) << "time"
     << "\n";
  for (const auto& t : timings) {
    const auto& n = counts[t.stage];
    os << std::left << std::setw(13) << t.stage << std::right << std::setw(7) << n.pass << std::setw(7) << n.fail
       << std::setw(7) << n.warn << std::setw(7) << n.skip << std::setw(9) << n.rows << std::setw(12)
       << (t.ran ? format_duration(t.seconds) : std::string("-")) << "\n";
  }
  bool header = false;
  for (const auto& c : doc["checks"]) {
    const std::string st = c.value("status", "");
    if (st != "fail" && st != "warn") continue;
    if (!header) os << "\nfailed and warned checks:\n";
    header = true;
    std::string detail = c.value("detail", "");
    if (detail.size() > 240) detail = detail.substr(0, 237) + "...";
    os << "  " << (st == "fail" ? "FAIL " : "WARN ") << std::left << std::setw(32) << c.value("name", "") << " "
       << detail << "\n";
  }
  if (!doc["errors"].empty()) {
    os << "\nerrors:\n";
    for (const auto& e : doc["errors"]) os << "  " << e.get<std::string>() << "\n";
  }
  // The verdict and its reasons as the HTML report of the same document words them.
  const auto verdict = results::document_verdict(doc);
  os << "\nresult: " << verdict.word << " (" << verdict.reasons.front() << ")\n";
  for (std::size_t i = 1; i < verdict.reasons.size(); ++i) os << "  " << verdict.reasons[i] << "\n";
}

void print_schedule(std::ostream& os, const SuiteSchedule& s, const std::string& plan_name) {
  os << "fp_suite plan '" << plan_name << "' for " << s.shape.nodes << " nodes x " << s.shape.rails << " rails";
  if (s.shape.gpus_per_node > 0) os << ", " << s.shape.gpus_per_node << " GPUs per node";
  os << " (" << s.shape.line_rate_gbps << " Gb/s ports)\n";
  os << std::left << std::setw(13) << "stage" << std::right << std::setw(8) << "rounds" << std::setw(12)
     << "pairs/round" << std::setw(12) << "pairs" << std::setw(14) << "links" << std::setw(8) << "steps"
     << std::setw(14) << "estimate"
     << "\n";
  for (const auto& st : s.stages) {
    os << std::left << std::setw(13) << st.stage << std::right;
    if (!st.skip_reason.empty()) {
      os << "  skipped: " << st.skip_reason << "\n";
      continue;
    }
    os << std::setw(8) << st.rounds.size() << std::setw(12) << st.pairs_per_round << std::setw(12) << st.pairs
       << std::setw(14) << st.links << std::setw(8) << st.steps << std::setw(14) << format_duration(st.estimated_s)
       << "\n";
  }
  os << "estimated total: " << format_duration(s.estimated_s) << "\n";
  for (const auto& st : s.stages)
    if (st.retest_rounds_max > 0)
      os << st.stage << ": adaptive, " << st.rounds.size() << " full-rate rounds + up to " << st.retest_rounds_max
         << " retest rounds (included above); --exhaustive for every pair\n";
}

void print_simulation(std::ostream& os, const std::vector<nlohmann::json>& rows) {
  os << std::left << std::setw(16) << "kind" << std::right << std::setw(10) << "injected" << std::setw(10) << "detected"
     << std::setw(12) << "attributed" << std::setw(9) << "%" << std::setw(10) << "falsely" << std::setw(10) << "healthy"
     << std::setw(12) << "verdict" << std::setw(12) << "worst"
     << "\n";
  os << std::left << std::setw(16) << "" << std::right << std::setw(10) << "" << std::setw(10) << "" << std::setw(12)
     << "correctly" << std::setw(9) << "" << std::setw(10) << "accused" << std::setw(10) << "nodes" << std::setw(12)
     << "(mean)" << std::setw(12) << ""
     << "\n";
  for (const auto& r : rows) {
    char pct[32];
    std::snprintf(pct, sizeof pct, "%.2f", r.value("attributed_pct", 0.0));
    os << std::left << std::setw(16) << r.value("kind", "") << std::right << std::setw(10) << r.value("injected", 0)
       << std::setw(10) << r.value("detected", 0) << std::setw(12) << r.value("attributed_correctly", 0) << std::setw(9)
       << pct << std::setw(10) << r.value("falsely_accused", 0) << std::setw(10) << r.value("healthy_nodes_accused", 0)
       << std::setw(12) << format_duration(r.value("time_to_verdict_s", 0.0)) << std::setw(12)
       << format_duration(r.value("time_to_verdict_max_s", 0.0)) << "\n";
  }
}

}  // namespace fabricperf::runners
