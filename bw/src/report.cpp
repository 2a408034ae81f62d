#include "fabricperf/bw/report.hpp"

#include <algorithm>
#include <cstdio>

namespace fabricperf::bw {

std::string table_rule() { return std::string(87, '-'); }

std::string table_header(bool gbits, bool with_device) {
  const char* unit = gbits ? "Gb/sec" : "MiB/sec";
  char line[200];
  std::snprintf(line, sizeof line, " %-10s %-14s BW peak[%s]    BW average[%s]   MsgRate[Mpps]%s", "#bytes",
                "#iterations", unit, unit, with_device ? "   Device" : "");
  return line;
}

std::string table_line(const nlohmann::json& row, bool gbits, bool with_device) {
  const auto convert = [&](double gbps) { return gbits ? gbps : gbps * 1e9 / 8.0 / 1048576.0; };
  char line[256];
  std::string device;
  if (with_device) {
    device = row.value("aggregate", false) ? "   (aggregate)"
                                            : "   " + row.value("host", "") + ":" + row.value("device", "") + " -> " +
                                                  row.value("peer_host", "") + ":" + row.value("peer_device", "");
  }
  std::snprintf(line, sizeof line, " %-10llu %-14llu %-18.2f %-20.2f %-12.6f%s",
                static_cast<unsigned long long>(row.value("size_bytes", std::uint64_t{0})),
                static_cast<unsigned long long>(row.value("iterations", std::uint64_t{0})),
                convert(row.value("bw_peak_gbps", 0.0)), convert(row.value("bw_avg_gbps", 0.0)),
                row.value("msg_rate_mpps", 0.0), device.c_str());
  return line;
}

}  // namespace fabricperf::bw
