#pragma once
// Reading result documents for fp_report, and the small value helpers every report format uses.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace fabricperf::results {

// Reads PATH and checks it against the fabricperf/1 schema. Throws UsageError with one line
// naming the file and the (first) problem: unreadable, not JSON, not fabricperf/1, schema
// violations ("... (and N more problems)").
[[nodiscard]] nlohmann::json load_document(const std::string& path);

// Parses the document's own timestamps ("2026-11-26T21:43:34.123Z", "...+02:00") to seconds
// since the Unix epoch; nullopt when the text is not RFC 3339.
[[nodiscard]] std::optional<double> parse_rfc3339(std::string_view text);

// The shortest text that reads back as the same double ("97.5", "1e-07", "NaN", "+Inf").
[[nodiscard]] std::string format_number(double value);

// `row[key]` when it is a number (not a bool), else nullopt.
[[nodiscard]] std::optional<double> number_field(const nlohmann::json& row, std::string_view key);

// `doc[key]` when it is a string, else `fallback`.
[[nodiscard]] std::string string_field(const nlohmann::json& doc, std::string_view key, std::string_view fallback = "");

}  // namespace fabricperf::results
