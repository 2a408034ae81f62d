#pragma once
// Reading result documents for fp_report, and the small value helpers every report format uses.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "fabricperf/input_file.hpp"

namespace fabricperf::results {

// fp_report's limits on one input document: at most kMaxDocumentBytes (256 MiB; the largest
// document of a 2,048-node dry run is ~30 MB) and JSON nested at most kMaxJsonDepth (64) levels
// (real documents nest < 10). Checked before anything looks at the content.
inline constexpr std::size_t kMaxDocumentBytes = kMaxInputFileBytes;

// Reads PATH as JSON within those limits. Throws UsageError with one line naming the file:
// missing or unreadable, not a regular file ("a directory, not a regular file"), too large,
// nested too deep, not JSON, a number outside double's range (1e400).
[[nodiscard]] nlohmann::json read_document_json(const std::string& path);

// read_document_json + check_document. Throws UsageError with one line naming the file and the
// (first) problem: unreadable, not JSON, not fabricperf/2 or /1, schema violations
// ("... (and N more problems)").
[[nodiscard]] nlohmann::json load_document(const std::string& path);

// The same for text already in memory; `name` stands for the file in messages.
[[nodiscard]] nlohmann::json parse_document(std::string_view text, const std::string& name);

// Throws UsageError naming `name` unless `doc` is a fabricperf/2 (or /1) document matching its schema.
void check_document(const nlohmann::json& doc, const std::string& name);

// Throws UsageError naming `what` when `doc` nests deeper than kMaxJsonDepth: every report
// format walks documents recursively, so each checks this first (non-recursively).
void require_bounded_depth(const nlohmann::json& doc, std::string_view what);

// A document as fp_report writes it, with a final newline: indented by two spaces per level
// when it nests at most 12 levels (every real document), compact otherwise, so that nesting
// cannot multiply the size of what is written.
[[nodiscard]] std::string dump_document(const nlohmann::json& doc);

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
