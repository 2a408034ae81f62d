#pragma once
// Port speed/width codes (ibv_port_attr) to line rates, and MTU enum <-> bytes. Pure functions.
#include <infiniband/verbs.h>

#include <optional>
#include <string>

namespace fabricperf::verbs {

// Per-lane signalling rate in Gb/s for ibv_port_attr::active_speed (nominal, as ibv_devinfo
// and perftest report it: SDR 2.5, DDR 5, QDR 10, FDR10 10, FDR 14, EDR 25, HDR 50, NDR 100).
// 0 for an unknown code.
[[nodiscard]] double lane_speed_gbps(unsigned active_speed) noexcept;
// Lanes for ibv_port_attr::active_width (1x=1, 2x=2, 4x=4, 8x=8, 12x=12); 0 for unknown.
[[nodiscard]] unsigned width_lanes(unsigned active_width) noexcept;
// lane speed x lanes, e.g. EDR (32) x 4X (2) -> 100. 0 when either code is unknown.
[[nodiscard]] double line_rate_gbps(unsigned active_speed, unsigned active_width) noexcept;
// "4X EDR" style name, "" when unknown.
[[nodiscard]] std::string rate_name(unsigned active_speed, unsigned active_width);

// 256/512/1024/2048/4096 -> IBV_MTU_*; nullopt for anything else.
[[nodiscard]] std::optional<ibv_mtu> mtu_from_bytes(int bytes) noexcept;
// IBV_MTU_* -> bytes; 0 for an invalid value.
[[nodiscard]] int mtu_to_bytes(ibv_mtu mtu) noexcept;

}  // namespace fabricperf::verbs
