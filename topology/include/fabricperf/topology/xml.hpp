#pragma once
// A small, strict XML reader for the topology files fp_topo takes (NCCL topology XML, and the
// raw census of lstopo exports): elements and attributes only. Comments, processing
// instructions, DOCTYPE and CDATA are skipped; text content is ignored; the five predefined
// entities and numeric character references are decoded. Anything malformed throws UsageError
// naming the source and line.
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

// Reads a file whole; throws UsageError naming it when it cannot be read.
[[nodiscard]] std::string read_text_file(const std::string& path);

// The same text with every comment replaced by spaces (newlines kept, so line numbers hold).
[[nodiscard]] std::string blank_xml_comments(std::string_view text);

}  // namespace fabricperf::topology
