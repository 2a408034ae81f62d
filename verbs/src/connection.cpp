#include "fabricperf/verbs/connection.hpp"

#include <algorithm>

#include <random>

#include "fabricperf/error.hpp"
#include "fabricperf/log.hpp"
#include "fabricperf/verbs/gid.hpp"
#include "fabricperf/verbs/memory.hpp"
#include "fabricperf/verbs/rate.hpp"

namespace fabricperf::verbs {

QueuePair create_qp(ibv_pd* pd, ibv_cq* send_cq, ibv_cq* recv_cq, const QpOptions& options) {
  ibv_qp_init_attr attr{};
  attr.send_cq = send_cq;
  attr.recv_cq = recv_cq;
  attr.qp_type = options.type;
  attr.sq_sig_all = 0;
  attr.cap.max_send_wr = options.send_depth;
  attr.cap.max_recv_wr = options.recv_depth;
  attr.cap.max_send_sge = options.max_sge;
  attr.cap.max_recv_sge = options.max_sge;
  attr.cap.max_inline_data = options.max_inline;
  QueuePair qp(pd, attr);
  FP_LOG(trace, "verbs") << "QP " << qp.qpn() << " created on " << pd->context->device->name << ": "
                         << (options.type == IBV_QPT_UD ? "UD" : "RC") << ", send depth " << attr.cap.max_send_wr
                         << ", receive depth " << attr.cap.max_recv_wr << ", inline " << attr.cap.max_inline_data;
  return qp;
}

std::uint32_t random_psn() {
  std::random_device rd;
  return rd() & 0xffffff;
}

ibv_mtu common_mtu(ibv_mtu local, std::uint8_t remote) noexcept {
  return static_cast<int>(remote) < static_cast<int>(local) ? static_cast<ibv_mtu>(remote) : local;
}

void qp_to_init(ibv_qp* qp, const PortSelection& port, const QpOptions& options) {
  ibv_qp_attr attr{};
  attr.qp_state = IBV_QPS_INIT;
  attr.pkey_index = 0;
  attr.port_num = static_cast<std::uint8_t>(port.port);
  int mask = IBV_QP_STATE | IBV_QP_PKEY_INDEX | IBV_QP_PORT;
  if (options.type == IBV_QPT_UD) {
    attr.qkey = options.qkey;
    mask |= IBV_QP_QKEY;
  } else {
    attr.qp_access_flags = options.access & ~IBV_ACCESS_LOCAL_WRITE;
    mask |= IBV_QP_ACCESS_FLAGS;
  }
  if (int rc = ibv_modify_qp(qp, &attr, mask); rc != 0)
    throw_errno("moving QP " + std::to_string(qp->qp_num) + " on " + port.device + " to INIT", rc);
  FP_LOG(trace, "verbs") << "QP " << qp->qp_num << " on " << port.device << " port " << port.port
                         << ": RESET -> INIT (access "
                         << (options.type == IBV_QPT_UD ? std::string("n/a, UD")
                                                        : access_flags_text(attr.qp_access_flags))
                         << ")";
}

ibv_ah_attr make_ah_attr(const PortSelection& port, const QpInfo& remote) {
  ibv_ah_attr ah{};
  ah.dlid = remote.lid;
  ah.sl = 0;
  ah.src_path_bits = 0;
  ah.port_num = static_cast<std::uint8_t>(port.port);
  if (port.use_grh) {
    ah.is_global = 1;
    ah.grh.dgid = to_ibv(remote.gid);
    ah.grh.sgid_index = static_cast<std::uint8_t>(port.gid.index);
    ah.grh.hop_limit = 64;
    ah.grh.traffic_class = 0;
  }
  return ah;
}

void rc_connect(ibv_qp* qp, const PortSelection& port, std::uint32_t local_psn, const QpInfo& remote,
                const QpOptions& options, const std::string& peer) {
  ibv_qp_attr attr{};
  attr.qp_state = IBV_QPS_RTR;
  attr.path_mtu = common_mtu(port.mtu, remote.mtu);
  attr.dest_qp_num = remote.qpn;
  attr.rq_psn = remote.psn;
  attr.max_dest_rd_atomic = options.max_rd_atomic;
  attr.min_rnr_timer = options.min_rnr_timer;
  attr.ah_attr = make_ah_attr(port, remote);
  attr.ah_attr.sl = options.service_level;
  attr.ah_attr.grh.traffic_class = options.traffic_class;
  const std::string what = "QP " + std::to_string(qp->qp_num) + " on " + port.device + " towards QP " +
                           std::to_string(remote.qpn) + " of " + peer;
  if (int rc = ibv_modify_qp(qp, &attr,
                             IBV_QP_STATE | IBV_QP_AV | IBV_QP_PATH_MTU | IBV_QP_DEST_QPN | IBV_QP_RQ_PSN |
                                 IBV_QP_MAX_DEST_RD_ATOMIC | IBV_QP_MIN_RNR_TIMER);
      rc != 0)
    throw_errno("moving " + what + " to RTR (GID index " + std::to_string(port.gid.index) + ", GRH " +
                    (port.use_grh ? "on" : "off") + ")",
                rc);
  FP_LOG(trace, "verbs") << what << ": INIT -> RTR (remote psn 0x" << std::hex << remote.psn << std::dec
                         << ", path MTU " << mtu_to_bytes(attr.path_mtu) << ", "
                         << (port.use_grh
                                 ? "GID index " + std::to_string(port.gid.index) + " -> " + format_gid(remote.gid)
                                 : "LID " + std::to_string(remote.lid))
                         << ", rd_atomic " << static_cast<int>(attr.max_dest_rd_atomic) << ")";
  ibv_qp_attr rts{};
  rts.qp_state = IBV_QPS_RTS;
  rts.timeout = options.timeout;
  rts.retry_cnt = options.retry_count;
  rts.rnr_retry = options.rnr_retry;
  rts.sq_psn = local_psn;
  // Never more reads/atomics in flight than the peer's QP answers at once (perftest does the same).
  rts.max_rd_atomic = remote.rd_atomic > 0 ? std::min(options.max_rd_atomic, remote.rd_atomic) : options.max_rd_atomic;
  if (int rc = ibv_modify_qp(qp, &rts,
                             IBV_QP_STATE | IBV_QP_TIMEOUT | IBV_QP_RETRY_CNT | IBV_QP_RNR_RETRY | IBV_QP_SQ_PSN |
                                 IBV_QP_MAX_QP_RD_ATOMIC);
      rc != 0)
    throw_errno("moving " + what + " to RTS", rc);
  FP_LOG(trace, "verbs") << what << ": RTR -> RTS (local psn 0x" << std::hex << local_psn << std::dec << ", timeout "
                         << static_cast<int>(rts.timeout) << ", retry " << static_cast<int>(rts.retry_cnt)
                         << ", rnr retry " << static_cast<int>(rts.rnr_retry) << ", rd_atomic "
                         << static_cast<int>(rts.max_rd_atomic) << ")";
}

void ud_activate(ibv_qp* qp, std::uint32_t local_psn) {
  ibv_qp_attr attr{};
  attr.qp_state = IBV_QPS_RTR;
  if (int rc = ibv_modify_qp(qp, &attr, IBV_QP_STATE); rc != 0)
    throw_errno("moving UD QP " + std::to_string(qp->qp_num) + " to RTR", rc);
  attr.qp_state = IBV_QPS_RTS;
  attr.sq_psn = local_psn;
  if (int rc = ibv_modify_qp(qp, &attr, IBV_QP_STATE | IBV_QP_SQ_PSN); rc != 0)
    throw_errno("moving UD QP " + std::to_string(qp->qp_num) + " to RTS", rc);
  FP_LOG(trace, "verbs") << "UD QP " << qp->qp_num << ": INIT -> RTR -> RTS (local psn 0x" << std::hex << local_psn
                         << ")";
}

}  // namespace fabricperf::verbs
