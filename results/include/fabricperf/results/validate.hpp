#pragma once
// Schema checks in C++: the fabricperf/1 JSON Schema (embedded at build time from
// results/schema/fabricperf-1.schema.json) interpreted by a small validator that knows the
// keywords the schema uses: type, enum, const, required, properties, additionalProperties,
// items, min/maxItems, minLength, pattern, minimum/maximum, $ref (#/$defs/...), allOf, anyOf,
// oneOf. tests/tools/validate_document.py (python3-jsonschema) stays the reference.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace fabricperf::results {

struct Problem {
  std::string where;    // JSON pointer-like path "results/3/size_bytes", "(document)" for the root
  std::string message;  // "expected integer, got string"
};

// The schema text this binary was built with.
[[nodiscard]] std::string_view embedded_schema_text();
[[nodiscard]] const nlohmann::json& embedded_schema();

// Every problem of `doc` against the fabricperf/1 schema; empty when valid.
[[nodiscard]] std::vector<Problem> validate_document(const nlohmann::json& doc);
// Same against any schema using the supported keywords.
[[nodiscard]] std::vector<Problem> validate_against(const nlohmann::json& doc, const nlohmann::json& schema);

// "results/3/size_bytes: expected integer, got string"
[[nodiscard]] std::string to_string(const Problem& problem);

}  // namespace fabricperf::results
