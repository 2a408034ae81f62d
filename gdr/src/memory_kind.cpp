#include "fabricperf/gdr/memory_kind.hpp"

#include <array>
#include <utility>

#include "fabricperf/error.hpp"

namespace fabricperf::gdr {

namespace {
constexpr std::array<std::pair<MemoryKind, std::string_view>, 5> kKinds{{
    {MemoryKind::host, "host"},
    {MemoryKind::cuda, "cuda"},
    {MemoryKind::cuda_dmabuf, "cuda-dmabuf"},
    {MemoryKind::cuda_peermem, "cuda-peermem"},
    {MemoryKind::cuda_host, "cuda-host"},
}};
}  // namespace

std::string_view to_string(MemoryKind kind) noexcept {
  for (const auto& [k, name] : kKinds)
    if (k == kind) return name;
  return "?";
}

const std::vector<std::string>& memory_kind_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [k, name] : kKinds) out.emplace_back(name);
    return out;
  }();
  return names;
}

MemoryKind parse_memory_kind(std::string_view text) {
  for (const auto& [k, name] : kKinds)
    if (name == text) return k;
  std::string valid;
  for (const auto& [k, name] : kKinds) valid += (valid.empty() ? "" : "|") + std::string(name);
  throw UsageError("unknown memory kind '" + std::string(text) + "' (valid: " + valid + ")");
}

std::string_view to_string(RegistrationPath path) noexcept {
  switch (path) {
    case RegistrationPath::host:
      return "host";
    case RegistrationPath::dmabuf:
      return "dma-buf";
    case RegistrationPath::peermem:
      return "nvidia-peermem";
  }
  return "?";
}

}  // namespace fabricperf::gdr
