#pragma once
// GID table reading and the -x auto-pick. Pure logic over a table of entries, so the choice is
// tested on fake sysfs trees (tests/data/verbs/); live devices fill the table with
// ibv_query_gid_ex, falling back to sysfs gid_attrs/types.
#include <infiniband/verbs.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fabricperf::verbs {

using GidBytes = std::array<std::uint8_t, 16>;

enum class GidType { ib, roce_v1, roce_v2, unknown };

struct GidEntry {
  std::uint32_t index = 0;
  GidBytes gid{};
  GidType type = GidType::unknown;
  std::string netdev;  // "" when unknown
};

[[nodiscard]] std::string to_string(GidType type);
// sysfs gid_attrs/types text ("RoCE v2", "IB/RoCE v1") -> type.
[[nodiscard]] GidType parse_gid_type(const std::string& text) noexcept;

[[nodiscard]] bool is_zero(const GidBytes& gid) noexcept;
// ::ffff:a.b.c.d
[[nodiscard]] bool is_ipv4_mapped(const GidBytes& gid) noexcept;
// fe80::/10
[[nodiscard]] bool is_link_local(const GidBytes& gid) noexcept;
// "fe80:0000:0000:0000:5054:00ff:fe12:3456" as sysfs writes it.
[[nodiscard]] std::string format_gid(const GidBytes& gid);
// Accepts the sysfs form and any inet_pton IPv6 form; nullopt when malformed.
[[nodiscard]] std::optional<GidBytes> parse_gid(const std::string& text) noexcept;
// "10.0.0.1" for an IPv4-mapped GID, "" otherwise.
[[nodiscard]] std::string ipv4_of(const GidBytes& gid);

[[nodiscard]] GidBytes to_bytes(const ibv_gid& gid) noexcept;
[[nodiscard]] ibv_gid to_ibv(const GidBytes& gid) noexcept;

// Reads SYS/class/infiniband/DEVICE/ports/PORT/gids/* and gid_attrs/{types,ndevs}/*; skips
// all-zero entries. Empty when the folder is missing.
[[nodiscard]] std::vector<GidEntry> read_gid_table_sysfs(const std::string& sys_root, const std::string& device,
                                                         int port);

// The -x choice. `requested` set: that index must be in the table (UsageError listing the valid
// ones otherwise). Unset: on InfiniBand index 0; on Ethernet the lowest RoCE v2 IPv4-mapped
// GID, else the lowest RoCE v2 non-link-local, else any RoCE v2, else the lowest IPv4-mapped,
// else the lowest entry. Throws UsageError when the table is empty (names the device/port).
[[nodiscard]] GidEntry pick_gid(const std::vector<GidEntry>& table, bool ethernet, std::optional<int> requested,
                                const std::string& where);

}  // namespace fabricperf::verbs
