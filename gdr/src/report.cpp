#include "fabricperf/gdr/report.hpp"

namespace fabricperf::gdr {

std::string_view to_string(Mode mode) noexcept {
  switch (mode) {
    case Mode::gdr:
      return "gdr";
    case Mode::direct:
      return "direct";
    case Mode::host_staged:
      return "host_staged";
  }
  return "?";
}

Mode measured_mode(MemoryKind local, MemoryKind remote) noexcept {
  return is_device_memory(local) || is_device_memory(remote) ? Mode::gdr : Mode::direct;
}

nlohmann::json entry(const EntryIdentity& id, Mode mode, std::uint64_t size_bytes) {
  nlohmann::json j;
  if (!id.host.empty()) j["host"] = id.host;
  if (!id.peer_host.empty()) j["peer_host"] = id.peer_host;
  j["gpu"] = id.gpu;
  if (id.gpu >= 0) {
    j["gpu_name"] = id.gpu_name;
    j["gpu_pci"] = id.gpu_pci;
  }
  if (id.peer_gpu >= 0) j["peer_gpu"] = id.peer_gpu;
  if (!id.device.empty()) j["device"] = id.device;
  if (!id.peer_device.empty()) j["peer_device"] = id.peer_device;
  if (!id.path.empty()) j["path"] = id.path;
  j["test"] = id.test;
  j["op"] = id.op;
  // The staged baseline moves data between pinned host buffers; mem still names what the
  // application data lives in, so rows of one size line up.
  j["mem"] = std::string(to_string(id.mem));
  j["peer_mem"] = std::string(to_string(id.peer_mem));
  j["mode"] = std::string(to_string(mode));
  j["size_bytes"] = size_bytes;
  return j;
}

double wire_time_us(std::uint64_t size_bytes, double gbps) noexcept {
  if (gbps <= 0) return 0;
  return static_cast<double>(size_bytes) * 8.0 / (gbps * 1e3);
}

double staged_bandwidth_gbps(std::uint64_t size_bytes, double rdma_gbps, const StagingCosts& c) noexcept {
  const double per_message_us = wire_time_us(size_bytes, rdma_gbps) + c.source_copy_us + c.sink_copy_us;
  if (rdma_gbps <= 0 || per_message_us <= 0) return 0;
  return static_cast<double>(size_bytes) * 8.0 / (per_message_us * 1e3);
}

double staged_latency_us(double rdma_latency_us, const StagingCosts& c) noexcept {
  return rdma_latency_us + c.source_copy_us + c.sink_copy_us;
}

std::optional<double> bandwidth_gain_pct(double gdr_gbps, double staged_gbps) noexcept {
  if (staged_gbps <= 0 || gdr_gbps <= 0) return std::nullopt;
  return 100.0 * (gdr_gbps / staged_gbps - 1.0);
}

std::optional<double> latency_gain_pct(double gdr_us, double staged_us) noexcept {
  if (staged_us <= 0 || gdr_us <= 0) return std::nullopt;
  return 100.0 * (staged_us / gdr_us - 1.0);
}

bool initiator_is_source(std::string_view op) noexcept {
  return op != "read";
}

void make_staged_bandwidth(nlohmann::json& row, std::uint64_t size_bytes, const StagingCosts& c) {
  const double rdma = row.value("bw_avg_gbps", 0.0);
  const double bw = staged_bandwidth_gbps(size_bytes, rdma, c);
  row["rdma_bw_gbps"] = rdma;
  row["source_copy_us"] = c.source_copy_us;
  row["sink_copy_us"] = c.sink_copy_us;
  row["bw_avg_gbps"] = bw;
  row["bw_peak_gbps"] = bw;
  row["msg_rate_mpps"] = bw > 0 && size_bytes > 0 ? bw * 1e3 / (static_cast<double>(size_bytes) * 8.0) : 0.0;
  const double line = row.value("line_rate_gbps", 0.0);
  row["line_rate_pct"] = line > 0 ? nlohmann::json(100.0 * bw / line) : nlohmann::json();
  row.erase("validation");
}

void make_staged_latency(nlohmann::json& row, const nlohmann::json& rdma, const StagingCosts& c) {
  const double extra = c.source_copy_us + c.sink_copy_us;
  row["iterations"] = rdma.value("iterations", 0);
  for (const char* k :
       {"t_min_us", "t_max_us", "t_typical_us", "t_avg_us", "p50_us", "p90_us", "p99_us", "p99_9_us", "p99_99_us"})
    row[k] = rdma.value(k, 0.0) + extra;
  row["t_stdev_us"] = rdma.value("t_stdev_us", 0.0);
  row["rdma_t_typical_us"] = rdma.value("t_typical_us", 0.0);
  row["source_copy_us"] = c.source_copy_us;
  row["sink_copy_us"] = c.sink_copy_us;
}

void attach_gain(nlohmann::json& gdr_row, const nlohmann::json& staged_row, bool latency) {
  const std::optional<double> gain =
      latency ? latency_gain_pct(gdr_row.value("t_typical_us", 0.0), staged_row.value("t_typical_us", 0.0))
              : bandwidth_gain_pct(gdr_row.value("bw_avg_gbps", 0.0), staged_row.value("bw_avg_gbps", 0.0));
  gdr_row["gain_pct"] = gain ? nlohmann::json(*gain) : nlohmann::json();
  if (latency)
    gdr_row["host_staged_t_typical_us"] = staged_row.value("t_typical_us", 0.0);
  else
    gdr_row["host_staged_bw_gbps"] = staged_row.value("bw_avg_gbps", 0.0);
}

}  // namespace fabricperf::gdr
