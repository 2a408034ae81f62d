#pragma once
// The Prometheus families fp_report exports: name, type, the document field each comes from,
// the conversion to a base unit (seconds, bytes, bytes per second, ratio) and the HELP text.
// One table read by the exporter, its tests, the README mapping table and the Grafana test.
#include <span>
#include <string_view>

namespace fabricperf::results {

struct PrometheusMetric {
  std::string_view name;       // family name, as exported
  std::string_view type;       // "gauge" or "histogram"
  std::string_view source;     // where the value comes from in the document
  std::string_view row_field;  // numeric results[] field exported per row; empty when computed
  double multiply;             // exposition value = field value * multiply / divide
  double divide;
  std::string_view help;  // HELP text: what, in which unit
};

// Every family, in exposition order.
[[nodiscard]] std::span<const PrometheusMetric> prometheus_metrics();
// The family named NAME; throws std::logic_error for a name not in the table.
[[nodiscard]] const PrometheusMetric& prometheus_metric(std::string_view name);
// The family a sample name belongs to (a histogram's _bucket/_sum/_count included), or nullptr.
[[nodiscard]] const PrometheusMetric* prometheus_family_of(std::string_view sample_name);

}  // namespace fabricperf::results
