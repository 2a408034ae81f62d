#include "fabricperf/verbs/latency_engine.hpp"

#include <atomic>
#include <cstring>
#include <limits>
#include <thread>

#include "fabricperf/error.hpp"
#include "fabricperf/log.hpp"
#include "fabricperf/sizes.hpp"
#include "fabricperf/verbs/completion.hpp"
#include "fabricperf/verbs/engine_options.hpp"
#include "fabricperf/verbs/message_size.hpp"
#include "fabricperf/verbs/metrics.hpp"
#include "fabricperf/verbs/pattern.hpp"
#include "fabricperf/verbs/rate.hpp"

namespace fabricperf::verbs {
namespace {
// The poll-byte value of iteration i: 1..255, never 0 (the zeroed buffer), never equal for
// consecutive iterations.
constexpr std::uint8_t tag_of(std::uint64_t i) noexcept { return static_cast<std::uint8_t>(i % 255 + 1); }

}  // namespace

LatencyEngine::LatencyEngine(Endpoint& endpoint, const CycleClock& clock) : ep_(endpoint), clock_(clock) {}

std::string LatencyEngine::what_running() const {
  return std::string(to_string(cfg_.op)) + " latency, " + messages_of_size(cfg_.size);
}

void LatencyEngine::fail_timeout(const char* waiting_for, std::uint64_t iteration) const {
  throw PeerError(ep_.peer(), "no " + std::string(waiting_for) + " from " + ep_.peer() + " for " +
                                  std::to_string(static_cast<int>(cfg_.timeout_s)) + " s during " + what_running() +
                                  (role_ == Role::initiator || cfg_.op == Op::write || cfg_.op == Op::send
                                       ? " (iteration " + std::to_string(iteration) + ")"
                                       : std::string()));
}

void LatencyEngine::prepare(const LatencyConfig& config, Role role) {
  cfg_ = config;
  role_ = role;
  ud_ = ep_.config().qp.type == IBV_QPT_UD;
  if (ud_ && cfg_.op != Op::send) throw UsageError("UD supports only send");
  if (is_atomic(cfg_.op)) cfg_.size = 8;
  if (cfg_.size == 0) throw UsageError("message size must be at least 1 byte");
  check_message_size(cfg_.size, ep_.port().max_msg_sz, port_name(ep_.port()));
  if (ud_ && cfg_.size > static_cast<std::uint64_t>(mtu_to_bytes(ep_.port().mtu)))
    throw UsageError("UD messages must fit the MTU (" + std::to_string(mtu_to_bytes(ep_.port().mtu)) + " bytes)");
  stride_ = slot_stride(cfg_.size, ud_);
  if (latency_region_bytes(cfg_.size, ud_) > ep_.config().bytes_per_qp)
    throw Error("internal: latency layout does not fit the QP region");
  if (cfg_.op == Op::write && !ep_.buffer().host_accessible())
    throw UsageError("write latency polls memory with the CPU; use host memory or -o send/read");
  recv_off_ = ep_.region_offset(0);
  send_off_ = recv_off_ + stride_;
  atomic_off_ = recv_off_ + 2 * stride_;
  auto* base = static_cast<std::uint8_t*>(ep_.buffer().data());
  source_ = base + send_off_;
  poll_byte_ = base + recv_off_ + cfg_.size - 1;

  ep_.buffer().zero(recv_off_, latency_region_bytes(cfg_.size, ud_));

  const QpInfo& remote = ep_.remote(0);
  wr_ = ibv_send_wr{};
  sge_ = ibv_sge{};
  sge_.addr = ep_.region_address(0) + stride_;
  sge_.length = sge_length(cfg_.size);
  sge_.lkey = ep_.lkey();
  wr_.sg_list = &sge_;
  wr_.num_sge = 1;
  wr_.send_flags = IBV_SEND_SIGNALED;
  const bool inline_ok = cfg_.use_inline && cfg_.size <= ep_.max_inline() && ep_.buffer().host_accessible();
  switch (cfg_.op) {
    case Op::write:
      wr_.opcode = IBV_WR_RDMA_WRITE;
      wr_.wr.rdma.remote_addr = remote.addr;  // the peer's receive area
      wr_.wr.rdma.rkey = remote.rkey;
      if (inline_ok) wr_.send_flags |= IBV_SEND_INLINE;
      break;
    case Op::send:
      wr_.opcode = IBV_WR_SEND;
      if (inline_ok) wr_.send_flags |= IBV_SEND_INLINE;
      if (ud_) {
        wr_.wr.ud.ah = ep_.ah();
        wr_.wr.ud.remote_qpn = remote.qpn;
        wr_.wr.ud.remote_qkey = ep_.config().qp.qkey;
      }
      break;
    case Op::read:
      wr_.opcode = IBV_WR_RDMA_READ;
      wr_.wr.rdma.remote_addr = remote.addr + stride_;  // the peer's source area
      wr_.wr.rdma.rkey = remote.rkey;
      break;
    case Op::fetch_add:
    case Op::compare_swap:
      wr_.opcode = cfg_.op == Op::fetch_add ? IBV_WR_ATOMIC_FETCH_AND_ADD : IBV_WR_ATOMIC_CMP_AND_SWP;
      sge_.addr = ep_.region_address(0) + 2 * stride_ + 8;
      sge_.length = 8;
      wr_.wr.atomic.remote_addr = remote.addr + 2 * stride_;
      wr_.wr.atomic.rkey = remote.rkey;
      wr_.wr.atomic.compare_add = 1;
      wr_.wr.atomic.swap = 0;
      break;
    case Op::write_imm: throw UsageError("write_imm latency is not supported (use write or send)");
  }

  outstanding_ = 0;
  recv_seen_ = 0;
  stop_seen_ = false;
  validation_ = ValidationOutcome{};
  validation_.enabled = cfg_.validate;

  // Send: receives into the receive area (slot 0 of the region), topped up on the endpoint's
  // ring; whatever the previous run left posted takes this run's first messages.
  if (cfg_.op == Op::send)
    ep_.top_up_receives(std::max<std::uint32_t>(1, std::min(cfg_.rx_depth, ep_.config().qp.recv_depth)), 1);
  if (cfg_.validate && cfg_.op == Op::read && role_ == Role::target)
    ep_.buffer().fill_pattern(send_off_, cfg_.size, message_seed(cfg_.epoch, 0, 0));

  const bool duration = cfg_.duration_s > 0;
  if (role_ == Role::initiator && !duration) {
    t_post_.assign(cfg_.iterations, 0);
    t_done_.assign(cfg_.iterations, 0);
  } else {
    t_post_.clear();
    t_done_.clear();
  }
  const double tps = clock_.ticks_per_ns() * 1e9;
  timeout_ticks_ = static_cast<std::uint64_t>(cfg_.timeout_s * tps);
  hb_ticks_ = static_cast<std::uint64_t>(std::min(0.25, cfg_.timeout_s / 4) * tps);
}

void LatencyEngine::post_recv(std::uint32_t j) {
  if (int rc = ep_.receives().repost(ep_.qp(0), 0, j); rc != 0)
    throw_errno("posting a receive during " + what_running(), rc);
}

void LatencyEngine::post_send_wr(std::uint64_t iteration) {
  ibv_send_wr* bad = nullptr;
  if (int rc = ibv_post_send(ep_.qp(0), &wr_, &bad); rc != 0)
    throw PeerError(ep_.peer(), errno_message("posting " + std::string(to_string(cfg_.op)) + " " +
                                                  std::to_string(iteration) + " to " + ep_.peer(),
                                              rc));
  ++outstanding_;
}

void LatencyEngine::reap_send() {
  ibv_wc wc[16];
  const int n = ibv_poll_cq(ep_.send_cq(), 16, wc);
  if (n < 0) throw PeerError(ep_.peer(), "polling the send completion queue failed during " + what_running());
  for (int i = 0; i < n; ++i) {
    if (wc[i].status != IBV_WC_SUCCESS)
      throw PeerError(ep_.peer(), std::string(to_string(cfg_.op)) + " to " + ep_.peer() + " failed during " +
                                      what_running() + " (" + completion_problem(wc[i]) + ")");
    --outstanding_;
  }
}

// Waits until `done()` is true. Every 1024 spins: reaps send completions, checks the deadline
// and (a responder in duration mode) the peer's end-of-run message.
template <typename Wait>
void LatencyEngine::spin(Wait&& done, const char* waiting_for, std::uint64_t iteration) {
  const std::uint64_t start = clock_.now();
  unsigned n = 0;
  const bool watch_stop = role_ == Role::target && cfg_.duration_s > 0;
  while (!done()) {
    if ((++n & 1023U) != 0) continue;
    // Ping-pong waits on memory or the receive queue: reap our own sends meanwhile. One-sided
    // waits poll the send queue themselves (reaping here would steal their completion).
    if (outstanding_ > 0 && (cfg_.op == Op::write || cfg_.op == Op::send)) reap_send();
    if (watch_stop) {
      while (auto m = ep_.control().poll())
        if (m->type == ControlType::done && m->epoch == cfg_.epoch) stop_seen_ = true;
      if (stop_seen_) return;
    }
    if (clock_.now() - start > timeout_ticks_) fail_timeout(waiting_for, iteration);
  }
}

void LatencyEngine::check_incoming(std::uint64_t iteration, std::uint32_t from_qp_tag, std::size_t offset) {
  // Write: the last byte is the poll tag, so the pattern covers size-1 bytes.
  const std::size_t len = cfg_.op == Op::write ? cfg_.size - 1 : cfg_.size;
  if (len == 0) {
    validation_.record_ok();
    return;
  }
  std::atomic_thread_fence(std::memory_order_acquire);
  const auto bad = ep_.buffer().check_pattern(offset, len, message_seed(cfg_.epoch, from_qp_tag, iteration));
  if (bad)
    validation_.record_mismatch(from_qp_tag, iteration, *bad);
  else
    validation_.record_ok();
}

LatencyResult LatencyEngine::run() {
  FP_LOG(trace, "engine") << to_string(cfg_.op) << " latency, " << messages_of_size(cfg_.size) << " with " << ep_.peer()
                          << ": starting, " << run_length_text(cfg_.duration_s, cfg_.warmup_s, cfg_.iterations);
  return cfg_.op == Op::write || cfg_.op == Op::send ? run_pingpong() : run_one_sided();
}

LatencyResult LatencyEngine::run_pingpong() {
  const bool initiator = role_ == Role::initiator;
  const bool duration = cfg_.duration_s > 0;
  const double tps = clock_.ticks_per_ns() * 1e9;
  const std::uint64_t n_iter = duration ? std::numeric_limits<std::uint64_t>::max() : cfg_.iterations;
  LatencyResult r;
  r.measured = initiator;
  r.duration_mode = duration;
  r.divisor = 2;
  const std::uint32_t my_tag = initiator ? 0 : 1;   // seeds: pings from the initiator, pongs back
  const std::uint32_t peer_tag = 1 - my_tag;
  const std::size_t recv_data = recv_off_ + (ud_ ? kUdGrhBytes : 0);
  const bool send = cfg_.op == Op::send;
  const bool needs_quiet_source = !(wr_.send_flags & IBV_SEND_INLINE) || cfg_.validate;

  auto wait_incoming = [&](std::uint64_t i) {
    if (send) {
      ibv_wc wc;
      spin(
          [&] {
            const int n = ibv_poll_cq(ep_.recv_cq(), 1, &wc);
            if (n < 0) throw PeerError(ep_.peer(), "polling the receive completion queue failed");
            if (n == 0) return false;
            if (wc.status != IBV_WC_SUCCESS)
              throw PeerError(ep_.peer(), "receiving from " + ep_.peer() + " failed during " + what_running() + " (" +
                                              completion_problem(wc) + ")");
            return true;
          },
          "message", i);
      if (stop_seen_) return;  // no completion: the initiator's end-of-run message came first
      const std::uint32_t j = ReceiveRing::id_of(wc.wr_id);
      ep_.receives().consumed(0, j);
      if (cfg_.validate) check_incoming(i, peer_tag, recv_data);
      post_recv(j);
    } else {
      const std::uint8_t tag = tag_of(i);
      spin([&] { return *poll_byte_ == tag; }, "write", i);
      if (stop_seen_) return;
      if (cfg_.validate) check_incoming(i, peer_tag, recv_off_);
    }
  };
  auto send_message = [&](std::uint64_t i) {
    if (needs_quiet_source)
      while (outstanding_ > 0) spin([&] { reap_send(); return outstanding_ == 0; }, "completion", i);
    if (outstanding_ + 1 >= ep_.config().qp.send_depth) spin([&] { reap_send(); return outstanding_ + 1 < ep_.config().qp.send_depth; }, "completion", i);
    if (cfg_.validate) {
      const std::size_t len = send ? cfg_.size : cfg_.size - 1;
      if (len > 0) ep_.buffer().fill_pattern(send_off_, len, message_seed(cfg_.epoch, my_tag, i));
    }
    if (!send) source_[cfg_.size - 1] = tag_of(i);
    std::atomic_thread_fence(std::memory_order_release);
    const std::uint64_t t = clock_.now();
    post_send_wr(i);
    return t;
  };

  const std::uint64_t t0 = clock_.now();
  const std::uint64_t warm_end = t0 + static_cast<std::uint64_t>(cfg_.warmup_s * tps);
  const std::uint64_t stop_at = warm_end + static_cast<std::uint64_t>(cfg_.duration_s * tps);
  std::uint64_t i = 0;
  for (; i < n_iter; ++i) {
    if (initiator) {
      const std::uint64_t t = send_message(i);
      wait_incoming(i);
      const std::uint64_t t2 = clock_.now();
      if (!duration) {
        t_post_[i] = t;
        t_done_[i] = t2;
        ++r.iterations;
      } else {
        if (t >= warm_end) {
          r.histogram_ns.record(static_cast<std::uint64_t>(clock_.to_ns(t2 - t) / 2));
          ++r.iterations;
        }
        if (t2 >= stop_at) {
          ++i;
          break;
        }
      }
    } else {
      wait_incoming(i);
      if (stop_seen_) break;
      (void)send_message(i);
    }
  }
  if (initiator && duration) ep_.control().send(ControlType::done, cfg_.epoch, {}, cfg_.timeout_s);
  while (outstanding_ > 0) spin([&] { reap_send(); return outstanding_ == 0; }, "completion", i);
  if (!duration && initiator)
    r.samples_us = latency_samples_us(t_post_, t_done_, clock_.ticks_per_ns() * 1000.0, 2.0);
  r.validation = validation_;
  return r;
}

void LatencyEngine::wait_for_done() {
  const std::uint64_t start = clock_.now();
  std::uint64_t last = start;
  while (true) {
    bool any = false;
    while (auto m = ep_.control().poll()) {
      any = true;
      if (m->type == ControlType::done && m->epoch == cfg_.epoch) return;
    }
    const std::uint64_t now = clock_.now();
    if (any) last = now;
    if (now - last > timeout_ticks_) fail_timeout("heartbeat", 0);
    ep_.control().wait(100);  // sleep until the peer's next control message
  }
}

LatencyResult LatencyEngine::run_one_sided() {
  LatencyResult r;
  r.divisor = 1;
  r.duration_mode = cfg_.duration_s > 0;
  if (role_ == Role::target) {
    wait_for_done();
    return r;
  }
  r.measured = true;
  const bool duration = cfg_.duration_s > 0;
  const double tps = clock_.ticks_per_ns() * 1e9;
  const std::uint64_t n_iter = duration ? std::numeric_limits<std::uint64_t>::max() : cfg_.iterations;
  const std::uint64_t t0 = clock_.now();
  const std::uint64_t warm_end = t0 + static_cast<std::uint64_t>(cfg_.warmup_s * tps);
  const std::uint64_t stop_at = warm_end + static_cast<std::uint64_t>(cfg_.duration_s * tps);
  std::uint64_t last_hb = t0;
  ibv_cq* const cq = ep_.send_cq();
  for (std::uint64_t i = 0; i < n_iter; ++i) {
    if (cfg_.op == Op::compare_swap) {
      wr_.wr.atomic.compare_add = i;
      wr_.wr.atomic.swap = i + 1;
    }
    if (cfg_.validate && cfg_.op == Op::read)
      ep_.buffer().fill_pattern(send_off_, cfg_.size, poison_seed(message_seed(cfg_.epoch, 0, 0)));
    const std::uint64_t t = clock_.now();
    post_send_wr(i);
    ibv_wc wc;
    spin(
        [&] {
          const int n = ibv_poll_cq(cq, 1, &wc);
          if (n < 0) throw PeerError(ep_.peer(), "polling the send completion queue failed");
          if (n == 0) return false;
          if (wc.status != IBV_WC_SUCCESS)
            throw PeerError(ep_.peer(), std::string(to_string(cfg_.op)) + " from " + ep_.peer() + " failed during " +
                                            what_running() + " (" + completion_problem(wc) + ")");
          return true;
        },
        "completion", i);
    --outstanding_;
    const std::uint64_t t2 = clock_.now();
    if (!duration) {
      t_post_[i] = t;
      t_done_[i] = t2;
      ++r.iterations;
    } else if (t >= warm_end) {
      r.histogram_ns.record(static_cast<std::uint64_t>(clock_.to_ns(t2 - t)));
      ++r.iterations;
    }
    if (cfg_.validate) {
      if (cfg_.op == Op::read) {
        check_incoming(0, 0, send_off_);
      } else {
        std::uint64_t old = 0;
        ep_.buffer().copy_out(atomic_off_ + 8, {reinterpret_cast<std::byte*>(&old), 8});
        if (old != i)
          validation_.record_mismatch(0, i, 0);
        else
          validation_.record_ok();
      }
    }
    if (t2 - last_hb > hb_ticks_) {
      last_hb = t2;
      (void)ep_.control().try_send(ControlType::heartbeat, cfg_.epoch);
      while (ep_.control().poll()) {
      }
    }
    if (duration && t2 >= stop_at) break;
  }
  ep_.control().send(ControlType::done, cfg_.epoch, {}, cfg_.timeout_s);
  if (!duration) r.samples_us = latency_samples_us(t_post_, t_done_, clock_.ticks_per_ns() * 1000.0, 1.0);
  r.validation = validation_;
  return r;
}

}  // namespace fabricperf::verbs
