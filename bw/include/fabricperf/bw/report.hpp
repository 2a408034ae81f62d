#pragma once
// fp_bw's perftest-shaped table of bandwidth rows (verbs/rows.hpp). Pure functions.
#include <string>

#include <nlohmann/json.hpp>


namespace fabricperf::bw {

// gbits: Gb/s columns (--report_gbits), else MiB/sec (2^20 B/s, what perftest labels MB/sec).
[[nodiscard]] std::string table_rule();
[[nodiscard]] std::string table_header(bool gbits, bool with_device);
[[nodiscard]] std::string table_line(const nlohmann::json& row, bool gbits, bool with_device);

}  // namespace fabricperf::bw
