#pragma once
// One self-contained HTML report of a result document (inline CSS, inline JS drawing SVG; no
// network): verdict first, then only the sections the document has data for — regressions
// against a baseline, checks, errors, bandwidth vs message size per NIC, latency percentiles,
// node-pair bandwidth heatmap, GPU x NIC topology matrix, collectives busbw vs size, hosts,
// raw results.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fabricperf/results/compare.hpp"

namespace fabricperf::results {

struct HtmlOptions {
  const nlohmann::json* baseline = nullptr;  // --baseline: regressions + dashed baseline series
  CompareOptions compare;
  std::string source_name;  // shown in the header
  std::string baseline_name;
};

[[nodiscard]] std::string html_report(const nlohmann::json& doc, const HtmlOptions& options);

// &, <, >, ", ' as entities.
[[nodiscard]] std::string html_escape(std::string_view text);

// Plot specifications the inline JS draws (exposed for tests): an array of
// {"id", "kind": "line"|"heatmap", "section", "title", ...}.
[[nodiscard]] nlohmann::json plot_specs(const nlohmann::json& doc, const nlohmann::json* baseline);

}  // namespace fabricperf::results
