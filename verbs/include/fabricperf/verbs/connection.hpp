#pragma once
// QP creation and state transitions: RC (INIT -> RTR -> RTS with the peer's QpInfo) and UD
// (INIT -> RTR -> RTS with a Q_Key, plus the address handle to reach the peer).
#include <infiniband/verbs.h>

#include <cstdint>

#include "fabricperf/verbs/device.hpp"
#include "fabricperf/verbs/handles.hpp"
#include "fabricperf/verbs/qp_info.hpp"

namespace fabricperf::verbs {

inline constexpr std::uint32_t kDefaultQkey = 0x11111111;

struct QpOptions {
  ibv_qp_type type = IBV_QPT_RC;
  std::uint32_t send_depth = 128;
  std::uint32_t recv_depth = 1;
  std::uint32_t max_inline = 0;
  std::uint32_t max_sge = 1;
  int access = IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ | IBV_ACCESS_REMOTE_ATOMIC;
  std::uint8_t timeout = 14;      // 4.096 us * 2^14 = 67 ms per retry
  std::uint8_t retry_count = 7;
  std::uint8_t rnr_retry = 7;     // 7 = retry forever on receiver-not-ready
  std::uint8_t min_rnr_timer = 12;
  std::uint8_t max_rd_atomic = 255;  // outstanding reads/atomics (-o); clamped to the device's limit
  std::uint8_t traffic_class = 0;
  std::uint8_t service_level = 0;
  std::uint32_t qkey = kDefaultQkey;
};

[[nodiscard]] QueuePair create_qp(ibv_pd* pd, ibv_cq* send_cq, ibv_cq* recv_cq, const QpOptions& options);

// A random 24-bit starting PSN.
[[nodiscard]] std::uint32_t random_psn();

// RESET -> INIT on `port`.
void qp_to_init(ibv_qp* qp, const PortSelection& port, const QpOptions& options);
// INIT -> RTR -> RTS towards `remote` (RC); `local_psn` is what this side advertised.
// `peer` names the remote side in errors.
void rc_connect(ibv_qp* qp, const PortSelection& port, std::uint32_t local_psn, const QpInfo& remote,
                const QpOptions& options, const std::string& peer);
// INIT -> RTR -> RTS for UD.
void ud_activate(ibv_qp* qp, std::uint32_t local_psn);
// The address vector to reach `remote` from `port` (GRH when the port needs one).
[[nodiscard]] ibv_ah_attr make_ah_attr(const PortSelection& port, const QpInfo& remote);

// The path MTU two sides can both use.
[[nodiscard]] ibv_mtu common_mtu(ibv_mtu local, std::uint8_t remote) noexcept;

}  // namespace fabricperf::verbs
