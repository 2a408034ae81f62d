#pragma once
// PCI addresses and the class/vendor codes fp_topo reasons about.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fabricperf::topology {

struct PciAddress {
  std::uint32_t domain = 0;
  std::uint8_t bus = 0;
  std::uint8_t device = 0;
  std::uint8_t function = 0;

  // "0000:53:00.0", "53:00.0" (domain 0), upper or lower case hex; nullopt on anything else.
  [[nodiscard]] static std::optional<PciAddress> parse(std::string_view text);
  // "0000:53:00.0" (the domain takes more than four digits when it needs them, as on VMD).
  [[nodiscard]] std::string str() const;
  // "0000:53:00": the slot; the functions of one physical card share it.
  [[nodiscard]] std::string slot() const;
  [[nodiscard]] bool same_slot(const PciAddress& other) const noexcept {
    return domain == other.domain && bus == other.bus && device == other.device;
  }
  auto operator<=>(const PciAddress&) const = default;
};

inline constexpr std::uint16_t kVendorNvidia = 0x10de;
inline constexpr std::uint16_t kVendorMellanox = 0x15b3;
inline constexpr std::uint16_t kVendorAmazon = 0x1d0f;

// 16-bit class code (base class << 8 | subclass), e.g. 0x0302 for a 3D controller.
[[nodiscard]] constexpr bool is_display_class(std::uint16_t class_id) noexcept { return (class_id >> 8) == 0x03; }
[[nodiscard]] constexpr bool is_network_class(std::uint16_t class_id) noexcept { return (class_id >> 8) == 0x02; }
[[nodiscard]] constexpr bool is_bridge_class(std::uint16_t class_id) noexcept { return class_id == 0x0604; }

// An NVIDIA GPU: display/3D class (03xx) from NVIDIA. NVSwitches are class 0x0680: not GPUs.
[[nodiscard]] constexpr bool is_nvidia_gpu(std::uint16_t class_id, std::uint16_t vendor) noexcept {
  return vendor == kVendorNvidia && is_display_class(class_id);
}

// RDMA-capable NIC hardware recognised without an OS device: Mellanox/NVIDIA ConnectX network
// functions (02xx) and AWS EFA (1d0f:efaN). AWS ENA (1d0f:ec2x) is Ethernet only: not RDMA.
[[nodiscard]] constexpr bool is_rdma_nic_hardware(std::uint16_t class_id, std::uint16_t vendor,
                                                  std::uint16_t device) noexcept {
  if (!is_network_class(class_id)) return false;
  if (vendor == kVendorMellanox) return true;
  return vendor == kVendorAmazon && (device & 0xfff0) == 0xefa0;
}

}  // namespace fabricperf::topology
