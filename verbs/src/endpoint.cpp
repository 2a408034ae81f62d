#include "fabricperf/verbs/endpoint.hpp"

#include <algorithm>

#include "fabricperf/error.hpp"
#include "fabricperf/verbs/memlock.hpp"
#include "fabricperf/verbs/message_size.hpp"

namespace fabricperf::verbs {

Endpoint::Endpoint(const Device& device, MemoryProvider& memory, const EndpointConfig& config)
    : device_(device), config_(config) {
  const auto& sel = device.selection();
  if (config_.num_qps == 0 || config_.num_qps > kMaxQpsPerEndpoint)
    throw UsageError("number of QPs must be 1-" + std::to_string(kMaxQpsPerEndpoint));
  if (sel.max_qp_wr > 0) {
    const auto cap = static_cast<std::uint32_t>(sel.max_qp_wr);
    if (config_.qp.send_depth > cap || config_.qp.recv_depth > cap)
      throw UsageError("queue depth above " + sel.device + "'s limit of " + std::to_string(cap) + " work requests");
  }
  const std::size_t total = checked_bytes(config_.bytes_per_qp, config_.num_qps, "buffer of " + sel.device);
  pd_ = ProtectionDomain(device.context());
  buffer_ = memory.allocate(total);
  // Registering host memory pins it against RLIMIT_MEMLOCK; GPU memory is not charged there.
  check_memlock((buffer_->host_accessible() ? total : 0) + (128U << 10));
  mr_ = register_buffer(*buffer_, pd_.get(), config_.qp.access,
                        "data buffer of " + std::to_string(config_.num_qps) + " QP(s)");

  auto depth = [&](int asked, std::uint32_t per_qp) {
    long long n = asked > 0 ? asked : static_cast<long long>(per_qp) * config_.num_qps;
    n = std::max<long long>(n, 16);
    if (sel.max_cqe > 0) n = std::min<long long>(n, sel.max_cqe);
    return static_cast<int>(n);
  };
  send_cq_ = CompletionQueue(device.context(), depth(config_.send_cq_depth, config_.qp.send_depth));
  recv_cq_ = CompletionQueue(device.context(), depth(config_.recv_cq_depth, config_.qp.recv_depth));

  QpOptions& opts = config_.qp;
  if (config_.rdma_cm && opts.type != IBV_QPT_RC) throw UsageError("-R (rdma_cm) works with RC only");
  opts.max_rd_atomic = static_cast<std::uint8_t>(std::min<int>(opts.max_rd_atomic, sel.max_rd_atomic));
  qps_.reserve(config_.num_qps);
  for (std::uint32_t i = 0; i < (config_.rdma_cm ? 0U : config_.num_qps); ++i) {
    // Devices cap inline data differently; step the request down rather than fail.
    while (true) {
      try {
        qps_.push_back(create_qp(pd_.get(), send_cq_.get(), recv_cq_.get(), opts));
        break;
      } catch (const Error&) {
        if (opts.max_inline == 0) throw;
        opts.max_inline = opts.max_inline > 64 ? opts.max_inline / 2 : 0;
      }
    }
    psns_.push_back(random_psn());
    qp_to_init(qps_.back().get(), sel, opts);
    qp_ptrs_.push_back(qps_.back().get());
  }
  max_inline_ = opts.max_inline;
  if (!qps_.empty()) {
    ibv_qp_attr attr{};
    ibv_qp_init_attr init{};
    if (ibv_query_qp(qps_.front().get(), &attr, IBV_QP_CAP, &init) == 0) max_inline_ = init.cap.max_inline_data;
  }
  control_ = std::make_unique<ControlChannel>(device.context(), pd_.get(), sel);
  receives_ = ReceiveRing(config_.num_qps, config_.qp.recv_depth, region_address(0), config_.bytes_per_qp, mr_.lkey());
}

void Endpoint::top_up_receives(std::uint32_t depth, std::uint32_t slots) {
  if (qp_ptrs_.size() != config_.num_qps) throw Error("internal: receives posted before the data QPs exist");
  for (std::uint32_t q = 0; q < config_.num_qps; ++q) receives_.top_up(qp_ptrs_[q], q, depth, slots);
}

EndpointInfo Endpoint::local_info() const {
  const auto& sel = device_.selection();
  EndpointInfo info;
  info.device = sel.device;
  info.control = control_->local_info();
  for (std::uint32_t i = 0; i < config_.num_qps; ++i) {
    QpInfo q;
    // With rdma_cm the data QPs do not exist yet and are connected by rdma_cm: their qpn/psn
    // here are placeholders (the control QP's), only the buffer fields matter.
    q.qpn = config_.rdma_cm ? info.control.qpn : qps_[i].qpn();
    q.psn = config_.rdma_cm ? 0 : psns_[i];
    q.lid = sel.lid;
    q.gid = sel.gid.gid;
    q.mtu = static_cast<std::uint8_t>(sel.mtu);
    q.rkey = mr_.rkey();
    q.addr = region_address(i);
    q.length = config_.bytes_per_qp;
    q.rd_atomic = config_.qp.max_rd_atomic;
    info.data.push_back(q);
  }
  return info;
}

void Endpoint::attach_cm_qps(std::vector<CmId> ids) {
  if (ids.size() != config_.num_qps) throw Error("internal: wrong number of rdma_cm QPs");
  cm_ids_ = std::move(ids);
  qp_ptrs_.clear();
  for (const auto& id : cm_ids_) qp_ptrs_.push_back(id.get()->qp);
  ibv_qp_attr attr{};
  ibv_qp_init_attr init{};
  if (ibv_query_qp(qp_ptrs_.front(), &attr, IBV_QP_CAP, &init) == 0) max_inline_ = init.cap.max_inline_data;
}

void Endpoint::connect(const EndpointInfo& remote, const std::string& peer) {
  peer_ = peer + " (" + remote.device + ")";
  if (remote.data.size() != config_.num_qps)
    throw PeerError(peer, peer + " has " + std::to_string(remote.data.size()) + " QPs, this side " +
                              std::to_string(config_.num_qps) + " (same -q on both sides?)");
  for (const auto& q : remote.data)
    if (q.length < config_.bytes_per_qp)
      throw PeerError(peer, peer + " registered " + std::to_string(q.length) + " bytes per QP, this side needs " +
                                std::to_string(config_.bytes_per_qp) + " (same sizes on both sides?)");
  remote_ = remote;
  const auto& sel = device_.selection();
  control_->connect(remote.control, peer_);
  if (config_.rdma_cm) {
    if (qp_ptrs_.size() != config_.num_qps) throw Error("internal: rdma_cm QPs not attached before connect");
    return;
  }
  if (config_.qp.type == IBV_QPT_UD) {
    for (std::uint32_t i = 0; i < config_.num_qps; ++i) ud_activate(qps_[i].get(), psns_[i]);
    ibv_ah_attr ah = make_ah_attr(sel, remote.data.front());
    ah_ = AddressHandle(pd_.get(), ah);
    return;
  }
  for (std::uint32_t i = 0; i < config_.num_qps; ++i)
    rc_connect(qps_[i].get(), sel, psns_[i], remote.data[i], config_.qp, peer_);
}

}  // namespace fabricperf::verbs
