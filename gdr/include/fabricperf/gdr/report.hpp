#pragma once
// fp_gdr's result entries and the arithmetic behind the host-staged baseline. Pure functions.
//
// Every entry names what was measured: host/peer_host, gpu (CUDA ordinal, -1 for none),
// gpu_name, gpu_pci, device (the NIC), path (GPU-NIC path class), test (bw|lat), op, mem
// (this side's memory), peer_mem, mode and size_bytes, then the figures:
//   mode "gdr"          the NIC reads/writes GPU memory directly (device memory on a side)
//   mode "direct"       host or cuda-host memory on both sides: no GPU memory on the wire path
//   mode "host_staged"  the baseline: cudaMemcpy GPU -> pinned host, RDMA between pinned host
//                       buffers, cudaMemcpy pinned host -> GPU on the receiver; each stage is
//                       measured for real and the stages add up per message (no overlap)
// gdr entries carry gain_pct: how much better than host_staged at that size (bandwidth:
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

// What an entry is about (shared by the gdr and the host_staged entry of one size).
struct EntryIdentity {
  std::string host, peer_host;
  int gpu = -1;
  std::string gpu_name, gpu_pci;
  int peer_gpu = -1;
  std::string device, peer_device;
  std::string path;  // "PIX", ..., "unknown", "" when no GPU
  std::string test;  // "bw" | "lat"
  std::string op;    // "write" | "read" | "send"
  MemoryKind mem = MemoryKind::host;
  MemoryKind peer_mem = MemoryKind::host;
};

// The identity fields of an entry for `mode` and `size`.
[[nodiscard]] nlohmann::json entry(const EntryIdentity& id, Mode mode, std::uint64_t size_bytes);

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

// Turns fp_bw's row of the host-to-host run into the host_staged entry: the measured RDMA
// rate moves to rdma_bw_gbps, bw_avg_gbps/bw_peak_gbps/msg_rate_mpps/line_rate_pct become the
// staged path's, the copy costs are recorded, per-message validation is dropped.
void make_staged_bandwidth(nlohmann::json& row, std::uint64_t size_bytes, const StagingCosts& c);
// Same for latency figures (fp_lat's t_*_us/pNN_us): every percentile moves by the copy costs
// (t_stdev_us stays: the copies are taken as constant); rdma_t_typical_us keeps the RDMA figure.
void make_staged_latency(nlohmann::json& row, const nlohmann::json& rdma_figures, const StagingCosts& c);
// gain_pct (null when it cannot be computed) and host_staged_bw_gbps / host_staged_t_typical_us
// on the gdr entry of the same size.
void attach_gain(nlohmann::json& gdr_row, const nlohmann::json& staged_row, bool latency);

// Which side of a transfer holds the data first: for write and send the initiator, for read
// the target. Staging copies happen GPU -> host on the source, host -> GPU on the sink.
[[nodiscard]] bool initiator_is_source(std::string_view op) noexcept;

}  // namespace fabricperf::gdr
