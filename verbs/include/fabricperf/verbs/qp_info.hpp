#pragma once
// What each side tells the other to connect: per QP {qpn, psn, lid, gid, mtu, rkey, addr,
// length, rd_atomic}, grouped per endpoint (one device's QPs plus its control QP). A fixed little-endian
// binary form travels through Bootstrap::all_gather; parsing validates every field and length.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fabricperf/verbs/gid.hpp"

namespace fabricperf::verbs {

inline constexpr std::uint32_t kMaxQpsPerEndpoint = 64;

struct QpInfo {
  std::uint32_t qpn = 0;     // 24 bits
  std::uint32_t psn = 0;     // 24 bits
  std::uint16_t lid = 0;
  GidBytes gid{};
  std::uint8_t mtu = 0;      // ibv_mtu (1..5)
  std::uint32_t rkey = 0;
  std::uint64_t addr = 0;    // remote buffer this QP may access
  std::uint64_t length = 0;  // its size in bytes
  std::uint8_t rd_atomic = 0;  // reads/atomics this QP answers at once (0: not said)
  friend bool operator==(const QpInfo&, const QpInfo&) = default;
};

struct EndpointInfo {
  std::string device;              // the peer's device name (for messages and reports)
  QpInfo control;                  // the control channel (heartbeats, end of run)
  std::vector<QpInfo> data;        // 1..kMaxQpsPerEndpoint data QPs
  friend bool operator==(const EndpointInfo&, const EndpointInfo&) = default;
};

[[nodiscard]] std::string serialize(const EndpointInfo& info);
// Throws Error("malformed QP info: ...") on a bad magic, version, length or field value.
[[nodiscard]] EndpointInfo parse_endpoint_info(std::string_view bytes);

// Several endpoints (one per device) in one all_gather contribution.
[[nodiscard]] std::string serialize(const std::vector<EndpointInfo>& infos);
[[nodiscard]] std::vector<EndpointInfo> parse_endpoint_infos(std::string_view bytes);

}  // namespace fabricperf::verbs
