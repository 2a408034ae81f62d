#include "fabricperf/gdr/report.hpp"

#include <stdexcept>

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

nlohmann::json gdr_fields(const EntryIdentity& id, Mode mode) {
  nlohmann::json j;
  j["gpu"] = id.gpu;
  if (id.gpu >= 0) {
    j["gpu_name"] = id.gpu_name;
    j["gpu_pci"] = id.gpu_pci;
  }
  if (id.peer_gpu >= 0) j["peer_gpu"] = id.peer_gpu;
  if (!id.path.empty()) j["path"] = id.path;
  j["test"] = id.test;
  // The staged baseline moves data between pinned host buffers; mem still names what the
  // application data lives in, so rows of one size line up.
  j["mem"] = std::string(to_string(id.mem));
  j["peer_mem"] = std::string(to_string(id.peer_mem));
  j["mode"] = std::string(to_string(mode));
  return j;
}

void add_gdr_fields(nlohmann::json& row, const EntryIdentity& id, Mode mode) {
  const nlohmann::json fields = gdr_fields(id, mode);
  for (const auto& [key, value] : fields.items()) {
    if (row.contains(key)) throw std::logic_error("fp_gdr would overwrite the row field '" + key + "'");
    row[key] = value;
  }
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

void add_staged_bandwidth(nlohmann::json& row, const StagingCosts& c) {
  row["staged_bw_gbps"] =
      staged_bandwidth_gbps(row.value("size_bytes", std::uint64_t{0}), row.value("bw_avg_gbps", 0.0), c);
  row["source_copy_us"] = c.source_copy_us;
  row["sink_copy_us"] = c.sink_copy_us;
}

void add_staged_latency(nlohmann::json& row, const StagingCosts& c) {
  row["staged_t_typical_us"] = staged_latency_us(row.value("t_typical_us", 0.0), c);
  row["staged_t_avg_us"] = staged_latency_us(row.value("t_avg_us", 0.0), c);
  row["staged_p99_us"] = staged_latency_us(row.value("p99_us", 0.0), c);
  row["source_copy_us"] = c.source_copy_us;
  row["sink_copy_us"] = c.sink_copy_us;
}

void attach_gain(nlohmann::json& gdr_row, const nlohmann::json& staged_row, bool latency) {
  const std::optional<double> gain =
      latency ? latency_gain_pct(gdr_row.value("t_typical_us", 0.0), staged_row.value("staged_t_typical_us", 0.0))
              : bandwidth_gain_pct(gdr_row.value("bw_avg_gbps", 0.0), staged_row.value("staged_bw_gbps", 0.0));
  gdr_row["gain_pct"] = gain ? nlohmann::json(*gain) : nlohmann::json();
}

}  // namespace fabricperf::gdr
