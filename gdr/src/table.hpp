#pragma once
// fp_gdr's human table: one line per row, the gdr/direct row after its host_staged row. A
// host_staged line shows the staged model (copy + RDMA + copy: staged_bw_gbps, staged_t_*_us),
// not the host-to-host RDMA figures its JSON fields hold; the legend says so.
#include <nlohmann/json.hpp>
#include <string>

namespace fabricperf::gdr {

[[nodiscard]] std::string table_rule();
// The column header and, with the baseline, the legend line under it. gbits: Gb/sec, else MiB/sec.
[[nodiscard]] std::string table_header(bool latency, bool gbits, bool staged);
[[nodiscard]] std::string table_line(const nlohmann::json& row, bool latency, bool gbits);

}  // namespace fabricperf::gdr
