#pragma once
// GPU memory behind verbs' MemoryProvider interface, so the fp_bw/fp_lat engines run on it
// unchanged: device memory registered with dma-buf or nvidia-peermem (with fallback and a
// diagnosis when neither works), and CUDA pinned host memory. Copies and the --validate
// pattern go through the CUDA layer (kernels on the GPU for device memory).
#include <infiniband/verbs.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "fabricperf/gdr/capabilities.hpp"
#include "fabricperf/gdr/memory_kind.hpp"
#include "fabricperf/gdr/registration.hpp"
#include "fabricperf/result_document.hpp"
#include "fabricperf/verbs/handles.hpp"
#include "fabricperf/verbs/memory.hpp"

namespace fabricperf::gdr {

struct GpuMemoryConfig {
  MemoryKind kind = MemoryKind::cuda;  // any kind but host
  int gpu = 0;                         // CUDA device ordinal
  GpuCapabilities caps;                // facts for the registration plan and the diagnosis
  RegistrationTarget target;           // GPU/NIC names for messages and check labels
  // Receives the gpu_memory_registration check of every registration, passed or failed (a
  // failure is also thrown as RegistrationError, which an engine may wrap).
  std::function<void(const Check&)> on_registration;
};

// A provider for kind cuda, cuda-dmabuf, cuda-peermem (device memory) or cuda-host (pinned
// host memory). Throws UsageError for host (use verbs::make_host_memory_provider).
[[nodiscard]] std::unique_ptr<verbs::MemoryProvider> make_gpu_memory_provider(GpuMemoryConfig config);

// One registration attempt of [addr, addr+length) along `path`: on success `out` holds the
// region and nullopt is returned; otherwise the call that failed. dma-buf exports the
// page-aligned range around the buffer (dmabuf_range) and registers it at iova = addr.
[[nodiscard]] std::optional<AttemptError> try_register(RegistrationPath path, ibv_pd* pd, void* addr,
                                                       std::size_t length, int access, verbs::MemoryRegion& out);

// Whether `pd`'s verbs provider takes dma-buf memory regions: ibv_reg_dmabuf_mr with fd -1 fails
// with EOPNOTSUPP when it does not, and with EBADF when the request reached the kernel driver.
[[nodiscard]] Tri probe_nic_dmabuf(ibv_pd* pd);
// Same, opening `device` by name; unknown when it cannot be opened.
[[nodiscard]] Tri probe_nic_dmabuf(const std::string& device);

// Adds "cuda", "cuda-dmabuf", "cuda-peermem" and "cuda-host" to a verbs registry ("cuda:1" =
// GPU 1, default GPU 0), so any tool with a --memory option can put its buffers on a GPU. The
// capabilities are probed when a provider is created.
void add_gpu_memory_providers(verbs::MemoryProviderRegistry& registry,
                              std::function<void(const Check&)> on_registration = {});

}  // namespace fabricperf::gdr
