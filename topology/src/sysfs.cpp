#include "fabricperf/topology/sysfs.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "fabricperf/input_file.hpp"
#include "fabricperf/version.hpp"

namespace fs = std::filesystem;

namespace fabricperf::topology {
namespace {

fs::path pci_dir(const std::string& sys_root, const PciAddress& pci) {
  return fs::path(sys_root) / "bus" / "pci" / "devices" / pci.str();
}

std::vector<std::string> sorted_entries(const fs::path& dir) {
  return sorted_directory_entries(dir.string());
}

int parse_int(const std::string& text, int fallback) {
  try {
    std::size_t used = 0;
    const int value = std::stoi(text, &used);
    return used > 0 ? value : fallback;
  } catch (const std::exception&) {
    return fallback;
  }
}

// "4: ACTIVE" -> "ACTIVE"
std::string strip_state_number(const std::string& state) {
  const auto colon = state.find(": ");
  return colon == std::string::npos ? state : state.substr(colon + 2);
}

// The last path component that is a PCI address, walking the resolved path of a sysfs link.
std::optional<PciAddress> pci_in_path(const fs::path& link) {
  std::error_code ec;
  const fs::path resolved = fs::canonical(link, ec);
  if (ec) return std::nullopt;
  std::optional<PciAddress> found;
  for (const auto& part : resolved) {
    if (auto pci = PciAddress::parse(part.string()); pci && part.string().find(':') != std::string::npos) found = pci;
  }
  return found;
}

std::uint16_t read_u16(std::span<const std::uint8_t> config, std::size_t offset) {
  return static_cast<std::uint16_t>(config[offset] | (config[offset + 1] << 8));
}
std::uint32_t read_u32(std::span<const std::uint8_t> config, std::size_t offset) {
  return static_cast<std::uint32_t>(config[offset]) | (static_cast<std::uint32_t>(config[offset + 1]) << 8) |
         (static_cast<std::uint32_t>(config[offset + 2]) << 16) | (static_cast<std::uint32_t>(config[offset + 3]) << 24);
}

std::optional<ExtendedCapability> find_capability(std::span<const std::uint8_t> config, std::uint16_t id) {
  for (const auto& cap : extended_capabilities(config)) {
    if (cap.id == id) return cap;
  }
  return std::nullopt;
}

}  // namespace

double parse_link_speed_gts(const std::string& text) {
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == 0 || value <= 0) return 0;
    return text.find("GT/s", used) != std::string::npos ? value : 0;
  } catch (const std::exception&) {
    return 0;
  }
}

std::optional<PcieLink> read_pcie_link(const std::string& sys_root, const PciAddress& pci) {
  const fs::path dir = pci_dir(sys_root, pci);
  std::error_code ec;
  if (!fs::exists(dir, ec)) return std::nullopt;
  PcieLink link;
  link.current_gts = parse_link_speed_gts(read_first_line((dir / "current_link_speed").string()));
  link.max_gts = parse_link_speed_gts(read_first_line((dir / "max_link_speed").string()));
  link.current_width = std::max(0, parse_int(read_first_line((dir / "current_link_width").string()), 0));
  link.max_width = std::max(0, parse_int(read_first_line((dir / "max_link_width").string()), 0));
  return link;
}

int read_pci_numa_node(const std::string& sys_root, const PciAddress& pci) {
  return parse_int(read_first_line((pci_dir(sys_root, pci) / "numa_node").string()), -1);
}

std::optional<std::vector<std::uint8_t>> read_config_space(const std::string& sys_root, const PciAddress& pci) {
  std::ifstream in(pci_dir(sys_root, pci) / "config", std::ios::binary);
  if (!in) return std::nullopt;
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return bytes;
}

std::vector<ExtendedCapability> extended_capabilities(std::span<const std::uint8_t> config) {
  std::vector<ExtendedCapability> caps;
  if (!has_extended_config(config)) return caps;
  std::set<std::size_t> seen;
  std::size_t offset = 0x100;
  while (offset >= 0x100 && offset + 4 <= config.size() && seen.insert(offset).second) {
    const std::uint32_t header = read_u32(config, offset);
    if (header == 0 || header == 0xffffffffU) break;
    caps.push_back(ExtendedCapability{static_cast<std::uint16_t>(header & 0xffff),
                                      static_cast<std::uint8_t>((header >> 16) & 0xf),
                                      static_cast<std::uint16_t>(offset)});
    offset = (header >> 20) & 0xffc;
  }
  return caps;
}

std::optional<AcsState> parse_acs(std::span<const std::uint8_t> config) {
  const auto cap = find_capability(config, kExtCapAcs);
  if (!cap || cap->offset + 8u > config.size()) return std::nullopt;
  return AcsState{read_u16(config, cap->offset + 4u), read_u16(config, cap->offset + 6u)};
}

std::optional<AtsState> parse_ats(std::span<const std::uint8_t> config) {
  const auto cap = find_capability(config, kExtCapAts);
  if (!cap || cap->offset + 8u > config.size()) return std::nullopt;
  return AtsState{read_u16(config, cap->offset + 4u), read_u16(config, cap->offset + 6u)};
}

std::vector<RdmaDevice> read_rdma_devices(const std::string& sys_root) {
  std::vector<RdmaDevice> devices;
  const fs::path base = fs::path(sys_root) / "class" / "infiniband";
  for (const auto& name : sorted_entries(base)) {
    const fs::path dir = base / name;
    RdmaDevice dev;
    dev.name = name;
    dev.node_type = read_first_line((dir / "node_type").string());
    std::error_code ec;
    const fs::path device_link = fs::read_symlink(dir / "device", ec);
    if (!ec) dev.pci = PciAddress::parse(device_link.filename().string());
    if (dev.pci) {
      for (const auto& netdev : sorted_entries(dir / "device" / "net")) dev.netdevs.push_back(netdev);
    }
    std::set<std::string> gid_netdevs;
    for (const auto& port : sorted_entries(dir / "ports")) {
      if (port.empty() || !std::all_of(port.begin(), port.end(), ::isdigit)) continue;
      const fs::path port_dir = dir / "ports" / port;
      NicPort p;
      p.port = parse_int(port, 1);
      p.state = strip_state_number(read_first_line((port_dir / "state").string()));
      p.link_layer = read_first_line((port_dir / "link_layer").string());
      p.rate = read_first_line((port_dir / "rate").string());
      p.rate_gbps = parse_ib_rate_gbps(p.rate);
      dev.ports.push_back(std::move(p));
      for (const auto& gid : sorted_entries(port_dir / "gid_attrs" / "ndevs")) {
        const std::string netdev = read_first_line((port_dir / "gid_attrs" / "ndevs" / gid).string());
        if (!netdev.empty()) gid_netdevs.insert(netdev);
      }
    }
    if (dev.netdevs.empty()) dev.netdevs.assign(gid_netdevs.begin(), gid_netdevs.end());
    if (!dev.pci && !dev.netdevs.empty()) {
      dev.netdev_pci = pci_in_path(fs::path(sys_root) / "class" / "net" / dev.netdevs.front() / "device");
    }
    devices.push_back(std::move(dev));
  }
  return devices;
}

std::pair<int, int> parse_major_minor(const std::string& version) {
  int major = 0;
  int minor = 0;
  std::size_t i = 0;
  while (i < version.size() && !std::isdigit(static_cast<unsigned char>(version[i]))) ++i;
  while (i < version.size() && std::isdigit(static_cast<unsigned char>(version[i]))) major = major * 10 + (version[i++] - '0');
  if (i < version.size() && version[i] == '.') {
    ++i;
    while (i < version.size() && std::isdigit(static_cast<unsigned char>(version[i]))) minor = minor * 10 + (version[i++] - '0');
  }
  return {major, minor};
}

std::string PeerMemoryStatus::dmabuf_missing() const {
  std::vector<std::string> missing;
  const auto [kmajor, kminor] = parse_major_minor(kernel);
  if (kmajor < 5 || (kmajor == 5 && kminor < 12)) missing.push_back("Linux " + (kernel.empty() ? "?" : kernel) + " < 5.12");
  if (kernel_dmabuf && !*kernel_dmabuf) missing.push_back("kernel built without CONFIG_DMA_SHARED_BUFFER");
  if (nvidia_driver.empty()) {
    missing.push_back("NVIDIA driver not loaded");
  } else {
    if (parse_major_minor(nvidia_driver).first < 515) missing.push_back("NVIDIA driver " + nvidia_driver + " < 515");
    if (!open_kernel_module) missing.push_back("NVIDIA proprietary kernel module (dma-buf needs the open kernel modules)");
  }
  if (const auto [rmajor, rminor] = parse_major_minor(rdma_core); rmajor < 34) {
    missing.push_back("rdma-core " + (rdma_core.empty() ? "?" : rdma_core) + " < 34");
  }
  std::string text;
  for (const auto& m : missing) text += (text.empty() ? "" : "; ") + m;
  return text;
}

bool PeerMemoryStatus::dmabuf_possible() const { return dmabuf_missing().empty(); }

PeerMemoryStatus read_peer_memory_status(const SystemRoots& roots, const std::string& boot_dir) {
  PeerMemoryStatus status;
  std::error_code ec;
  status.nvidia_peermem = fs::exists(fs::path(roots.sys) / "module" / "nvidia_peermem", ec);
  status.nv_peer_mem = fs::exists(fs::path(roots.sys) / "module" / "nv_peer_mem", ec);
  status.nvidia_driver = read_first_line(roots.sys + "/module/nvidia/version");
  {
    std::ifstream in(roots.proc + "/driver/nvidia/version");
    std::string line;
    while (std::getline(in, line)) {
      if (line.find("Open Kernel Module") != std::string::npos) status.open_kernel_module = true;
    }
  }
  status.kernel = read_first_line(roots.proc + "/sys/kernel/osrelease");
  if (!status.kernel.empty()) {
    std::ifstream config(boot_dir + "/config-" + status.kernel);
    if (config) {
      status.kernel_dmabuf = false;
      std::string line;
      while (std::getline(config, line)) {
        if (line == "CONFIG_DMA_SHARED_BUFFER=y") status.kernel_dmabuf = true;
      }
    }
  }
  status.rdma_core = std::string(kRdmaCoreBuildVersion);
  return status;
}

}  // namespace fabricperf::topology
