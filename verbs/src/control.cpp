#include "fabricperf/verbs/control.hpp"

#include <fcntl.h>
#include <poll.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "fabricperf/error.hpp"

namespace fabricperf::verbs {
namespace {
constexpr std::uint32_t kControlMagic = 0x43435046;  // "FPCC"
constexpr std::uint64_t kRecvTag = 1ULL << 63;
}  // namespace

ControlChannel::ControlChannel(ibv_context* ctx, ibv_pd* pd, const PortSelection& port) : port_(port) {
  buffer_ = make_host_memory_provider()->allocate((kSendSlots + kRecvSlots) * kSlot);
  mr_ = register_buffer(*buffer_, pd, IBV_ACCESS_LOCAL_WRITE, "control channel buffer");
  channel_ = CompletionChannel(ctx);
  cq_ = CompletionQueue(ctx, static_cast<int>(kSendSlots + kRecvSlots), channel_.get());
  options_.type = IBV_QPT_RC;
  options_.send_depth = kSendSlots;
  options_.recv_depth = kRecvSlots;
  options_.access = IBV_ACCESS_LOCAL_WRITE;
  options_.max_rd_atomic = 1;
  qp_ = create_qp(pd, cq_.get(), cq_.get(), options_);
  const int flags = ::fcntl(channel_.get()->fd, F_GETFL);
  ::fcntl(channel_.get()->fd, F_SETFL, flags | O_NONBLOCK);
  psn_ = random_psn();
  qp_to_init(qp_.get(), port_, options_);
  for (std::uint32_t i = 0; i < kRecvSlots; ++i) post_recv(i);
}

QpInfo ControlChannel::local_info() const {
  QpInfo info;
  info.qpn = qp_.qpn();
  info.psn = psn_;
  info.lid = port_.lid;
  info.gid = port_.gid.gid;
  info.mtu = static_cast<std::uint8_t>(port_.mtu);
  info.rd_atomic = options_.max_rd_atomic;
  return info;
}

void ControlChannel::connect(const QpInfo& remote, const std::string& peer) {
  peer_ = peer;
  rc_connect(qp_.get(), port_, psn_, remote, options_, peer);
}

void ControlChannel::wait(int timeout_ms) {
  if (pending_count_ > 0) return;
  if (!armed_) {
    if (int rc = ibv_req_notify_cq(cq_.get(), 0); rc != 0) throw_errno("arming the control completion queue", rc);
    armed_ = true;
  }
  // Completions that came before arming raise no event: look once more before sleeping.
  if (auto m = poll()) {
    pending_head_ = (pending_head_ + kRecvSlots - 1) % kRecvSlots;
    pending_[pending_head_] = *m;
    ++pending_count_;
    return;
  }
  pollfd pfd{channel_.get()->fd, POLLIN, 0};
  if (::poll(&pfd, 1, timeout_ms) > 0) {
    ibv_cq* cq = nullptr;
    void* ctx = nullptr;
    if (ibv_get_cq_event(channel_.get(), &cq, &ctx) == 0) {
      ibv_ack_cq_events(cq, 1);
      armed_ = false;
    }
  }
}

void ControlChannel::post_recv(std::uint32_t slot) {
  ibv_sge sge{};
  sge.addr = buffer_->address() + (kSendSlots + slot) * kSlot;
  sge.length = kSlot;
  sge.lkey = mr_.lkey();
  ibv_recv_wr wr{};
  wr.wr_id = kRecvTag | slot;
  wr.sg_list = &sge;
  wr.num_sge = 1;
  ibv_recv_wr* bad = nullptr;
  if (int rc = ibv_post_recv(qp_.get(), &wr, &bad); rc != 0) throw_errno("posting a control receive", rc);
}

bool ControlChannel::try_send(ControlType type, std::uint64_t epoch, std::span<const std::uint64_t> counts) {
  if (sent_ - send_done_ >= kSendSlots) return false;
  const std::uint32_t slot = static_cast<std::uint32_t>(sent_ % kSendSlots);
  ControlMessage msg;
  msg.magic = kControlMagic;
  msg.type = type;
  msg.epoch = epoch;
  msg.count_n = static_cast<std::uint32_t>(std::min<std::size_t>(counts.size(), kMaxQpsPerEndpoint));
  for (std::uint32_t i = 0; i < msg.count_n; ++i) msg.counts[i] = counts[i];
  auto* dst = static_cast<std::byte*>(buffer_->data()) + slot * kSlot;
  std::memcpy(dst, &msg, sizeof msg);
  ibv_sge sge{};
  sge.addr = buffer_->address() + slot * kSlot;
  sge.length = sizeof msg;
  sge.lkey = mr_.lkey();
  ibv_send_wr wr{};
  wr.wr_id = slot;
  wr.sg_list = &sge;
  wr.num_sge = 1;
  wr.opcode = IBV_WR_SEND;
  wr.send_flags = IBV_SEND_SIGNALED;
  ibv_send_wr* bad = nullptr;
  if (int rc = ibv_post_send(qp_.get(), &wr, &bad); rc != 0)
    throw PeerError(peer_, errno_message("posting a control message to " + peer_, rc));
  ++sent_;
  return true;
}

void ControlChannel::send(ControlType type, std::uint64_t epoch, std::span<const std::uint64_t> counts,
                          double timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (!try_send(type, epoch, counts)) {
    if (auto m = poll()) {
      // Keep it for the caller's next poll(): push back to the front of the queue.
      pending_head_ = (pending_head_ + kRecvSlots - 1) % kRecvSlots;
      pending_[pending_head_] = *m;
      ++pending_count_;
    }
    if (std::chrono::steady_clock::now() > deadline)
      throw PeerError(peer_, peer_ + " stopped acknowledging control messages for " + std::to_string(timeout_s) + " s");
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  const std::uint64_t target = sent_;
  while (send_done_ < target) {
    if (auto m = poll()) {
      pending_head_ = (pending_head_ + kRecvSlots - 1) % kRecvSlots;
      pending_[pending_head_] = *m;
      ++pending_count_;
    }
    if (std::chrono::steady_clock::now() > deadline)
      throw PeerError(peer_, "the end-of-run message to " + peer_ + " was not acknowledged within " +
                                 std::to_string(timeout_s) + " s");
    if (send_done_ < target) std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
}

std::optional<ControlMessage> ControlChannel::poll() {
  ibv_wc wc[8];
  const int n = ibv_poll_cq(cq_.get(), 8, wc);
  if (n < 0) throw PeerError(peer_, "polling the control completion queue failed");
  for (int i = 0; i < n; ++i) {
    if (wc[i].status != IBV_WC_SUCCESS) {
      const bool recv = (wc[i].wr_id & kRecvTag) != 0;
      if (wc[i].status == IBV_WC_WR_FLUSH_ERR) continue;
      throw PeerError(peer_, std::string("control channel to ") + peer_ + " failed (" + (recv ? "receive" : "send") +
                                 ": " + ibv_wc_status_str(wc[i].status) + ")");
    }
    if ((wc[i].wr_id & kRecvTag) == 0) {
      ++send_done_;
      continue;
    }
    const auto slot = static_cast<std::uint32_t>(wc[i].wr_id & 0xffffffffU);
    ControlMessage msg;
    const auto* src = static_cast<const std::byte*>(buffer_->data()) + (kSendSlots + slot) * kSlot;
    if (wc[i].byte_len != sizeof msg) throw PeerError(peer_, "malformed control message from " + peer_);
    std::memcpy(&msg, src, sizeof msg);
    post_recv(slot);
    if (msg.magic != kControlMagic || msg.count_n > kMaxQpsPerEndpoint)
      throw PeerError(peer_, "malformed control message from " + peer_);
    if (pending_count_ < kRecvSlots) {
      pending_[(pending_head_ + pending_count_) % kRecvSlots] = msg;
      ++pending_count_;
    }
  }
  if (pending_count_ == 0) return std::nullopt;
  ControlMessage out = pending_[pending_head_];
  pending_head_ = (pending_head_ + 1) % kRecvSlots;
  --pending_count_;
  return out;
}

}  // namespace fabricperf::verbs
