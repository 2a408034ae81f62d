#include "fabricperf/topology/pci.hpp"

#include <cstdio>

namespace fabricperf::topology {
namespace {

std::optional<std::uint32_t> parse_hex(std::string_view text, std::size_t max_digits) {
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  std::uint32_t value = 0;
  for (const char c : text) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    value = value * 16 + static_cast<std::uint32_t>(digit);
  }
  return value;
}

}  // namespace

std::optional<PciAddress> PciAddress::parse(std::string_view text) {
  // [domain:]bus:device.function
  const auto dot = text.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const auto function = parse_hex(text.substr(dot + 1), 1);
  const std::string_view head = text.substr(0, dot);
  const auto last_colon = head.rfind(':');
  if (last_colon == std::string_view::npos) return std::nullopt;
  const auto device = parse_hex(head.substr(last_colon + 1), 2);
  const std::string_view front = head.substr(0, last_colon);
  std::optional<std::uint32_t> domain = 0;
  std::optional<std::uint32_t> bus;
  const auto first_colon = front.rfind(':');
  if (first_colon == std::string_view::npos) {
    bus = parse_hex(front, 2);
  } else {
    domain = parse_hex(front.substr(0, first_colon), 8);
    bus = parse_hex(front.substr(first_colon + 1), 2);
  }
  if (!function || !device || !bus || !domain || *function > 7 || *device > 0x1f) return std::nullopt;
  PciAddress address;
  address.domain = *domain;
  address.bus = static_cast<std::uint8_t>(*bus);
  address.device = static_cast<std::uint8_t>(*device);
  address.function = static_cast<std::uint8_t>(*function);
  return address;
}

std::string PciAddress::str() const {
  char text[32];
  std::snprintf(text, sizeof text, "%04x:%02x:%02x.%x", domain, bus, device, function);
  return text;
}

std::string PciAddress::slot() const {
  char text[32];
  std::snprintf(text, sizeof text, "%04x:%02x:%02x", domain, bus, device);
  return text;
}

}  // namespace fabricperf::topology
