#pragma once
// Regression check between two result documents (fp_report compare): rows matched by their
// identity, each metric's change in percent judged against a tolerance that accounts for
// run-to-run noise, check transitions, rows present in one document only, and what changed
// in the hosts' fingerprints (firmware, kernel, drivers).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fabricperf/results/identity.hpp"
#include "fabricperf/results/metrics.hpp"

namespace fabricperf::results {

struct CompareOptions {
  double tolerance_pct = 5.0;             // flag a metric worse by more than this ...
  double noise_k = 3.0;                   // ... or by more than noise_k x its noise, whichever is larger
  std::vector<std::string> metrics;       // empty: every catalogue metric compared by default
  std::vector<std::string> extra_keys;    // identity keys to add
  std::vector<std::string> ignored_keys;  // identity keys to drop
  bool fail_on_missing = false;           // rows of the baseline missing in the new document fail
};

enum class Verdict { ok, regression, improved };
[[nodiscard]] std::string_view to_string(Verdict verdict) noexcept;

// Where a noise estimate came from.
enum class NoiseSource { none, repeats, stdev };
[[nodiscard]] std::string_view to_string(NoiseSource source) noexcept;

// One side of a comparison: the values of one metric of one identity (several when the
// document repeats the measurement).
struct Side {
  double value = 0;                      // mean over the repeated rows
  std::size_t n = 1;                     // runs the value summarizes (repeated rows, or the `repeats` field)
  std::optional<double> relative_stdev;  // per-run standard deviation / value, when known
  NoiseSource source = NoiseSource::none;
  double resolution = 0;  // the precision the document gives the metric (0.01 for 97.12)
};

// The decimal step of a number's shortest text: 0.01 for 0.19, 1 for 5000, 1e-07 for 1e-07.
[[nodiscard]] double decimal_resolution(double value);

// The judgement of one metric; pure, so the tolerance logic can be tested alone.
struct Judgement {
  std::optional<double> change_pct;  // (new - base) / base; nullopt when base is 0
  std::optional<double> worse_pct;   // change in the bad direction (negative: better)
  double noise_pct = 0;              // 100 * sigma * sqrt(1/n_base + 1/n_new)
  NoiseSource noise_source = NoiseSource::none;
  double resolution_pct = 0;  // 100 * (res_base + res_new) / 2 / |base|: rounding in the documents
  double tolerance_pct = 0;   // max(options.tolerance_pct, noise_k * noise_pct) + resolution_pct
  Verdict verdict = Verdict::ok;
};
[[nodiscard]] Judgement judge(const Side& base, const Side& next, Better better, const CompareOptions& options);

struct MetricComparison {
  Identity identity;
  std::string metric;
  Better better = Better::higher;
  Side base, next;
  Judgement judgement;
};

struct CheckTransition {
  std::string name;
  nlohmann::json labels;    // object
  std::string base_status;  // "" when the check is new
  std::string new_status;   // "" when the check is gone
  bool regression = false;  // fails now and did not fail before
};

struct EnvironmentChange {
  std::string host;
  std::string what;  // "kernel", "rdma_core_version", "mlx5_0 fw_ver", "mlx5_0 port 1 rate"...
  std::string base;  // "" when absent
  std::string next;
};

// Identical changes on several hosts or devices as one line each, e.g.
// "fw_ver 28.37.1014 -> 28.41.1000 on gpu-node-01 (mlx5_0, mlx5_1), gpu-node-02 (mlx5_0)".
struct EnvironmentSummary {
  std::string field, base, next;  // base/next "" when absent
  std::string where;              // "gpu-node-01 (mlx5_0, mlx5_1), gpu-node-02"
};
[[nodiscard]] std::vector<EnvironmentSummary> summarize_environment(const std::vector<EnvironmentChange>& changes);

struct CompareReport {
  std::vector<MetricComparison> metrics;
  std::vector<Identity> only_in_base;
  std::vector<Identity> only_in_new;
  std::vector<CheckTransition> checks;  // only those whose status changed
  std::vector<EnvironmentChange> environment;
  std::vector<std::string> notes;  // e.g. "NEW is partial (aborted)"
  IdentityRules rules;
  std::vector<std::string> metric_names;    // the metrics compared
  bool run_status_regressed = false;        // base ok, new failed/aborted
  std::size_t base_rows = 0, new_rows = 0;  // result rows of each document
  std::size_t matched_rows = 0;             // identities found in both

  // Rows to compare, yet no metric compared (no row in common, or no metric on both sides):
  // such a comparison proves nothing and must not pass.
  [[nodiscard]] bool compared_nothing() const { return metrics.empty() && base_rows + new_rows > 0; }

  [[nodiscard]] std::size_t count(Verdict verdict) const;
  [[nodiscard]] std::size_t check_regressions() const;
  // Comparisons that are not ok: regressions first (worst first), then improvements (best first).
  [[nodiscard]] std::vector<const MetricComparison*> notable() const;
  // Regressed metrics, checks that fail now, a run that failed now, and (with
  // fail_on_missing) missing rows.
  [[nodiscard]] bool regressed(const CompareOptions& options) const;
};

// A fabricperf/1 document compared with a fabricperf/2 one is read as fabricperf/2 (normalize.hpp).
[[nodiscard]] CompareReport compare_documents(const nlohmann::json& base, const nlohmann::json& next,
                                              const CompareOptions& options);

// The report as a fabricperf/1 document (tool fp_report): results[] one row per compared
// metric (kind "metric", verdict ok|regression|improved), per missing row (verdict
// only_in_base|only_in_new), per host change (kind "environment"); checks[] no_regression (the
// summary), metric_regression per regressed metric, check_regression per newly failing check,
// run_status, rows_missing.
struct CompareSources {
  std::string base_path, new_path;
  std::vector<std::string> command_line;
};
[[nodiscard]] nlohmann::json compare_report_document(const CompareReport& report, const nlohmann::json& base,
                                                     const nlohmann::json& next, const CompareSources& sources,
                                                     const CompareOptions& options);

// Human table: verdict line, environment changes, regressions and improvements (every
// comparison with all_rows), missing rows, summary.
[[nodiscard]] std::string format_compare_table(const CompareReport& report, const CompareOptions& options,
                                               const CompareSources& sources, bool all_rows);

}  // namespace fabricperf::results
