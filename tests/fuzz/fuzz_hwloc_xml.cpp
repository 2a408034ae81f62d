// Fuzz target: bytes as an lstopo XML export, through the in-process part of fp_topo --hwloc-xml:
// the strict XML reader (depth-capped), the root and version checks and the census of PCI devices,
// bridges and OS devices (precheck_hwloc_xml), and the comment blanking done before hwloc sees
// the text. The hwloc load itself is not fuzzed here: fp_topo runs it in a child process first
// (probe_hwloc_xml) because libhwloc 2.9 crashes on some malformed exports, and a fork per input
// would be slow and would only rediscover libhwloc's own bugs.
// Refusals (UsageError/Error: exit 2/1 in fp_topo) are expected; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fabricperf/error.hpp"
#include "fabricperf/topology/hwloc_reader.hpp"
#include "fabricperf/topology/xml.hpp"

namespace topo = fabricperf::topology;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const topo::HwlocXmlCensus census = topo::precheck_hwloc_xml(text, "fuzz.hwloc.xml");
    (void)census;
    (void)topo::blank_xml_comments(text);
  } catch (const fabricperf::Error&) {
    // A refusal with a message: what fp_topo turns into exit 2 (or 1).
  }
  return 0;
}
