#include "fabricperf/latency/report.hpp"

#include <cstdio>

namespace fabricperf::latency {
std::string table_rule() { return std::string(119, '-'); }

std::string table_header(bool with_device) {
  char line[300];
  std::snprintf(line, sizeof line,
                " %-8s %-12s %-13s %-13s %-16s %-13s %-15s %-22s %-22s%s", "#bytes", "#iterations", "t_min[usec]",
                "t_max[usec]", "t_typical[usec]", "t_avg[usec]", "t_stdev[usec]", "99% percentile[usec]",
                "99.9% percentile[usec]", with_device ? "  Device" : "");
  return line;
}

std::string table_line(const nlohmann::json& row, bool with_device) {
  char line[400];
  std::string device;
  if (with_device)
    device = "  " + row.value("host", "") + ":" + row.value("device", "") + " -> " + row.value("peer_host", "") + ":" +
             row.value("peer_device", "");
  std::snprintf(line, sizeof line, " %-8llu %-12llu %-13.2f %-13.2f %-16.2f %-13.2f %-15.2f %-22.2f %-22.2f%s",
                static_cast<unsigned long long>(row.value("size_bytes", std::uint64_t{0})),
                static_cast<unsigned long long>(row.value("iterations", std::uint64_t{0})), row.value("t_min_us", 0.0),
                row.value("t_max_us", 0.0), row.value("t_typical_us", 0.0), row.value("t_avg_us", 0.0),
                row.value("t_stdev_us", 0.0), row.value("p99_us", 0.0), row.value("p99_9_us", 0.0), device.c_str());
  return line;
}

}  // namespace fabricperf::latency
