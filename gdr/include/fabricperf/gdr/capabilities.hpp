#pragma once
// What this host can do for GPUDirect RDMA, as facts gathered before any registration: the
// CUDA driver and device attributes, the kernel, the NVIDIA kernel modules and what the NIC's
// verbs provider supports. Plain data, so the provider choice and the diagnosis are pure
// functions of it (and unit tested with made-up capabilities).
#include <nlohmann/json.hpp>
#include <string>

#include "fabricperf/gdr/tri.hpp"
#include "fabricperf/host_info.hpp"

namespace fabricperf::gdr {

struct GpuCapabilities {
  // CUDA (from the runtime and the lazily loaded driver).
  bool cuda_built = false;           // fp_gdr was compiled with CUDA support
  bool cuda_driver = false;          // libcuda.so.1 loaded and initialised
  bool cuda_driver_too_old = false;  // libcuda.so.1 is older than the runtime fp_gdr was built with
  int cuda_devices = 0;              // devices the driver sees
  std::string cuda_error;            // why CUDA is unusable ("" when it is usable)
  Tri device_dmabuf = Tri::unknown;  // CU_DEVICE_ATTRIBUTE_DMA_BUF_SUPPORTED of the GPU in use
  Tri device_gdr = Tri::unknown;     // CU_DEVICE_ATTRIBUTE_GPU_DIRECT_RDMA_SUPPORTED

  // Kernel and NVIDIA kernel modules (sysfs/procfs).
  std::string kernel_release;                   // uname -r / /proc/sys/kernel/osrelease
  Tri kernel_dmabuf_version = Tri::unknown;     // kernel >= 5.12 (RDMA dma-buf MRs)
  Tri kernel_dma_shared_buffer = Tri::unknown;  // CONFIG_DMA_SHARED_BUFFER
  std::string nvidia_driver_version;            // from /proc/driver/nvidia/version ("" when absent)
  Tri nvidia_open_module = Tri::unknown;        // the open kernel module (dma-buf export needs it)
  Tri peermem_loaded = Tri::unknown;            // /sys/module/nvidia_peermem (or legacy nv_peer_mem)

  // The NIC's verbs provider: ibv_reg_dmabuf_mr answers EOPNOTSUPP when it has no dma-buf support.
  Tri nic_dmabuf = Tri::unknown;
  std::string nic;  // the NIC those facts are about

  // From the topology (fp_topo): ACS redirect / ATS notes about the GPU-NIC path ("" if none).
  std::string topology_hint;

  [[nodiscard]] bool cuda_usable() const noexcept { return cuda_built && cuda_driver && cuda_devices > 0; }
  [[nodiscard]] nlohmann::json to_json() const;
};

// Kernel release ("6.1.0-18-amd64") at least major.minor.
[[nodiscard]] bool kernel_at_least(const std::string& release, int major, int minor) noexcept;

// Fills the kernel/module facts from procfs/sysfs under `roots` (fake trees in tests): kernel
// release, CONFIG_DMA_SHARED_BUFFER (/boot/config-RELEASE or /proc/config.gz), the NVIDIA driver
// version and flavour (/proc/driver/nvidia/version) and whether nvidia_peermem is loaded.
void probe_system_facts(GpuCapabilities& caps, const SystemRoots& roots = {}, const std::string& boot_dir = "/boot");

// Copies CUDA's availability and the attributes of `device` (dma-buf, GPUDirect RDMA) into
// `caps` (cuda_built/cuda_driver/cuda_devices/cuda_error/device_dmabuf/device_gdr).
void fill_cuda_capabilities(GpuCapabilities& caps, int device);

// Reads one "CONFIG_X=..." value from a kernel config text ("" when absent or "is not set").
[[nodiscard]] std::string kernel_config_value(const std::string& config_text, const std::string& key);

}  // namespace fabricperf::gdr
