#pragma once
// Server types: GPUs per server and memory per GPU.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fabricperf::sizing {

struct ServerSpec {
  std::string key;   // "h100", "h200", "b200", "custom"
  std::string name;  // "HGX H100 8x80GB"
  std::uint64_t gpus = 8;
  double gpu_memory_bytes = 0;  // what the driver reports as memory.total
};

// The HGX boards, with memory.total as nvidia-smi reports it on the SXM parts:
//   h100: 8 × 81559 MiB, h200: 8 × 143771 MiB, b200: 8 × 183359 MiB.
[[nodiscard]] const std::vector<ServerSpec>& builtin_servers();
// "h100", "h200", "b200" (case-insensitive); UsageError otherwise.
[[nodiscard]] ServerSpec builtin_server(std::string_view key);
// Largest --gpu-mem-gb accepted (a petabyte per GPU): keeps every byte count finite.
inline constexpr double kMaxGpuMemGb = 1e6;

// --server custom: gpu_mem_gb in GB (10^9 bytes); UsageError unless both are positive and
// gpu_mem_gb is at most kMaxGpuMemGb.
[[nodiscard]] ServerSpec custom_server(double gpu_mem_gb, std::uint64_t gpus);

}  // namespace fabricperf::sizing
