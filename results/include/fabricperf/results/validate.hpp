#pragma once
// Schema checks in C++: the JSON Schemas fabricperf/2 (what the tools write) and fabricperf/1
// (older documents), embedded at build time from results/schema/fabricperf-{2,1}.schema.json,
// interpreted by a small validator that knows the keywords they use: type, enum, const,
// required, properties, additionalProperties, items, min/maxItems, minLength, pattern,
// minimum/maximum, $ref (#/$defs/...), allOf, anyOf, oneOf, not, if/then/else.
// tests/tools/validate_document.py (python3-jsonschema) stays the reference.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace fabricperf::results {

inline constexpr std::string_view kSchemaV1Id = "fabricperf/1";  // still read; core's kSchemaId is written

struct Problem {
  std::string where;    // JSON pointer-like path "results/3/size_bytes", "(document)" for the root
  std::string message;  // "expected integer, got string"
};

// The schema texts this binary was built with: fabricperf/2 and fabricperf/1.
[[nodiscard]] std::string_view embedded_schema_text();
[[nodiscard]] std::string_view embedded_schema_v1_text();
[[nodiscard]] const nlohmann::json& embedded_schema();
[[nodiscard]] const nlohmann::json& embedded_schema_v1();

// Every problem of `doc`; empty when valid. A document saying "schema": "fabricperf/1" is judged
// by the fabricperf/1 schema, any other by fabricperf/2 plus the row arithmetic of
// row_arithmetic.hpp (bytes, rates).
[[nodiscard]] std::vector<Problem> validate_document(const nlohmann::json& doc);
// Same against any schema using the supported keywords.
[[nodiscard]] std::vector<Problem> validate_against(const nlohmann::json& doc, const nlohmann::json& schema);

// "results/3/size_bytes: expected integer, got string"
[[nodiscard]] std::string to_string(const Problem& problem);

}  // namespace fabricperf::results
