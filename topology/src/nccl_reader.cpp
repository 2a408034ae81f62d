#include "fabricperf/topology/nccl_reader.hpp"

#include <cstdio>
#include <filesystem>
#include <set>

#include "fabricperf/error.hpp"
#include "fabricperf/host_info.hpp"
#include "fabricperf/topology/xml.hpp"
#include "numbers.hpp"
#include "printable.hpp"

namespace fabricperf::topology {
namespace {

using detail::parse_finite;
using detail::parse_unsigned;

// Ranges of the numbers an NCCL topology holds (anything outside is refused, naming the file,
// the line, the element, the attribute and the value).
constexpr std::uint64_t kMaxNumaId = 4095;     // Linux: MAX_NUMNODES is at most 1024
constexpr std::uint64_t kMaxPort = 255;        // ibv port numbers are 8 bits
constexpr double kMaxSpeedMbps = 1e8;          // 100 Tb/s (NCCL writes Mb/s; 400G = 400000)
constexpr std::uint64_t kMaxClass = 0xffffff;  // class with prog-if
constexpr std::uint64_t kMaxId = 0xffff;       // PCI vendor and device ids

class Builder {
 public:
  Builder(Topology& t, const std::string& source) : t_(t), source_(source) {}

  void system(const XmlElement& root) {
    if (root.name != "system") {
      if (root.name == "topology") {
        throw UsageError(source_ +
                         ": this is an lstopo export (root <topology>), not an NCCL topology: use --hwloc-xml");
      }
      throw UsageError(source_ + ": not an NCCL topology file (root element <" + root.name + ">, expected <system>)");
    }
    int cpus = 0;
    for (const auto& child : root.children) {
      if (child.name == "cpu") {
        cpu(child);
        ++cpus;
      }
    }
    if (cpus == 0) throw UsageError(source_ + ": NCCL topology has no <cpu> element");
    t_.numa_node_count = static_cast<int>(numa_seen_.size());
    t_.nodes[0].numa_ids.assign(numa_seen_.begin(), numa_seen_.end());
  }

 private:
  [[noreturn]] void fail(const XmlElement& e, const std::string& what) const {
    throw UsageError(source_ + ":" + std::to_string(e.line) + ": " + what);
  }

  [[noreturn]] void bad_value(const XmlElement& e, std::string_view attr, const std::string& value,
                              const std::string& wanted) const {
    fail(e, "<" + e.name + " " + std::string(attr) + "=\"" + detail::printable(value, 40) + "\">: " + wanted);
  }

  // An unsigned attribute in [0, max]; `fallback` when absent.
  std::uint64_t number(const XmlElement& e, std::string_view attr, int base, std::uint64_t max,
                       std::uint64_t fallback) const {
    const std::string* text = e.attribute(attr);
    if (text == nullptr) return fallback;
    const auto value = parse_unsigned(*text, base);
    if (!value || *value > max) {
      char range[48];
      std::snprintf(range, sizeof range, base == 16 ? "a hexadecimal number in 0..0x%llx" : "an integer in 0..%llu",
                    static_cast<unsigned long long>(max));
      bad_value(e, attr, *text, std::string("want ") + range);
    }
    return *value;
  }

  // "0x030200" (class with prog-if) or "0x0302" -> 0x0302.
  std::uint16_t pci_class(const XmlElement& e) const {
    const std::string* text = e.attribute("class");
    if (text == nullptr || text->empty()) return 0;
    const std::uint64_t value = number(e, "class", 16, kMaxClass, 0);
    const std::size_t digits = text->size() - (text->rfind("0x", 0) == 0 || text->rfind("0X", 0) == 0 ? 2 : 0);
    return static_cast<std::uint16_t>(digits > 4 ? value >> 8 : value);
  }
  std::uint16_t pci_id(const XmlElement& e, std::string_view attr) const {
    const std::string* text = e.attribute(attr);
    if (text == nullptr || text->empty()) return 0;
    return static_cast<std::uint16_t>(number(e, attr, 16, kMaxId, 0));
  }

  void cpu(const XmlElement& e) {
    const std::string* numaid = e.attribute("numaid");
    Node locality;
    locality.kind = NodeKind::numa;
    int numa = -1;
    if (numaid != nullptr) {
      numa = static_cast<int>(number(e, "numaid", 10, kMaxNumaId, 0));
      locality.numa_ids.push_back(numa);
      numa_seen_.insert(numa);
      locality.label = "NUMA " + std::to_string(numa);
    } else {
      locality.label = "CPU (no numaid)";
    }
    const int loc = t_.add_node(std::move(locality), 0);
    Node root_complex;
    root_complex.kind = NodeKind::host_bridge;
    root_complex.label = "CPU " + (numaid ? *numaid : std::string("?")) + " root complex";
    const int rc = t_.add_node(std::move(root_complex), loc);
    for (const auto& child : e.children) {
      if (child.name == "pci") {
        pci(child, rc);
      } else if (child.name == "nic") {
        nic_element(child, -1, std::nullopt);  // a NIC NCCL could not place in PCI
      }
    }
  }

  void pci(const XmlElement& e, int parent) {
    const std::string busid = e.attribute_or("busid", "");
    const auto address = PciAddress::parse(busid);
    if (!address) fail(e, "<pci> with a bad busid \"" + detail::printable(busid, 40) + "\"");
    Node node;
    node.pci = address;
    node.class_id = pci_class(e);
    node.vendor_id = pci_id(e, "vendor");
    node.device_id = pci_id(e, "device");
    bool has_gpu = false;
    const XmlElement* nic = nullptr;
    for (const auto& child : e.children) {
      if (child.name == "gpu") has_gpu = true;
      if (child.name == "nic") nic = &child;
    }
    const bool bridge = is_bridge_class(node.class_id) && !has_gpu && nic == nullptr;
    node.kind = bridge ? NodeKind::pci_switch : NodeKind::device;
    node.label = std::string(bridge ? "Switch " : "PCI ") + address->str();
    const std::uint16_t class_id = node.class_id;
    const std::uint16_t vendor = node.vendor_id;
    const std::uint16_t device = node.device_id;
    const int index = t_.add_node(std::move(node), parent);
    if (bridge) {
      for (const auto& child : e.children) {
        if (child.name == "pci") pci(child, index);
      }
      return;
    }
    // A GPU: a <gpu> child, or a display-class function from NVIDIA (or of unknown vendor:
    // cloud files often leave the vendor out). NVSwitches (0x0680) are neither.
    if (has_gpu || (is_display_class(class_id) && (vendor == kVendorNvidia || vendor == 0))) {
      Gpu gpu;
      gpu.node = index;
      gpu.pci = *address;
      t_.gpus.push_back(gpu);
      return;
    }
    if (nic != nullptr) {
      nic_element(*nic, index, address);
      return;
    }
    // A network function with no <nic> child: RDMA hardware by vendor, or any network function
    // of unknown vendor (e.g. Azure's 0x020700 InfiniBand entries).
    if (is_rdma_nic_hardware(class_id, vendor, device) || (is_network_class(class_id) && vendor == 0)) {
      Nic n;
      n.node = index;
      n.pci = *address;
      t_.nics.push_back(std::move(n));
    }
  }

  // NCCL's socket transport (a plain netdev such as eth0): gdr="0", or a GUID of 0.
  static bool is_socket_transport(const XmlElement& net) {
    if (net.attribute_or("gdr", "") == "0") return true;
    const std::string* guid = net.attribute("guid");
    if (guid == nullptr) return false;
    const auto value = parse_unsigned(*guid, 16);
    return value && *value == 0;
  }

  void nic_element(const XmlElement& e, int node, std::optional<PciAddress> address) {
    int nets = 0;
    for (const auto& net : e.children) {
      if (net.name != "net") continue;
      ++nets;
      if (!address && is_socket_transport(net)) {
        t_.warnings.push_back(source_ + ":" + std::to_string(net.line) + ": <net name=\"" +
                              detail::printable(net.attribute_or("name", ""), 40) +
                              "\"> has no PCI device and no GPUDirect (gdr=\"0\" or guid 0): NCCL's socket "
                              "transport, not an RDMA NIC; ignored");
        continue;
      }
      Nic n;
      n.node = node;
      n.pci = address;
      n.rdma_device = net.attribute_or("name", "");
      NicPort port;
      port.port = std::max(1, static_cast<int>(number(net, "port", 10, kMaxPort, 1)));
      // NCCL's speed is in Mb/s.
      if (const std::string* speed = net.attribute("speed"); speed != nullptr) {
        const auto mbps = parse_finite(*speed);
        if (!mbps || *mbps < 0 || *mbps > kMaxSpeedMbps) {
          bad_value(net, "speed", *speed, "want a speed in Mb/s in 0..100000000");
        }
        if (*mbps > 0) {
          port.rate_gbps = *mbps / 1000.0;
          port.rate = std::to_string(static_cast<long>(port.rate_gbps)) + " Gb/sec";
        }
      }
      n.ports.push_back(std::move(port));
      if (n.rdma_device.empty() && !n.pci) fail(net, "<net> without a name outside any <pci>");
      t_.nics.push_back(std::move(n));
    }
    if (nets == 0 && address) {
      Nic n;
      n.node = node;
      n.pci = address;
      t_.nics.push_back(std::move(n));
    }
  }

  Topology& t_;
  const std::string& source_;
  std::set<int> numa_seen_;
};

}  // namespace

Topology parse_nccl_topo(std::string_view xml, const std::string& source) {
  const XmlElement root = parse_xml(xml, source);
  Topology t;
  t.source = SourceKind::nccl_topo;
  t.input = source;
  Builder(t, source).system(root);
  std::string stem = std::filesystem::path(source).filename().string();
  if (const auto dot = stem.find('.'); dot != std::string::npos && dot > 0) stem.resize(dot);
  t.host = stem.empty() ? source : stem;
  t.finalize();
  return t;
}

Topology load_nccl_topo(const std::string& path) {
  return parse_nccl_topo(read_text_file(path, "NCCL topology", kMaxNcclTopoBytes), path);
}

}  // namespace fabricperf::topology
