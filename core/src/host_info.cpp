#include "fabricperf/host_info.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "fabricperf/input_file.hpp"
#include "fabricperf/version.hpp"

namespace fs = std::filesystem;

namespace fabricperf {
namespace {

std::vector<std::string> sorted_entries(const fs::path& dir) {
  return sorted_directory_entries(dir.string());
}

// "4: ACTIVE" -> "ACTIVE"
std::string strip_state_number(const std::string& state) {
  const auto colon = state.find(": ");
  return colon == std::string::npos ? state : state.substr(colon + 2);
}

std::string os_pretty_name(const std::string& etc) {
  std::ifstream in(etc + "/os-release");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("PRETTY_NAME=", 0) == 0) {
      std::string value = line.substr(12);
      value.erase(std::remove(value.begin(), value.end(), '"'), value.end());
      return value;
    }
  }
  return "";
}

nlohmann::json describe_port(const fs::path& port_dir, const std::string& port) {
  const std::string rate = read_first_line((port_dir / "rate").string());
  nlohmann::json j = {{"port", std::stoi(port)},
                      {"state", strip_state_number(read_first_line((port_dir / "state").string()))},
                      {"phys_state", strip_state_number(read_first_line((port_dir / "phys_state").string()))},
                      {"link_layer", read_first_line((port_dir / "link_layer").string())},
                      {"rate", rate},
                      {"rate_gbps", parse_ib_rate_gbps(rate)}};
  return j;
}

nlohmann::json describe_device(const fs::path& dev_dir, const std::string& name) {
  nlohmann::json ports = nlohmann::json::array();
  for (const auto& port : sorted_entries(dev_dir / "ports")) {
    if (std::all_of(port.begin(), port.end(), ::isdigit)) ports.push_back(describe_port(dev_dir / "ports" / port, port));
  }
  nlohmann::json netdevs = nlohmann::json::array();
  for (const auto& netdev : sorted_entries(dev_dir / "device" / "net")) netdevs.push_back(netdev);
  std::string pci;
  std::error_code ec;
  const fs::path device_link = fs::read_symlink(dev_dir / "device", ec);
  if (!ec) pci = device_link.filename().string();
  return {{"name", name},
          {"node_type", read_first_line((dev_dir / "node_type").string())},
          {"fw_ver", read_first_line((dev_dir / "fw_ver").string())},
          {"node_guid", read_first_line((dev_dir / "node_guid").string())},
          {"pci", pci},
          {"netdevs", netdevs},
          {"ports", ports}};
}

}  // namespace

std::string read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return "";
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
  return line;
}

double parse_ib_rate_gbps(const std::string& rate) {
  try {
    std::size_t used = 0;
    const double value = std::stod(rate, &used);
    return used > 0 ? value : 0.0;
  } catch (const std::exception&) {
    return 0.0;
  }
}

nlohmann::json list_rdma_devices(const SystemRoots& roots) {
  nlohmann::json devices = nlohmann::json::array();
  const fs::path base = fs::path(roots.sys) / "class" / "infiniband";
  for (const auto& name : sorted_entries(base)) devices.push_back(describe_device(base / name, name));
  return devices;
}

nlohmann::json collect_host_info(const SystemRoots& roots) {
  char hostname[256] = {};
  ::gethostname(hostname, sizeof hostname - 1);
  utsname uts{};
  ::uname(&uts);
  nlohmann::json host = {{"hostname", hostname},
                         {"kernel", uts.release},
                         {"os", os_pretty_name(roots.etc)},
                         {"rdma_core_version", std::string(kRdmaCoreBuildVersion)},
                         {"rdma_devices", list_rdma_devices(roots)}};
  std::string nvidia = read_first_line(roots.sys + "/module/nvidia/version");
  if (!nvidia.empty()) host["nvidia_driver"] = nvidia;
  std::error_code ec;
  if (fs::exists(roots.sys + "/module/nvidia_peermem", ec)) host["nvidia_peermem"] = true;
  return host;
}

}  // namespace fabricperf
