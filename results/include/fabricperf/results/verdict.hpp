#pragma once
// The one verdict of a result document, in one wording: fp_suite's terminal summary and the HTML
// report both print what document_verdict() says (PASS, PASS WITH WARNINGS, PARTIAL, REGRESSION,
// FAIL, ABORTED), with the same check counts ("36 checks: 18 passed, 18 skipped, 0 warned, 0 failed").
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fabricperf/results/compare.hpp"

namespace fabricperf::results {

struct CheckCounts {
  std::size_t pass = 0, fail = 0, warn = 0, skip = 0;  // a status other than pass/fail/warn counts as skip
  [[nodiscard]] std::size_t total() const { return pass + fail + warn + skip; }
};

// Counts doc["checks"] by status (no checks, or no array: all zero).
[[nodiscard]] CheckCounts count_checks(const nlohmann::json& doc);

// "36 checks: 18 passed, 18 skipped, 0 warned, 0 failed" (every count, so none hides).
[[nodiscard]] std::string describe(const CheckCounts& counts);

// params.expectations_loosened ([{"key", "value", "default"}], written by fp_suite when an
// expectation is looser than its default, as scripts/demo.sh does for emulated links) as one
// sentence; "" when there is none.
[[nodiscard]] std::string loosened_expectations_text(const nlohmann::json& doc);

enum class VerdictLevel { pass, warn, fail };

struct DocumentVerdict {
  std::string word;  // PASS | PASS WITH WARNINGS | PARTIAL | REGRESSION | FAIL | ABORTED
  VerdictLevel level = VerdictLevel::pass;
  CheckCounts checks;
  std::size_t errors = 0;
  // Why: the check counts first, then the run status, errors, regressions and loosened expectations.
  std::vector<std::string> reasons;
};

// `report`: a comparison against a baseline (nullptr: none). Status "aborted" -> ABORTED;
// "failed", a failed check or an error -> FAIL; a regression -> REGRESSION; partial -> PARTIAL;
// a warned check -> PASS WITH WARNINGS; else PASS.
[[nodiscard]] DocumentVerdict document_verdict(const nlohmann::json& doc, const CompareReport* report = nullptr,
                                               const CompareOptions& options = {});

}  // namespace fabricperf::results
