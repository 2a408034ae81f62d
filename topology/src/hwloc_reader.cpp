#include "fabricperf/topology/hwloc_reader.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "fabricperf/error.hpp"
#include "fabricperf/topology/sysfs.hpp"
#include "numbers.hpp"
#include "printable.hpp"

namespace fabricperf::topology {
namespace {

std::string bitmap_list(hwloc_const_bitmap_t set) {
  char* text = nullptr;
  if (hwloc_bitmap_list_asprintf(&text, set) < 0 || text == nullptr) return "";
  std::string out(text);
  std::free(text);
  return out;
}

std::vector<int> bitmap_ids(hwloc_const_bitmap_t set) {
  std::vector<int> ids;
  if (set == nullptr || hwloc_bitmap_iszero(set)) return ids;
  if (hwloc_bitmap_weight(set) < 0) return ids;  // infinite
  for (int i = hwloc_bitmap_first(set); i >= 0; i = hwloc_bitmap_next(set, i)) ids.push_back(i);
  return ids;
}

PciAddress pci_of(const hwloc_obj_attr_u::hwloc_pcidev_attr_s& attr) {
  PciAddress pci;
  pci.domain = attr.domain;
  pci.bus = attr.bus;
  pci.device = attr.dev;
  pci.function = attr.func;
  return pci;
}

// The OS device type as stored. Files from newer hwloc versions put values there that are not
// members of hwloc_obj_osdev_type_e (hwloc 3 uses bit masks, e.g. 48), which hwloc 2 keeps as
// they are: read the raw bits rather than loading an out-of-range enum.
unsigned osdev_type(hwloc_obj_t obj) {
  static_assert(sizeof(obj->attr->osdev.type) == sizeof(unsigned));
  unsigned value = 0;
  std::memcpy(&value, &obj->attr->osdev.type, sizeof value);
  return value;
}
constexpr int kMaxNumaId = 4095;  // Linux: MAX_NUMNODES is at most 1024
constexpr int kMaxPort = 255;     // ibv port numbers are 8 bits
constexpr unsigned kOsdevOpenFabrics = HWLOC_OBJ_OSDEV_OPENFABRICS;
constexpr unsigned kOsdevNetwork = HWLOC_OBJ_OSDEV_NETWORK;

const char* info(hwloc_obj_t obj, const char* name) {
  const char* value = hwloc_obj_get_info_by_name(obj, name);
  return value != nullptr ? value : "";
}

std::string port_state_name(const std::string& code) {
  // enum ibv_port_state
  if (code == "0") return "NOP";
  if (code == "1") return "DOWN";
  if (code == "2") return "INIT";
  if (code == "3") return "ARMED";
  if (code == "4") return "ACTIVE";
  if (code == "5") return "ACTIVE_DEFER";
  return code;
}

class Converter {
 public:
  Converter(hwloc_topology_t h, Topology& t) : h_(h), t_(t) {}

  void run() {
    hwloc_obj_t root = hwloc_get_root_obj(h_);
    root_nodeset_ = root->nodeset != nullptr ? bitmap_list(root->nodeset) : "";
    t_.nodes[0].numa_ids = numa_ids(root->nodeset);
    t_.numa_node_count = hwloc_get_nbobjs_by_type(h_, HWLOC_OBJ_NUMANODE);
    if (t_.numa_node_count < 0) t_.numa_node_count = 0;
    walk_normal(root);
  }

 private:
  void walk_normal(hwloc_obj_t obj) {
    for (hwloc_obj_t io = obj->io_first_child; io != nullptr; io = io->next_sibling) {
      convert_io(io, locality_for(obj), 0);
    }
    for (hwloc_obj_t child = obj->first_child; child != nullptr; child = child->next_sibling) walk_normal(child);
  }

  // The locality node for a normal object: the machine when it covers every NUMA node,
  // otherwise one node per distinct nodeset, nested like hwloc's tree.
  int locality_for(hwloc_obj_t obj) {
    if (obj == nullptr || obj->nodeset == nullptr) return 0;
    const std::string key = bitmap_list(obj->nodeset);
    if (key.empty() || key == root_nodeset_) return 0;
    if (const auto it = localities_.find(key); it != localities_.end()) return it->second;
    const int parent = locality_for(obj->parent);
    Node node;
    node.kind = NodeKind::numa;
    node.numa_ids = numa_ids(obj->nodeset);
    node.label = "NUMA " + key;
    const int index = t_.add_node(std::move(node), parent);
    localities_.emplace(key, index);
    return index;
  }

  // Distinct (bus, device) slots among a bridge's PCI children.
  static int child_slots(hwloc_obj_t bridge) {
    std::set<std::pair<unsigned, unsigned>> slots;
    for (hwloc_obj_t c = bridge->io_first_child; c != nullptr; c = c->next_sibling) {
      if (c->type == HWLOC_OBJ_PCI_DEVICE) {
        slots.emplace(c->attr->pcidev.bus, c->attr->pcidev.dev);
      } else if (c->type == HWLOC_OBJ_BRIDGE && c->attr->bridge.upstream_type == HWLOC_OBJ_BRIDGE_PCI) {
        slots.emplace(c->attr->bridge.upstream.pci.bus, c->attr->bridge.upstream.pci.dev);
      }
    }
    return static_cast<int>(slots.size());
  }

  // position: PCI-to-PCI bridges between this object and its host bridge (0 = on the root bus).
  void convert_io(hwloc_obj_t obj, int parent, int position) {
    switch (obj->type) {
      case HWLOC_OBJ_BRIDGE: {
        const auto& bridge = obj->attr->bridge;
        Node node;
        int child_position = 0;
        if (bridge.upstream_type == HWLOC_OBJ_BRIDGE_HOST) {
          node.kind = NodeKind::host_bridge;
          char label[64];
          std::snprintf(label, sizeof label, "HostBridge %04x:[%02x-%02x]", bridge.downstream.pci.domain,
                        bridge.downstream.pci.secondary_bus, bridge.downstream.pci.subordinate_bus);
          node.label = label;
        } else {
          // PCIe alternates links and switches: root port (1), switch upstream port (2),
          // downstream port (3), upstream port of a nested switch (4), ... A bridge whose bus
          // holds several device slots also behaves as a switch (conventional PCI bridges in VMs).
          const int p = position + 1;
          child_position = p;
          node.kind = (p % 2 == 0 || child_slots(obj) >= 2) ? NodeKind::pci_switch : NodeKind::port;
          node.pci = pci_of(bridge.upstream.pci);
          node.class_id = bridge.upstream.pci.class_id;
          node.vendor_id = bridge.upstream.pci.vendor_id;
          node.device_id = bridge.upstream.pci.device_id;
          node.label = std::string(node.kind == NodeKind::pci_switch ? "Switch " : "Port ") + node.pci->str();
        }
        const int index = t_.add_node(std::move(node), parent);
        for (hwloc_obj_t c = obj->io_first_child; c != nullptr; c = c->next_sibling)
          convert_io(c, index, child_position);
        return;
      }
      case HWLOC_OBJ_PCI_DEVICE:
        convert_pci_device(obj, parent);
        return;
      case HWLOC_OBJ_OS_DEVICE:
        // OS devices outside any PCI device: only RDMA devices matter (e.g. Soft-RoCE).
        if (osdev_type(obj) == kOsdevOpenFabrics && obj->name != nullptr) {
          Nic nic;
          nic.rdma_device = obj->name;
          nic.ports = ports_of(obj);
          t_.nics.push_back(std::move(nic));
        }
        return;
      default:
        return;
    }
  }

  std::vector<NicPort> ports_of(hwloc_obj_t osdev) const {
    std::map<int, NicPort> ports;
    for (unsigned i = 0; i < osdev->infos_count; ++i) {
      const std::string name = osdev->infos[i].name != nullptr ? osdev->infos[i].name : "";
      const std::string value = osdev->infos[i].value != nullptr ? osdev->infos[i].value : "";
      if (name.size() > 9 && name.rfind("Port", 0) == 0 && name.compare(name.size() - 5, 5, "State") == 0) {
        const auto number = detail::parse_unsigned(std::string_view(name).substr(4, name.size() - 9), 10);
        if (!number || *number > kMaxPort) {
          throw UsageError(where() + ": info \"" + detail::printable(name) + "\" of " +
                           detail::printable(osdev->name != nullptr ? osdev->name : "?") +
                           ": the port number is not an integer in 0.." + std::to_string(kMaxPort));
        }
        const int port = static_cast<int>(*number);
        if (port <= 0) continue;
        ports[port].port = port;
        ports[port].state = port_state_name(value);
      }
    }
    std::vector<NicPort> out;
    for (auto& [number, port] : ports) out.push_back(std::move(port));
    return out;
  }

  void convert_pci_device(hwloc_obj_t obj, int parent) {
    const auto& attr = obj->attr->pcidev;
    Node node;
    node.kind = NodeKind::device;
    node.pci = pci_of(attr);
    node.class_id = attr.class_id;
    node.vendor_id = attr.vendor_id;
    node.device_id = attr.device_id;
    node.label = "PCI " + node.pci->str();
    const int index = t_.add_node(std::move(node), parent);

    if (is_nvidia_gpu(attr.class_id, attr.vendor_id)) {
      Gpu gpu;
      gpu.node = index;
      gpu.pci = pci_of(attr);
      gpu.model = info(obj, "PCIDevice");
      for (hwloc_obj_t c = obj->io_first_child; gpu.model.empty() && c != nullptr; c = c->next_sibling) {
        if (c->type == HWLOC_OBJ_OS_DEVICE) gpu.model = info(c, "GPUModel");
      }
      t_.gpus.push_back(std::move(gpu));
      return;
    }

    std::vector<std::string> netdevs;
    std::vector<hwloc_obj_t> rdma;
    for (hwloc_obj_t c = obj->io_first_child; c != nullptr; c = c->next_sibling) {
      if (c->type != HWLOC_OBJ_OS_DEVICE || c->name == nullptr) continue;
      if (osdev_type(c) == kOsdevOpenFabrics) rdma.push_back(c);
      if (osdev_type(c) == kOsdevNetwork) netdevs.emplace_back(c->name);
    }
    const std::string model = info(obj, "PCIDevice");
    for (hwloc_obj_t dev : rdma) {
      Nic nic;
      nic.node = index;
      nic.pci = pci_of(attr);
      nic.rdma_device = dev->name;
      nic.netdevs = netdevs;
      nic.ports = ports_of(dev);
      nic.model = model;
      t_.nics.push_back(std::move(nic));
    }
    if (rdma.empty() && is_rdma_nic_hardware(attr.class_id, attr.vendor_id, attr.device_id)) {
      Nic nic;  // RDMA hardware the export names no OpenFabrics device for
      nic.node = index;
      nic.pci = pci_of(attr);
      nic.netdevs = netdevs;
      nic.model = model;
      t_.nics.push_back(std::move(nic));
    }
  }

  // The input in messages.
  std::string where() const { return t_.input.empty() ? std::string("this machine") : t_.input; }

  // The NUMA node ids of a nodeset, each at most kMaxNumaId: a file could set bits far beyond
  // any machine's NUMA count (e.g. nodeset="0xffffffff,...").
  std::vector<int> numa_ids(hwloc_const_bitmap_t set) const {
    if (set != nullptr && !hwloc_bitmap_iszero(set) && hwloc_bitmap_weight(set) >= 0 &&
        hwloc_bitmap_last(set) > kMaxNumaId) {
      throw UsageError(where() + ": a nodeset names NUMA node " + std::to_string(hwloc_bitmap_last(set)) +
                       ", above the limit of " + std::to_string(kMaxNumaId));
    }
    return bitmap_ids(set);
  }

  hwloc_topology_t h_;
  Topology& t_;
  std::string root_nodeset_;
  std::map<std::string, int> localities_;
};

int count_objects(hwloc_topology_t topo, hwloc_obj_type_t type) {
  return std::max(0, hwloc_get_nbobjs_by_type(topo, type));
}

int count_openfabrics(hwloc_topology_t topo) {
  int count = 0;
  for (hwloc_obj_t obj = hwloc_get_next_osdev(topo, nullptr); obj != nullptr; obj = hwloc_get_next_osdev(topo, obj)) {
    if (osdev_type(obj) == kOsdevOpenFabrics) ++count;
  }
  return count;
}

void census_walk(const XmlElement& element, HwlocXmlCensus& census) {
  if (element.name == "object") {
    const std::string type = element.attribute_or("type", "");
    if (type == "PCIDev") {
      ++census.pci_devices;
    } else if (type == "Bridge") {
      ++census.bridges;
    } else if (type == "OSDev") {
      ++census.os_devices;
      const std::string type_text = element.attribute_or("osdev_type", "");
      if (type_text == "3") ++census.openfabrics;
      if (!(type_text.size() == 1 && type_text[0] >= '0' && type_text[0] <= '5')) ++census.unknown_osdev_types;
    } else if (type == "Machine" && census.hostname.empty()) {
      for (const auto& child : element.children) {
        if (child.name == "info" && child.attribute_or("name", "") == "HostName")
          census.hostname = child.attribute_or("value", "");
      }
    }
  }
  for (const auto& child : element.children) census_walk(child, census);
}

std::string file_stem(const std::string& path) {
  std::string stem = std::filesystem::path(path).filename().string();
  if (const auto dot = stem.find('.'); dot != std::string::npos && dot > 0) stem.resize(dot);
  return stem.empty() ? path : stem;
}

// "hwloc 2.x": the major version of the library this process runs with.
std::string hwloc_name() {
  return "hwloc " + std::to_string(hwloc_get_api_version() >> 16) + ".x";
}

std::string this_hostname() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

}  // namespace

// ---- readers --------------------------------------------------------------------------------------

HwlocXmlCensus census_hwloc_xml(const XmlElement& root) {
  HwlocXmlCensus census;
  census.version = root.attribute_or("version", "");
  census_walk(root, census);
  return census;
}

Topology topology_from_hwloc(hwloc_topology_t topo, SourceKind source, const std::string& input) {
  Topology t;
  t.source = source;
  t.input = input;
  Converter(topo, t).run();
  t.finalize();
  return t;
}

HwlocXmlCensus precheck_hwloc_xml(std::string_view text, const std::string& source) {
  const XmlElement root = parse_xml(text, source);
  if (root.name != "topology") {
    if (root.name == "system") {
      throw UsageError(source +
                       ": this is an NCCL topology file (root <system>), not an lstopo export: use --nccl-topo");
    }
    throw UsageError(source + ": not an lstopo XML export (root element <" + root.name + ">, expected <topology>)");
  }
  HwlocXmlCensus census = census_hwloc_xml(root);
  if (!census.version.empty()) {
    const auto digits = std::string_view(census.version).substr(0, census.version.find('.'));
    const auto parsed = detail::parse_unsigned(digits, 10);
    const int major = parsed && *parsed < 1000 ? static_cast<int>(*parsed) : 0;
    if (major > static_cast<int>(hwloc_get_api_version() >> 16) || major <= 0) {
      throw UsageError(source + ": lstopo XML version " + detail::printable(census.version, 20) +
                       " is not supported by " + hwloc_name() +
                       " (export it with an older lstopo, e.g. lstopo --export-xml-flags v2, or build with hwloc " +
                       std::to_string(major) + ")");
    }
  }
  return census;
}

Topology load_hwloc_xml_text(std::string_view text, const std::string& source) {
  const HwlocXmlCensus census = precheck_hwloc_xml(text, source);
  // hwloc's built-in XML parser (used when its libxml2 plugin is absent) rejects comments, which
  // many published exports carry: hand it the text with comments blanked out.
  const std::string xml = blank_xml_comments(text);
  // libhwloc itself crashes on some malformed exports: try the load in a child process first.
  probe_hwloc_xml(xml, source);
  HwlocTopology h;
  h.keep_all_io();
  h.use_xml_buffer(xml);
  try {
    h.load();
  } catch (const Error& e) {
    throw UsageError(source + ": " + hwloc_name() + " cannot read this lstopo export (" + e.what() + ")");
  }

  const int pci_loaded = count_objects(h.get(), HWLOC_OBJ_PCI_DEVICE);
  const int bridges_loaded = count_objects(h.get(), HWLOC_OBJ_BRIDGE);
  if (pci_loaded < census.pci_devices || bridges_loaded < census.bridges) {
    throw UsageError(source + ": hwloc loaded only " + std::to_string(pci_loaded) + " of " +
                     std::to_string(census.pci_devices) + " PCI devices and " + std::to_string(bridges_loaded) +
                     " of " + std::to_string(census.bridges) +
                     " bridges; it drops objects it does not understand, so the topology would be incomplete");
  }
  Topology t = topology_from_hwloc(h.get(), SourceKind::hwloc_xml, source);
  const int os_loaded = count_objects(h.get(), HWLOC_OBJ_OS_DEVICE);
  if (os_loaded < census.os_devices) {
    t.warnings.push_back("hwloc loaded " + std::to_string(os_loaded) + " of the " + std::to_string(census.os_devices) +
                         " OS devices in the file: NIC names may be missing");
  }
  const int ofed_loaded = count_openfabrics(h.get());
  if (ofed_loaded < census.openfabrics) {
    t.warnings.push_back("hwloc loaded " + std::to_string(ofed_loaded) + " of the " +
                         std::to_string(census.openfabrics) + " RDMA (OpenFabrics) devices in the file");
  }
  if (census.unknown_osdev_types > 0) {
    t.warnings.push_back(std::to_string(census.unknown_osdev_types) + " OS device(s) have an osdev_type " +
                         hwloc_name() +
                         " does not know (file from a newer hwloc?): RDMA devices among them are recognised by PCI "
                         "vendor only, without their names");
  }
  t.host = census.hostname.empty() ? file_stem(source) : census.hostname;
  return t;
}

Topology load_hwloc_xml(const std::string& path) {
  return load_hwloc_xml_text(read_text_file(path, "hwloc XML", kMaxHwlocXmlBytes), path);
}

void augment_from_sysfs(Topology& t, const SystemRoots& roots) {
  auto node_with_pci = [&](const PciAddress& pci) {
    for (std::size_t i = 0; i < t.nodes.size(); ++i) {
      if (t.nodes[i].kind == NodeKind::device && t.nodes[i].pci == pci) return static_cast<int>(i);
    }
    return -1;
  };
  for (RdmaDevice& dev : read_rdma_devices(roots.sys)) {
    Nic* match = nullptr;
    for (Nic& nic : t.nics) {
      if (nic.rdma_device == dev.name || (nic.rdma_device.empty() && dev.pci && nic.pci == dev.pci)) {
        match = &nic;
        break;
      }
    }
    if (match == nullptr) {
      t.nics.emplace_back();
      match = &t.nics.back();
    }
    Nic& nic = *match;
    nic.rdma_device = dev.name;
    nic.id = dev.name;
    if (!dev.ports.empty()) nic.ports = dev.ports;
    if (nic.netdevs.empty()) nic.netdevs = dev.netdevs;
    if (!nic.pci) nic.pci = dev.pci ? dev.pci : dev.netdev_pci;
    if (nic.node < 0 && nic.pci) nic.node = node_with_pci(*nic.pci);
    nic.kind.clear();
    nic.card.clear();
  }
  t.finalize();
  for (Gpu& gpu : t.gpus) {
    if (gpu.numa < 0) gpu.numa = read_pci_numa_node(roots.sys, gpu.pci);
  }
  for (Nic& nic : t.nics) {
    if (nic.numa < 0 && nic.pci) nic.numa = read_pci_numa_node(roots.sys, *nic.pci);
  }
}

Topology load_live(const LiveOptions& options) {
  HwlocTopology h;
  h.keep_all_io();
  h.load();
  Topology t = topology_from_hwloc(h.get(), SourceKind::live, "");
  if (!hwloc_topology_is_thissystem(h.get())) {
    t.warnings.emplace_back(
        "hwloc did not read this machine (HWLOC_XMLFILE, HWLOC_SYNTHETIC or HWLOC_FSROOT set?): the live checks "
        "still read this machine's sysfs");
  }
  if (count_objects(h.get(), HWLOC_OBJ_PCI_DEVICE) == 0) {
    t.warnings.emplace_back(
        "hwloc found no PCI device (a container without /sys/bus/pci?): GPUs and NICs may be missing");
  }
  augment_from_sysfs(t, options.roots);
  t.host = this_hostname();
  return t;
}

}  // namespace fabricperf::topology
