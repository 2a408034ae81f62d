#pragma once
// fp_gdr's additions to the verbs rows (verbs/rows.hpp) and the arithmetic behind the
// host-staged baseline. Pure functions.
//
// An fp_gdr row is fp_bw's BwRow or fp_lat's LatRow of the same measurement, unchanged, plus
// the GPU identity fields (gdr_fields: gpu, gpu_name, gpu_pci, peer_gpu, path, test, mem,
// peer_mem, mode); no vocabulary field is ever rewritten, so every row obeys its arithmetic
// (bytes = messages x size_bytes, bw_avg_gbps = bytes x 8 / duration_s / 1e9).
//   mode "gdr"          the NIC reads/writes GPU memory directly (device memory on a side)
//   mode "direct"       host or cuda-host memory on both sides: no GPU memory on the wire path
//   mode "host_staged"  the baseline: its normal fields are the measured RDMA between pinned
//                       host buffers; the modelled end-to-end path (cudaMemcpy GPU -> pinned
//                       host, that RDMA, cudaMemcpy pinned host -> GPU, per message, no overlap)
//                       goes to staged_bw_gbps (bandwidth) or staged_t_typical_us,
//                       staged_t_avg_us, staged_p99_us (latency), with source_copy_us and
//                       sink_copy_us, the measured copy costs
// gdr rows carry gain_pct against that model at the same size (bandwidth:
// 100 * (gdr / staged - 1); latency: 100 * (staged / gdr - 1)); positive = GDR wins.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "fabricperf/gdr/memory_kind.hpp"

namespace fabricperf::gdr {

enum class Mode { gdr, direct, host_staged };
[[nodiscard]] std::string_view to_string(Mode mode) noexcept;
// gdr when either side's memory is device memory, else direct.
[[nodiscard]] Mode measured_mode(MemoryKind local, MemoryKind remote) noexcept;

// Where the buffers of a row live (shared by the gdr and the host_staged row of one size).
struct EntryIdentity {
  int gpu = -1;
  std::string gpu_name, gpu_pci;
  int peer_gpu = -1;
  std::string path;  // "PIX", ..., "unknown", "" when no GPU
  std::string test;  // "bw" | "lat"
  MemoryKind mem = MemoryKind::host;
  MemoryKind peer_mem = MemoryKind::host;
};

// The GPU identity fields of a row for `mode` (no verbs vocabulary field among them).
[[nodiscard]] nlohmann::json gdr_fields(const EntryIdentity& id, Mode mode);
// Adds gdr_fields to a verbs row; a field the row already has is a logic error (throws).
void add_gdr_fields(nlohmann::json& row, const EntryIdentity& id, Mode mode);

// Time for one message of `size_bytes` at `gbps` (Gbit/s), in microseconds; 0 when gbps <= 0.
[[nodiscard]] double wire_time_us(std::uint64_t size_bytes, double gbps) noexcept;

// Host staging around an RDMA transfer between pinned host buffers.
struct StagingCosts {
  double source_copy_us = 0;  // cudaMemcpy GPU -> pinned host on the data's source side (0: none)
  double sink_copy_us = 0;    // cudaMemcpy pinned host -> GPU on the data's sink side (0: none)
};

// Bandwidth of the staged path: per message, the source copy, the RDMA transfer at
// `rdma_gbps` and the sink copy, one after another.
[[nodiscard]] double staged_bandwidth_gbps(std::uint64_t size_bytes, double rdma_gbps, const StagingCosts& c) noexcept;
// Latency of the staged path: copy + RDMA latency + copy.
[[nodiscard]] double staged_latency_us(double rdma_latency_us, const StagingCosts& c) noexcept;

[[nodiscard]] std::optional<double> bandwidth_gain_pct(double gdr_gbps, double staged_gbps) noexcept;
[[nodiscard]] std::optional<double> latency_gain_pct(double gdr_us, double staged_us) noexcept;

// The staged model on a host_staged bandwidth row (fp_bw's row of the pinned-host run):
// staged_bw_gbps from its bw_avg_gbps, source_copy_us, sink_copy_us. Nothing else changes.
void add_staged_bandwidth(nlohmann::json& row, const StagingCosts& c);
// Same for a host_staged latency row (fp_lat's row): staged_t_typical_us, staged_t_avg_us,
// staged_p99_us = the measured figure + both copies, source_copy_us, sink_copy_us.
void add_staged_latency(nlohmann::json& row, const StagingCosts& c);
// gain_pct on the gdr row (null when it cannot be computed), against the staged model.
void attach_gain(nlohmann::json& gdr_row, const nlohmann::json& staged_row, bool latency);

// Which side of a transfer holds the data first: for write and send the initiator, for read
// the target. Staging copies happen GPU -> host on the source, host -> GPU on the sink.
[[nodiscard]] bool initiator_is_source(std::string_view op) noexcept;

}  // namespace fabricperf::gdr
