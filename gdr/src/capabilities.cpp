#include "fabricperf/gdr/capabilities.hpp"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fabricperf/gdr/cuda.hpp"

#if FABRICPERF_GDR_HAVE_ZLIB
#include <zlib.h>
#endif

namespace fabricperf::gdr {

namespace fs = std::filesystem;

namespace {

nlohmann::json tri_json(Tri t) {
  if (t == Tri::unknown) return nullptr;
  return t == Tri::yes;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string read_gzip_text(const fs::path& path) {
#if FABRICPERF_GDR_HAVE_ZLIB
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return {};
  std::string out;
  char chunk[16384];
  int n = 0;
  while ((n = gzread(f, chunk, sizeof chunk)) > 0) out.append(chunk, static_cast<std::size_t>(n));
  gzclose(f);
  return out;
#else
  (void)path;
  return {};
#endif
}

}  // namespace

nlohmann::json GpuCapabilities::to_json() const {
  nlohmann::json j{{"cuda_built", cuda_built},
                   {"cuda_driver", cuda_driver},
                   {"cuda_devices", cuda_devices},
                   {"device_dmabuf", tri_json(device_dmabuf)},
                   {"device_gpudirect_rdma", tri_json(device_gdr)},
                   {"kernel", kernel_release},
                   {"kernel_dmabuf_version", tri_json(kernel_dmabuf_version)},
                   {"kernel_dma_shared_buffer", tri_json(kernel_dma_shared_buffer)},
                   {"nvidia_driver", nvidia_driver_version},
                   {"nvidia_open_module", tri_json(nvidia_open_module)},
                   {"nvidia_peermem_loaded", tri_json(peermem_loaded)},
                   {"nic_dmabuf", tri_json(nic_dmabuf)}};
  if (!cuda_error.empty()) j["cuda_error"] = cuda_error;
  if (!nic.empty()) j["nic"] = nic;
  if (!topology_hint.empty()) j["topology_hint"] = topology_hint;
  return j;
}

bool kernel_at_least(const std::string& release, int major, int minor) noexcept {
  int ma = 0, mi = 0;
  if (std::sscanf(release.c_str(), "%d.%d", &ma, &mi) != 2) return false;
  return ma > major || (ma == major && mi >= minor);
}

std::string kernel_config_value(const std::string& config_text, const std::string& key) {
  const std::string prefix = key + "=";
  std::istringstream in(config_text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
  }
  return {};
}

void probe_system_facts(GpuCapabilities& caps, const SystemRoots& roots, const std::string& boot_dir) {
  caps.kernel_release = read_first_line(roots.proc + "/sys/kernel/osrelease");
  if (!caps.kernel_release.empty()) caps.kernel_dmabuf_version = tri(kernel_at_least(caps.kernel_release, 5, 12));

  // The kernel configuration: /boot/config-RELEASE (Debian, RHEL) or /proc/config.gz.
  std::string config;
  if (!caps.kernel_release.empty()) config = read_text(fs::path(boot_dir) / ("config-" + caps.kernel_release));
  if (config.empty()) config = read_gzip_text(roots.proc + "/config.gz");
  if (!config.empty()) {
    const std::string v = kernel_config_value(config, "CONFIG_DMA_SHARED_BUFFER");
    caps.kernel_dma_shared_buffer = tri(v == "y" || v == "m");
  }

  // "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.54.15  Release Build ..."
  const std::string nv = read_first_line(roots.proc + "/driver/nvidia/version");
  if (!nv.empty()) {
    caps.nvidia_open_module = tri(nv.find("Open Kernel Module") != std::string::npos);
    std::istringstream words(nv);
    std::string w;
    while (words >> w) {
      if (!w.empty() && std::isdigit(static_cast<unsigned char>(w[0])) && w.find('.') != std::string::npos) {
        caps.nvidia_driver_version = w;
        break;
      }
    }
  }

  std::error_code ec;
  const fs::path modules = fs::path(roots.sys) / "module";
  if (fs::is_directory(modules, ec)) {
    caps.peermem_loaded = tri(fs::exists(modules / "nvidia_peermem", ec) || fs::exists(modules / "nv_peer_mem", ec));
  }
}

void fill_cuda_capabilities(GpuCapabilities& caps, int device) {
  const cuda::Availability a = cuda::availability();
  caps.cuda_built = a.built;
  caps.cuda_driver = a.driver;
  caps.cuda_driver_too_old = a.driver_too_old;
  caps.cuda_devices = a.devices;
  caps.cuda_error = a.error;
  if (!a.usable() || device < 0 || device >= a.devices) return;
  const cuda::DeviceAttributes attrs = cuda::device_attributes(device);
  caps.device_dmabuf = attrs.dmabuf;
  caps.device_gdr = attrs.gpudirect_rdma;
}

}  // namespace fabricperf::gdr
