#include "fabricperf/verbs/affinity.hpp"

#include <pthread.h>
#include <sched.h>

#include <filesystem>
#include <sstream>

#include "fabricperf/error.hpp"
#include "fabricperf/host_info.hpp"

namespace fabricperf::verbs {

std::vector<int> parse_cpulist(const std::string& text) {
  std::vector<int> cpus;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (part.empty()) continue;
    try {
      std::size_t used = 0;
      const auto dash = part.find('-');
      if (dash == std::string::npos) {
        cpus.push_back(std::stoi(part, &used));
        if (used != part.size()) throw std::invalid_argument(part);
      } else {
        const int lo = std::stoi(part.substr(0, dash));
        const int hi = std::stoi(part.substr(dash + 1));
        if (lo > hi || lo < 0) throw std::invalid_argument(part);
        for (int c = lo; c <= hi; ++c) cpus.push_back(c);
      }
    } catch (const std::exception&) {
      throw UsageError("malformed CPU list '" + text + "'");
    }
  }
  return cpus;
}

namespace {
int parse_numa_node(const std::string& text) {
  try {
    return text.empty() ? -1 : std::stoi(text);
  } catch (const std::exception&) {
    return -1;
  }
}
}  // namespace

int device_numa_node(const std::string& device, const std::string& netdev, const std::string& sys_root) {
  namespace fs = std::filesystem;
  const std::string own = read_first_line(sys_root + "/class/infiniband/" + device + "/device/numa_node");
  if (!own.empty() || netdev.empty()) return parse_numa_node(own);
  std::error_code ec;
  const fs::path root = fs::canonical(sys_root, ec);
  if (ec) return -1;
  for (fs::path dir = fs::canonical(fs::path(sys_root) / "class" / "net" / netdev / "device", ec);
       !ec && dir.has_relative_path() && dir != root; dir = dir.parent_path()) {
    const std::string numa = read_first_line((dir / "numa_node").string());
    if (!numa.empty()) return parse_numa_node(numa);
  }
  return -1;
}

Pinning pin_current_thread(std::optional<int> cpu, int numa_node, const std::string& sys_root) {
  Pinning p;
  if (cpu) {
    p.cpus = {*cpu};
    p.how = "cpu " + std::to_string(*cpu);
  } else if (numa_node >= 0) {
    const std::string list =
        read_first_line(sys_root + "/devices/system/node/node" + std::to_string(numa_node) + "/cpulist");
    if (list.empty()) return {"none (no cpulist for NUMA node " + std::to_string(numa_node) + ")", {}};
    p.cpus = parse_cpulist(list);
    p.how = "numa node " + std::to_string(numa_node) + " (cpus " + list + ")";
  } else {
    return {"none (device NUMA node unknown)", {}};
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : p.cpus)
    if (c >= 0 && c < CPU_SETSIZE) CPU_SET(c, &set);
  if (int rc = pthread_setaffinity_np(pthread_self(), sizeof set, &set); rc != 0) {
    if (cpu) throw_errno("pinning to CPU " + std::to_string(*cpu), rc);
    return {"none (pinning to NUMA node " + std::to_string(numa_node) + " failed)", {}};
  }
  return p;
}

}  // namespace fabricperf::verbs
