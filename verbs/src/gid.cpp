#include "fabricperf/verbs/gid.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "fabricperf/error.hpp"
#include "fabricperf/host_info.hpp"

namespace fs = std::filesystem;

namespace fabricperf::verbs {

std::string to_string(GidType type) {
  switch (type) {
    case GidType::ib: return "IB";
    case GidType::roce_v1: return "RoCE v1";
    case GidType::roce_v2: return "RoCE v2";
    default: return "unknown";
  }
}

GidType parse_gid_type(const std::string& text) noexcept {
  if (text == "RoCE v2") return GidType::roce_v2;
  if (text == "IB/RoCE v1" || text == "RoCE v1") return GidType::roce_v1;
  if (text == "IB") return GidType::ib;
  return GidType::unknown;
}

bool is_zero(const GidBytes& gid) noexcept {
  return std::all_of(gid.begin(), gid.end(), [](std::uint8_t b) { return b == 0; });
}

bool is_ipv4_mapped(const GidBytes& gid) noexcept {
  for (int i = 0; i < 10; ++i)
    if (gid[static_cast<std::size_t>(i)] != 0) return false;
  return gid[10] == 0xff && gid[11] == 0xff;
}

bool is_link_local(const GidBytes& gid) noexcept { return gid[0] == 0xfe && (gid[1] & 0xc0) == 0x80; }

std::string format_gid(const GidBytes& gid) {
  char out[40];
  char* p = out;
  for (std::size_t i = 0; i < 16; i += 2) {
    std::snprintf(p, 6, "%02x%02x", gid[i], gid[i + 1]);
    p += 4;
    if (i < 14) *p++ = ':';
  }
  *p = '\0';
  return out;
}

std::optional<GidBytes> parse_gid(const std::string& text) noexcept {
  GidBytes gid{};
  if (inet_pton(AF_INET6, text.c_str(), gid.data()) != 1) return std::nullopt;
  return gid;
}

std::string ipv4_of(const GidBytes& gid) {
  if (!is_ipv4_mapped(gid)) return "";
  char out[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, gid.data() + 12, out, sizeof out);
  return out;
}

GidBytes to_bytes(const ibv_gid& gid) noexcept {
  GidBytes out{};
  std::memcpy(out.data(), gid.raw, 16);
  return out;
}

ibv_gid to_ibv(const GidBytes& gid) noexcept {
  ibv_gid out{};
  std::memcpy(out.raw, gid.data(), 16);
  return out;
}

std::vector<GidEntry> read_gid_table_sysfs(const std::string& sys_root, const std::string& device, int port) {
  const fs::path port_dir = fs::path(sys_root) / "class" / "infiniband" / device / "ports" / std::to_string(port);
  std::vector<GidEntry> table;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(port_dir / "gids", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    const auto gid = parse_gid(read_first_line(entry.path().string()));
    if (!gid || is_zero(*gid)) continue;
    GidEntry e;
    e.index = static_cast<std::uint32_t>(std::stoul(name));
    e.gid = *gid;
    e.type = parse_gid_type(read_first_line((port_dir / "gid_attrs" / "types" / name).string()));
    e.netdev = read_first_line((port_dir / "gid_attrs" / "ndevs" / name).string());
    table.push_back(std::move(e));
  }
  std::sort(table.begin(), table.end(), [](const GidEntry& a, const GidEntry& b) { return a.index < b.index; });
  return table;
}

GidEntry pick_gid(const std::vector<GidEntry>& table, bool ethernet, std::optional<int> requested,
                  const std::string& where) {
  if (table.empty()) throw UsageError("no GIDs configured on " + where + " (is the netdev up with an address?)");
  if (requested) {
    for (const auto& e : table)
      if (static_cast<int>(e.index) == *requested) return e;
    std::string valid;
    for (const auto& e : table) valid += (valid.empty() ? "" : ", ") + std::to_string(e.index);
    throw UsageError("GID index " + std::to_string(*requested) + " is not populated on " + where +
                     " (valid: " + valid + ")");
  }
  if (!ethernet) return table.front();
  const auto first = [&](auto pred) -> const GidEntry* {
    for (const auto& e : table)
      if (pred(e)) return &e;
    return nullptr;
  };
  const auto v2 = [](const GidEntry& e) { return e.type == GidType::roce_v2; };
  if (auto* e = first([&](const GidEntry& g) { return v2(g) && is_ipv4_mapped(g.gid); })) return *e;
  if (auto* e = first([&](const GidEntry& g) { return v2(g) && !is_link_local(g.gid); })) return *e;
  if (auto* e = first(v2)) return *e;
  if (auto* e = first([](const GidEntry& g) { return is_ipv4_mapped(g.gid); })) return *e;
  return table.front();
}

}  // namespace fabricperf::verbs
