// HwlocTopology: RAII owner of one hwloc_topology_t.
#include <cerrno>

#include "fabricperf/error.hpp"
#include "fabricperf/topology/hwloc_reader.hpp"

namespace fabricperf::topology {

HwlocTopology::HwlocTopology() {
  if (hwloc_topology_init(&topo_) != 0) throw_errno("initialising hwloc", errno);
}

HwlocTopology::~HwlocTopology() {
  if (topo_ != nullptr) hwloc_topology_destroy(topo_);
}

HwlocTopology::HwlocTopology(HwlocTopology&& other) noexcept : topo_(other.topo_) {
  other.topo_ = nullptr;
}

HwlocTopology& HwlocTopology::operator=(HwlocTopology&& other) noexcept {
  if (this != &other) {
    if (topo_ != nullptr) hwloc_topology_destroy(topo_);
    topo_ = other.topo_;
    other.topo_ = nullptr;
  }
  return *this;
}

void HwlocTopology::keep_all_io() {
  if (hwloc_topology_set_io_types_filter(topo_, HWLOC_TYPE_FILTER_KEEP_ALL) != 0) {
    throw_errno("asking hwloc to keep all I/O objects", errno);
  }
}

void HwlocTopology::use_xml_buffer(const std::string& xml) {
  if (hwloc_topology_set_xmlbuffer(topo_, xml.c_str(), static_cast<int>(xml.size()) + 1) != 0) {
    throw_errno("handing the XML to hwloc", errno);
  }
}

void HwlocTopology::load() {
  if (hwloc_topology_load(topo_) != 0) throw_errno("hwloc_topology_load", errno);
}

}  // namespace fabricperf::topology
