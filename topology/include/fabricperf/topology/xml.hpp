#pragma once
// A small, strict XML reader for the topology files fp_topo takes (NCCL topology XML, and the
// raw census of lstopo exports): elements and attributes only. Comments, processing
// instructions, DOCTYPE and CDATA are skipped; text content is ignored; the five predefined
// entities and numeric character references are decoded. Anything malformed throws UsageError
// naming the source and line.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fabricperf::topology {

struct XmlElement {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::vector<XmlElement> children;
  int line = 0;

  // nullptr when absent.
  [[nodiscard]] const std::string* attribute(std::string_view key) const noexcept;
  [[nodiscard]] std::string attribute_or(std::string_view key, std::string fallback) const;
};

// Parses a whole document and returns its root element. `source` names it in errors.
[[nodiscard]] XmlElement parse_xml(std::string_view text, const std::string& source);

// Size caps of the topology readers. Real files are far below them: the largest lstopo export in
// tests/data is ~1 MB (an 8-GPU HGX with every PCI function), NCCL topology files ~20 KB.
inline constexpr std::size_t kMaxHwlocXmlBytes = std::size_t{64} << 20;  // 64 MiB
inline constexpr std::size_t kMaxNcclTopoBytes = std::size_t{16} << 20;  // 16 MiB

// Reads a whole regular file of at most `max_bytes` through core's read_input_file: an empty
// path, a directory, a FIFO, a device or an oversize file is a UsageError naming `what` and the
// file, without blocking (e.g. "hwloc XML /dev/zero: not a regular file (character device)").
[[nodiscard]] std::string read_text_file(const std::string& path, std::string_view what = "XML file",
                                         std::size_t max_bytes = kMaxHwlocXmlBytes);

// The same text with every comment replaced by spaces (newlines kept, so line numbers hold).
[[nodiscard]] std::string blank_xml_comments(std::string_view text);

}  // namespace fabricperf::topology
