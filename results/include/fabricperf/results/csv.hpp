#pragma once
// CSV (RFC 4180) of a result document: one row per result (or per check), nested objects
// flattened to "a.b" columns, arrays of scalars joined with ';', other arrays as compact JSON.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace fabricperf::results {

enum class CsvTable { results, checks };

// Columns: "tool", then the identity keys in display order, then every other field in order
// of first appearance.
[[nodiscard]] std::string to_csv(const nlohmann::json& doc, CsvTable table = CsvTable::results);

// One field, quoted when it holds a comma, a quote, CR or LF.
[[nodiscard]] std::string csv_field(std::string_view text);

}  // namespace fabricperf::results
