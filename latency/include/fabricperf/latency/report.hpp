#pragma once
// fp_lat's perftest-shaped table of latency rows (verbs/rows.hpp). Pure functions.
#include <string>

#include <nlohmann/json.hpp>


namespace fabricperf::latency {

[[nodiscard]] std::string table_rule();
[[nodiscard]] std::string table_header(bool with_device);
[[nodiscard]] std::string table_line(const nlohmann::json& row, bool with_device);

}  // namespace fabricperf::latency
