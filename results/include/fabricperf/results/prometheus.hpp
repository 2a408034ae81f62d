#pragma once
// Prometheus text exposition (format 0.0.4) of a result document, for node_exporter's
// textfile collector and the Pushgateway: stable metric names (metrics.hpp), one family per
// metric with HELP and TYPE, labels from the row identity (size_bytes -> "size"), label sets
// made uniform within a family, no timestamps.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace fabricperf::results {

[[nodiscard]] std::string to_prometheus(const nlohmann::json& doc);

// Label value escaping: backslash, double quote and newline.
[[nodiscard]] std::string escape_label_value(std::string_view value);
// HELP text escaping: backslash and newline.
[[nodiscard]] std::string escape_help(std::string_view text);
// A valid label name: [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__", not one the exposition
// or the Pushgateway reserves (le, quantile, job, instance -> exported_*).
[[nodiscard]] std::string sanitize_label_name(std::string_view key);

}  // namespace fabricperf::results
