#include "table.hpp"

#include <iomanip>
#include <sstream>

#include "fabricperf/verbs/metrics.hpp"

namespace fabricperf::gdr {
namespace {

std::string fmt(double v, int precision = 2) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(precision) << v;
  return s.str();
}

std::string rate(double gbps, bool gbits) {
  return fmt(gbits ? gbps : verbs::gbps_to_MiBps(gbps));
}

std::string gain_text(const nlohmann::json& row) {
  const auto it = row.find("gain_pct");
  if (it == row.end() || !it->is_number()) return "";
  const double g = it->get<double>();
  return (g >= 0 ? "+" : "") + fmt(g, 1) + "%";
}

}  // namespace

std::string table_rule() {
  return std::string(93, '-');
}

std::string table_header(bool latency, bool gbits, bool staged) {
  std::ostringstream s;
  s << ' ' << std::left << std::setw(10) << "#bytes" << std::setw(13) << "mode" << std::setw(26) << "mem->peer_mem"
    << std::setw(5) << "gpu" << std::setw(12) << "device" << std::right;
  if (latency) {
    s << std::setw(12) << "t_typ[us]" << std::setw(12) << "t_avg[us]" << std::setw(12) << "p99[us]";
  } else {
    const char* unit = gbits ? "[Gb/s]" : "[MiB/s]";
    s << std::setw(14) << (std::string("BW avg") + unit) << std::setw(14) << (std::string("BW peak") + unit);
  }
  s << std::setw(10) << "gain";
  if (staged)
    s << "\n host_staged lines: the modelled path (GPU->host copy + RDMA + host->GPU copy, per message);"
         " its JSON keeps the RDMA figures";
  return s.str();
}

std::string table_line(const nlohmann::json& row, bool latency, bool gbits) {
  std::ostringstream s;
  const int gpu = row.value("gpu", -1);
  const bool staged = row.value("mode", "") == "host_staged";
  s << ' ' << std::left << std::setw(10) << row.value("size_bytes", std::uint64_t{0}) << std::setw(13)
    << row.value("mode", "") << std::setw(26) << (row.value("mem", "") + "->" + row.value("peer_mem", ""))
    << std::setw(5) << (gpu >= 0 ? std::to_string(gpu) : "-") << std::setw(12) << row.value("device", "") << std::right;
  if (latency) {
    const char* prefix = staged ? "staged_" : "";
    for (const char* key : {"t_typical_us", "t_avg_us", "p99_us"})
      s << std::setw(12) << fmt(row.value(std::string(prefix) + key, 0.0));
  } else if (staged) {
    s << std::setw(14) << rate(row.value("staged_bw_gbps", 0.0), gbits) << std::setw(14) << "-";
  } else {
    s << std::setw(14) << rate(row.value("bw_avg_gbps", 0.0), gbits) << std::setw(14)
      << rate(row.value("bw_peak_gbps", 0.0), gbits);
  }
  s << std::setw(10) << gain_text(row);
  return s.str();
}

}  // namespace fabricperf::gdr
