#include "fabricperf/sizing/server.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "fabricperf/error.hpp"

namespace fabricperf::sizing {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

}  // namespace

const std::vector<ServerSpec>& builtin_servers() {
  static const std::vector<ServerSpec> servers{
      {"h100", "HGX H100 8x80GB", 8, 81559 * kMiB},
      {"h200", "HGX H200 8x141GB", 8, 143771 * kMiB},
      {"b200", "HGX B200 8x180GB", 8, 183359 * kMiB},
  };
  return servers;
}

ServerSpec builtin_server(std::string_view key) {
  std::string lower(key);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const ServerSpec& s : builtin_servers()) {
    if (s.key == lower) return s;
  }
  throw UsageError("unknown server type '" + std::string(key) + "' (use h100, h200, b200 or custom)");
}

ServerSpec custom_server(double gpu_mem_gb, std::uint64_t gpus) {
  if (!(gpu_mem_gb > 0) || !std::isfinite(gpu_mem_gb))
    throw UsageError("--server custom needs --gpu-mem-gb with a positive size in GB");
  if (gpu_mem_gb > kMaxGpuMemGb)
    throw UsageError("--gpu-mem-gb " + std::to_string(gpu_mem_gb) + " is above the limit of " +
                     std::to_string(static_cast<long>(kMaxGpuMemGb)) + " GB");
  if (gpus == 0) throw UsageError("--server custom needs --gpus-per-server with a positive count");
  ServerSpec s;
  s.key = "custom";
  char buf[64];
  std::snprintf(buf, sizeof buf, "custom %llux%gGB", static_cast<unsigned long long>(gpus), gpu_mem_gb);
  s.name = buf;
  s.gpus = gpus;
  s.gpu_memory_bytes = gpu_mem_gb * 1e9;
  return s;
}

}  // namespace fabricperf::sizing
