#pragma once
// Topologies from hwloc: the live machine (every PCI device, bridge and OS device kept, plus
// sysfs for what hwloc lacks: Soft-RoCE devices, ports, NUMA nodes of VMs' devices) and lstopo
// XML exports (v1 and v2). An export hwloc cannot read is a UsageError; so is one hwloc reads
// only in part (fewer PCI devices or bridges than the file holds): hwloc drops what it does not
// understand without failing, so the raw file is counted and compared with what was loaded.
#include <hwloc.h>

#include <string>
#include <string_view>

#include "fabricperf/host_info.hpp"
#include "fabricperf/topology/model.hpp"
#include "fabricperf/topology/xml.hpp"

namespace fabricperf::topology {

// Owns one hwloc_topology_t (init in the constructor, destroy in the destructor).
class HwlocTopology {
 public:
  HwlocTopology();
  ~HwlocTopology();
  HwlocTopology(HwlocTopology&& other) noexcept;
  HwlocTopology& operator=(HwlocTopology&& other) noexcept;
  HwlocTopology(const HwlocTopology&) = delete;
  HwlocTopology& operator=(const HwlocTopology&) = delete;

  [[nodiscard]] hwloc_topology_t get() const noexcept { return topo_; }
  // PCI devices, bridges and OS devices: all of them (HWLOC_TYPE_FILTER_KEEP_ALL).
  void keep_all_io();
  // Reads from this XML text instead of the live machine (before load()).
  void use_xml_buffer(const std::string& xml);
  // Throws Error with hwloc's errno on failure.
  void load();

 private:
  hwloc_topology_t topo_ = nullptr;
};

// What an lstopo export holds, counted from the raw XML.
struct HwlocXmlCensus {
  std::string version;          // the <topology version=..> attribute ("" for v1 files)
  int pci_devices = 0;          // <object type="PCIDev">
  int bridges = 0;              // <object type="Bridge"> (host bridges included)
  int os_devices = 0;           // <object type="OSDev">
  int openfabrics = 0;          // OS devices with osdev_type 3
  int unknown_osdev_types = 0;  // osdev_type values hwloc 2 does not define (0..5)
  std::string hostname;         // the Machine's HostName info, when present
};
[[nodiscard]] HwlocXmlCensus census_hwloc_xml(const XmlElement& root);

// The checks made on an lstopo export's text before hwloc sees it: well-formed XML (depth-capped),
// root <topology>, a version this hwloc reads. Returns the census; throws UsageError naming
// `source`. Cheap and in-process (the fuzz target drives it).
[[nodiscard]] HwlocXmlCensus precheck_hwloc_xml(std::string_view text, const std::string& source);

// Loads `xml` with hwloc and converts it, in a forked child process, and waits for it (at most
// 60 s). libhwloc 2.9 crashes on some malformed exports (e.g. an object without its
// complete_cpuset); that becomes a UsageError "hwloc XML FILE: libhwloc crashed while loading
// it (signal 11): the file is malformed" instead of killing fp_topo. A load that merely fails
// returns normally (the in-process load then reports hwloc's error).
void probe_hwloc_xml(const std::string& xml, const std::string& source);

// The model of a loaded hwloc topology. `input` is the file ("" for live).
[[nodiscard]] Topology topology_from_hwloc(hwloc_topology_t topo, SourceKind source, const std::string& input);

// An lstopo XML export. Throws UsageError: unreadable, malformed, not an lstopo export, refused
// by hwloc, or only partly loaded. Warnings (OS devices hwloc dropped) land in Topology::warnings.
[[nodiscard]] Topology load_hwloc_xml(const std::string& path);
// Same, from text already in memory; `source` names it in messages.
[[nodiscard]] Topology load_hwloc_xml_text(std::string_view text, const std::string& source);

struct LiveOptions {
  SystemRoots roots;  // sysfs/procfs for what hwloc lacks
};
// This machine, through hwloc plus sysfs. Throws Error when hwloc cannot load it.
[[nodiscard]] Topology load_live(const LiveOptions& options = {});

// Adds what sysfs knows to a live topology: RDMA devices hwloc missed (Soft-RoCE, siw), ports,
// netdevs, and NUMA nodes the tree does not give.
void augment_from_sysfs(Topology& topo, const SystemRoots& roots);

}  // namespace fabricperf::topology
