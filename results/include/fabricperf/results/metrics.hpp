#pragma once
// The catalogue of result metrics fp_report knows: which way is better, whether compare looks
// at it by default (Prometheus names: prometheus_metrics.hpp).
#include <span>
#include <string_view>

namespace fabricperf::results {

enum class Better { higher, lower };

struct MetricInfo {
  std::string_view field;  // JSON field in results[]
  Better better;
  bool compared_by_default;  // fp_report compare without --metrics
};

[[nodiscard]] std::span<const MetricInfo> metric_catalogue();
[[nodiscard]] const MetricInfo* find_metric(std::string_view field);
[[nodiscard]] std::string_view to_string(Better better) noexcept;

}  // namespace fabricperf::results
