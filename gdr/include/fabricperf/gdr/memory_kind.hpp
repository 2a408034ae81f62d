#pragma once
// Where fp_gdr's message buffers live (--mem / --remote-mem) and the ways the NIC can be given
// access to them (registration paths).
#include <string>
#include <string_view>
#include <vector>

namespace fabricperf::gdr {

enum class MemoryKind {
  host,          // malloc'd host memory (verbs' host provider)
  cuda,          // CUDA device memory: dma-buf, falling back to nvidia-peermem
  cuda_dmabuf,   // CUDA device memory, dma-buf only (cuMemGetHandleForAddressRange + ibv_reg_dmabuf_mr)
  cuda_peermem,  // CUDA device memory, nvidia-peermem only (ibv_reg_mr on the device pointer)
  cuda_host,     // CUDA pinned host memory (cudaHostAlloc) registered with ibv_reg_mr
};

// "host", "cuda", "cuda-dmabuf", "cuda-peermem", "cuda-host".
[[nodiscard]] std::string_view to_string(MemoryKind kind) noexcept;
// Throws UsageError naming the text and the valid kinds.
[[nodiscard]] MemoryKind parse_memory_kind(std::string_view text);
[[nodiscard]] const std::vector<std::string>& memory_kind_names();

// Every kind but host needs a CUDA driver and device.
[[nodiscard]] constexpr bool needs_cuda(MemoryKind kind) noexcept {
  return kind != MemoryKind::host;
}
// The kinds whose buffers are GPU memory (the NIC reaches them through GPUDirect RDMA).
[[nodiscard]] constexpr bool is_device_memory(MemoryKind kind) noexcept {
  return kind == MemoryKind::cuda || kind == MemoryKind::cuda_dmabuf || kind == MemoryKind::cuda_peermem;
}

// How a buffer was (or is to be) registered with the NIC.
enum class RegistrationPath {
  host,     // ibv_reg_mr on host memory (malloc'd or cudaHostAlloc'd)
  dmabuf,   // ibv_reg_dmabuf_mr on a dma-buf exported by the CUDA driver
  peermem,  // ibv_reg_mr on a device pointer, resolved by the nvidia_peermem kernel module
};

// "host", "dma-buf", "nvidia-peermem".
[[nodiscard]] std::string_view to_string(RegistrationPath path) noexcept;

}  // namespace fabricperf::gdr
