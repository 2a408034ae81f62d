#include "fabricperf/verbs/bandwidth_engine.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <limits>
#include <thread>

#include "fabricperf/error.hpp"
#include "fabricperf/log.hpp"
#include "fabricperf/sizes.hpp"
#include "fabricperf/verbs/completion.hpp"
#include "fabricperf/verbs/engine_options.hpp"
#include "fabricperf/verbs/message_size.hpp"
#include "fabricperf/verbs/pattern.hpp"
#include "fabricperf/verbs/rate.hpp"

namespace fabricperf::verbs {
namespace {

constexpr std::uint64_t kCountMask = (1ULL << 48) - 1;
constexpr int kPollBatch = 32;
constexpr std::size_t kMaxSamples = 1U << 20;
constexpr std::uint64_t kInfinite = std::numeric_limits<std::uint64_t>::max() / 2;

ibv_wr_opcode wr_opcode(Op op) {
  switch (op) {
    case Op::write: return IBV_WR_RDMA_WRITE;
    case Op::write_imm: return IBV_WR_RDMA_WRITE_WITH_IMM;
    case Op::read: return IBV_WR_RDMA_READ;
    case Op::send: return IBV_WR_SEND;
    default: throw UsageError("the bandwidth engine does not run " + std::string(to_string(op)));
  }
}

}  // namespace

BandwidthEngine::BandwidthEngine(Endpoint& endpoint, const CycleClock& clock) : ep_(endpoint), clock_(clock) {}

std::string BandwidthEngine::what_running() const {
  return std::string(to_string(cfg_.op)) + (cfg_.bidirectional ? " bidirectional" : "") + " bandwidth, " +
         messages_of_size(cfg_.size);
}

void BandwidthEngine::fail_wc(const ibv_wc& wc, const char* what) const {
  throw PeerError(ep_.peer(), std::string(what) + " with " + ep_.peer() + " failed during " + what_running() + " (QP " +
                                  std::to_string(wc.qp_num) + ", vendor error " + std::to_string(wc.vendor_err) + ": " +
                                  completion_problem(wc) + ")");
}

void BandwidthEngine::fail_timeout(double idle_s) const {
  std::uint64_t posted = 0, completed = 0;
  for (const auto& q : txq_) {
    posted += q.posted;
    completed += q.completed;
  }
  std::string state;
  if (tx_) state += "posted " + std::to_string(posted) + ", completed " + std::to_string(completed);
  if (rx_) state += std::string(state.empty() ? "" : ", ") + "received " + std::to_string(received_);
  if (state.empty()) state = "waiting for its end-of-run message";
  throw PeerError(ep_.peer(), "no progress from " + ep_.peer() + " for " + std::to_string(static_cast<int>(idle_s)) +
                                  " s during " + what_running() + " (" + state + ")");
}

void BandwidthEngine::prepare(const BandwidthConfig& config, Role role) {
  cfg_ = config;
  role_ = role;
  ud_ = ep_.config().qp.type == IBV_QPT_UD;
  tx_ = role == Role::initiator || cfg_.bidirectional;
  expect_peer_ = role == Role::target || cfg_.bidirectional;
  rx_ = expect_peer_ && needs_receives(cfg_.op);
  if (ud_ && cfg_.op != Op::send) throw UsageError("UD supports only send");
  if (ud_ && cfg_.size > static_cast<std::uint64_t>(mtu_to_bytes(ep_.port().mtu)))
    throw UsageError("UD messages must fit the MTU (" + std::to_string(mtu_to_bytes(ep_.port().mtu)) + " bytes)");
  if (cfg_.size == 0) throw UsageError("message size must be at least 1 byte");
  check_message_size(cfg_.size, ep_.port().max_msg_sz, port_name(ep_.port()));
  stride_ = slot_stride(cfg_.size, ud_);
  if (cfg_.slots == 0) cfg_.slots = 1;
  if (stride_ * cfg_.slots > ep_.config().bytes_per_qp)
    throw Error("internal: " + std::to_string(cfg_.slots) + " slots of " + std::to_string(stride_) +
                " bytes do not fit a QP region of " + std::to_string(ep_.config().bytes_per_qp));
  const std::uint32_t nqps = ep_.num_qps();
  const std::uint32_t L = std::max<std::uint32_t>(1, cfg_.post_list);
  depth_ = std::min(cfg_.tx_depth, ep_.config().qp.send_depth);
  if (cfg_.validate) depth_ = std::min<std::uint32_t>(depth_, cfg_.slots);
  if (L > depth_) throw UsageError("post list (-l) larger than the tx depth (-t)");
  cfg_.cq_mod = std::clamp<std::uint32_t>(cfg_.cq_mod, 1, depth_);
  if (cfg_.duration_s > 0) {
    const auto limits = duration_posting_limits(cfg_.size, depth_, cfg_.cq_mod, L);
    depth_ = limits.depth;
    cfg_.cq_mod = limits.cq_mod;
  }
  if (cfg_.validate) cfg_.cq_mod = 1;
  // Inline copies the payload with the CPU: only messages that fit, from host-readable memory.
  if (cfg_.use_inline && (cfg_.size > ep_.max_inline() || !ep_.buffer().host_accessible())) cfg_.use_inline = false;
  base_flags_ = cfg_.use_inline && cfg_.op != Op::read ? IBV_SEND_INLINE : 0;
  if (cfg_.validate) base_flags_ |= IBV_SEND_SIGNALED;

  const bool duration = cfg_.duration_s > 0;
  txq_.assign(nqps, TxQp{});
  wrs_.assign(static_cast<std::size_t>(nqps) * L, ibv_send_wr{});
  sges_.assign(static_cast<std::size_t>(nqps) * L, ibv_sge{});
  const ibv_wr_opcode opcode = wr_opcode(cfg_.op);
  for (std::uint32_t q = 0; q < nqps; ++q) {
    auto& t = txq_[q];
    t.qp = ep_.qp(q);
    t.target = duration ? kInfinite : cfg_.iterations;
    t.local_offset = ep_.region_offset(q);
    t.local_base = ep_.region_address(q);
    t.remote_base = ep_.remote(q).addr;
    for (std::uint32_t k = 0; k < L; ++k) {
      const std::size_t i = static_cast<std::size_t>(q) * L + k;
      ibv_sge& sge = sges_[i];
      sge.addr = t.local_base;
      sge.length = sge_length(cfg_.size);
      sge.lkey = ep_.lkey();
      ibv_send_wr& wr = wrs_[i];
      wr.sg_list = &sge;
      wr.num_sge = 1;
      wr.opcode = opcode;
      wr.send_flags = base_flags_;
      wr.next = k + 1 < L ? &wrs_[i + 1] : nullptr;
      if (ud_) {
        wr.wr.ud.ah = ep_.ah();
        wr.wr.ud.remote_qpn = ep_.remote(q).qpn;
        wr.wr.ud.remote_qkey = ep_.config().qp.qkey;
      } else {
        wr.wr.rdma.remote_addr = t.remote_base;
        wr.wr.rdma.rkey = ep_.remote(q).rkey;
      }
    }
  }

  // Samples for the peak: one per completion batch, bounded.
  const std::uint64_t expected =
      duration ? 8192 : std::min<std::uint64_t>(kMaxSamples, nqps * (cfg_.iterations / cfg_.cq_mod + 2) + 16);
  samples_.assign(tx_ ? expected : 0, CompletionSample{});
  nsamples_ = 0;
  // -D: at most ~4000 samples over the measured time (the peak uses stretches of >= 5 %).
  sample_every_ticks_ =
      duration ? static_cast<std::uint64_t>(cfg_.duration_s / 4000 * clock_.ticks_per_ns() * 1e9) : 0;
  total_completed_ = 0;
  received_ = 0;
  validation_ = ValidationOutcome{};
  validation_.enabled = cfg_.validate;
  peer_counts_.assign(nqps, 0);
  rx_count_.assign(nqps, 0);

  // Receives: topped up to rx_depth per QP on the endpoint's ring (a previous run's receives
  // stay posted and take this run's first messages). With --validate at most `slots` so no slot
  // has two receives in flight.
  if (rx_) {
    std::uint32_t rx_depth = std::min(cfg_.rx_depth, ep_.config().qp.recv_depth);
    if (cfg_.validate) rx_depth = std::min<std::uint32_t>(rx_depth, cfg_.slots);
    ep_.top_up_receives(rx_depth, cfg_.validate ? cfg_.slots : 1);
  }

  // Validation buffers: the read target holds one pattern per slot; write/send senders fill
  // per message as they post.
  if (cfg_.validate && cfg_.op == Op::read && expect_peer_) {
    for (std::uint32_t q = 0; q < nqps; ++q)
      for (std::uint32_t s = 0; s < cfg_.slots; ++s)
        ep_.buffer().fill_pattern(ep_.region_offset(q) + s * stride_, cfg_.size, message_seed(cfg_.epoch, q, s));
  }
}

void BandwidthEngine::post_some(TxQp& q, std::uint32_t index) {
  const std::uint32_t L = std::max<std::uint32_t>(1, cfg_.post_list);
  ibv_send_wr* const chain = &wrs_[static_cast<std::size_t>(index) * L];
  while (q.posted < q.target) {
    const std::uint64_t chunk = std::min<std::uint64_t>(L, q.target - q.posted);
    if (q.posted - q.completed + chunk > depth_) return;
    const std::uint64_t after = q.posted + chunk;
    for (std::uint64_t k = 0; k < chunk; ++k) {
      ibv_send_wr& wr = chain[k];
      const std::uint64_t iter = q.posted + k;
      wr.wr_id = (static_cast<std::uint64_t>(index) << 48) | (iter + 1);
      if (cfg_.slots > 1) {
        const std::uint64_t off = (iter % cfg_.slots) * stride_;
        wr.sg_list->addr = q.local_base + off;
        if (!ud_) wr.wr.rdma.remote_addr = q.remote_base + off;
      }
      if (cfg_.validate) {
        const std::size_t at = q.local_offset + (iter % cfg_.slots) * stride_;
        if (cfg_.op == Op::read)
          ep_.buffer().fill_pattern(at, cfg_.size, poison_seed(message_seed(cfg_.epoch, index, iter % cfg_.slots)));
        else
          ep_.buffer().fill_pattern(at, cfg_.size, message_seed(cfg_.epoch, index, iter));
      }
      if (cfg_.op == Op::write_imm) wr.imm_data = htonl(static_cast<std::uint32_t>(iter));
    }
    ibv_send_wr& last = chain[chunk - 1];
    // Signal when cq_mod requests went by since the last signal, at the end, or when the next
    // chunk could not be posted without a completion (never wait on unsignaled work).
    const bool signal = cfg_.validate || after - q.last_signaled >= cfg_.cq_mod || after == q.target ||
                        after - q.completed + L > depth_;
    if (!cfg_.validate) last.send_flags = base_flags_ | (signal ? IBV_SEND_SIGNALED : 0);
    ibv_send_wr* saved_next = last.next;
    last.next = nullptr;
    ibv_send_wr* bad = nullptr;
    const int rc = ibv_post_send(q.qp, chain, &bad);
    last.next = saved_next;
    if (rc != 0)
      throw PeerError(ep_.peer(), errno_message("posting " + std::string(to_string(cfg_.op)) + " work requests to " +
                                                    ep_.peer() + " during " + what_running(),
                                                rc));
    q.posted = after;
    if (signal) q.last_signaled = after;
  }
}

void BandwidthEngine::validate_written_regions() {
  // write / write_imm target: every slot holds the last message written to it.
  const std::uint32_t nqps = ep_.num_qps();
  for (std::uint32_t q = 0; q < nqps; ++q) {
    const std::uint64_t c = peer_counts_[q];
    for (std::uint64_t s = 0; s < std::min<std::uint64_t>(cfg_.slots, c); ++s) {
      const std::uint64_t iter = s + (c - 1 - s) / cfg_.slots * cfg_.slots;
      const auto bad = ep_.buffer().check_pattern(ep_.region_offset(q) + s * stride_, cfg_.size,
                                                  message_seed(cfg_.epoch, q, iter));
      if (bad)
        validation_.record_mismatch(q, iter, *bad);
      else
        validation_.record_ok();
    }
  }
}

BandwidthResult BandwidthEngine::run() {
  FP_LOG(trace, "engine") << what_running() << " with " << ep_.peer() << ": starting, "
                          << run_length_text(cfg_.duration_s, cfg_.warmup_s, cfg_.iterations);
  const std::uint32_t nqps = ep_.num_qps();
  const bool duration = cfg_.duration_s > 0;
  const double tps = clock_.ticks_per_ns() * 1e9;
  const auto ticks = [&](double s) { return static_cast<std::uint64_t>(s * tps); };
  const std::uint64_t timeout_ticks = ticks(cfg_.timeout_s);
  const std::uint64_t hb_ticks = ticks(std::min(0.25, cfg_.timeout_s / 4));
  ControlChannel& ctrl = ep_.control();
  ibv_cq* const scq = ep_.send_cq();
  ibv_cq* const rcq = ep_.recv_cq();
  ReceiveRing& ring = ep_.receives();
  ibv_wc wc[kPollBatch];

  bool tx_finished = !tx_;
  bool done_sent = !tx_;
  bool peer_done = !expect_peer_;
  bool peer_msg = false;
  bool stopped = false;          // duration mode: no more measured posts
  bool window_open = !duration;  // samples count toward the figures
  std::uint64_t start_ticks = 0, start_msgs = 0;
  CompletionSample window_end{};
  std::uint64_t ud_quiet_since = 0;

  const std::uint64_t t0 = clock_.now();
  std::uint64_t now = t0;
  std::uint64_t last_progress = t0, last_hb = t0;
  const std::uint64_t warm_end = t0 + ticks(cfg_.warmup_s);
  const std::uint64_t stop_at = warm_end + ticks(cfg_.duration_s);
  start_ticks = t0;
  const std::uint64_t window_ticks = cfg_.window_s > 0 ? std::max<std::uint64_t>(1, ticks(cfg_.window_s)) : 0;
  windows_.start(t0, 0, duration ? 0 : window_ticks);  // -D: starts when the warm-up ends
  unsigned idle = 0;
  const bool passive_only = !tx_ && !rx_;

  while (true) {
    bool progress = false;
    if (tx_ && !tx_finished) {
      for (std::uint32_t q = 0; q < nqps; ++q) post_some(txq_[q], q);
      const int n = ibv_poll_cq(scq, kPollBatch, wc);
      if (n < 0) throw PeerError(ep_.peer(), "polling the send completion queue failed during " + what_running());
      if (n > 0) {
        for (int i = 0; i < n; ++i) {
          if (wc[i].status != IBV_WC_SUCCESS) fail_wc(wc[i], to_string(cfg_.op).data());
          const auto qi = static_cast<std::uint32_t>(wc[i].wr_id >> 48);
          const std::uint64_t c = wc[i].wr_id & kCountMask;
          TxQp& q = txq_[qi];
          if (c > q.completed) {
            total_completed_ += c - q.completed;
            q.completed = c;
          }
          if (cfg_.validate && cfg_.op == Op::read) {
            const std::uint64_t iter = c - 1;
            const std::uint64_t slot = iter % cfg_.slots;
            const auto bad = ep_.buffer().check_pattern(q.local_offset + slot * stride_, cfg_.size,
                                                        message_seed(cfg_.epoch, qi, slot));
            if (bad)
              validation_.record_mismatch(qi, iter, *bad);
            else
              validation_.record_ok();
          }
        }
        now = clock_.now();
        progress = true;
        if (window_open && nsamples_ < samples_.size() &&
            (nsamples_ == 0 || now - samples_[nsamples_ - 1].ticks >= sample_every_ticks_))
          samples_[nsamples_++] = {now, total_completed_};
        if (window_open) {
          window_end = {now, total_completed_};
          windows_.add(now, total_completed_);
        }
        if (duration) {
          if (!window_open && !stopped && now >= warm_end) {
            window_open = true;
            start_ticks = now;
            start_msgs = total_completed_;
            window_end = {now, total_completed_};
            windows_.start(now, total_completed_, window_ticks);
          } else if (window_open && !stopped && now >= stop_at) {
            stopped = true;
            window_open = false;
            // Stop posting; one more signaled request per QP whose tail is unsignaled.
            for (auto& q : txq_) q.target = q.posted + (q.posted > q.last_signaled ? 1 : 0);
          }
        }
        bool all = true;
        for (const auto& q : txq_) all = all && q.completed >= q.target;
        if (all) tx_finished = true;
      }
    }
    if (rx_) {
      const int n = ibv_poll_cq(rcq, kPollBatch, wc);
      if (n < 0) throw PeerError(ep_.peer(), "polling the receive completion queue failed during " + what_running());
      for (int i = 0; i < n; ++i) {
        if (wc[i].status != IBV_WC_SUCCESS) fail_wc(wc[i], "receiving");
        const std::uint32_t qi = ReceiveRing::qp_of(wc[i].wr_id);
        const std::uint32_t j = ReceiveRing::id_of(wc[i].wr_id);
        ring.consumed(qi, j);
        const std::uint64_t k = rx_count_[qi]++;
        ++received_;
        if (cfg_.validate && cfg_.op == Op::send) {
          const std::size_t at = ring.offset(qi, j) + (ud_ ? kUdGrhBytes : 0);
          const auto bad = ep_.buffer().check_pattern(at, cfg_.size, message_seed(cfg_.epoch, qi, k));
          if (bad || wc[i].byte_len != cfg_.size + (ud_ ? kUdGrhBytes : 0))
            validation_.record_mismatch(qi, k, bad.value_or(wc[i].byte_len));
          else
            validation_.record_ok();
        }
        if (int rc = ring.repost(ep_.qp(qi), qi, j); rc != 0)
          throw_errno("re-posting a receive during " + what_running(), rc);
      }
      if (n > 0) progress = true;
    }

    if (progress) {
      last_progress = now;
      idle = 0;
    } else if ((++idle & 63U) == 0 || passive_only || tx_finished) {
      now = clock_.now();
    }

    // Control channel: the peer's heartbeats and end-of-run message.
    if (expect_peer_ && !peer_done && (passive_only || tx_finished || (idle & 63U) == 0 || progress)) {
      while (auto m = ctrl.poll()) {
        last_progress = now;
        if (m->type == ControlType::done && m->epoch == cfg_.epoch) {
          peer_msg = true;
          for (std::uint32_t q = 0; q < nqps && q < m->count_n; ++q) peer_counts_[q] = m->counts[q];
        }
      }
      if (peer_msg) {
        if (!rx_) {
          peer_done = true;
        } else {
          std::uint64_t expected = 0;
          for (auto c : peer_counts_) expected += c;
          if (received_ >= expected) {
            peer_done = true;
          } else if (ud_) {
            // UD drops messages; after the end message, wait for the queue to go quiet.
            if (progress || ud_quiet_since == 0) ud_quiet_since = now;
            if (now - ud_quiet_since > ticks(0.2)) peer_done = true;
          }
        }
      }
    }

    if (tx_finished && !done_sent) {
      std::uint64_t counts[kMaxQpsPerEndpoint];
      for (std::uint32_t q = 0; q < nqps; ++q) counts[q] = txq_[q].posted;
      ctrl.send(ControlType::done, cfg_.epoch, std::span<const std::uint64_t>(counts, nqps), cfg_.timeout_s);
      done_sent = true;
      now = clock_.now();
      last_progress = now;
    }
    if (tx_finished && done_sent && peer_done) break;

    if (tx_ && now - last_hb > hb_ticks) {
      last_hb = now;
      (void)ctrl.try_send(ControlType::heartbeat, cfg_.epoch);
      if (!expect_peer_)
        while (ctrl.poll()) {
        }
    }
    if (now > last_progress && now - last_progress > timeout_ticks) fail_timeout(cfg_.timeout_s);
    if (passive_only) ctrl.wait(100);  // sleep until the peer's next control message
  }

  if (cfg_.validate && expect_peer_ && (cfg_.op == Op::write || cfg_.op == Op::write_imm)) validate_written_regions();

  BandwidthResult r;
  r.transmitted = tx_;
  for (const auto& q : txq_) r.posted += q.posted;
  r.received = received_;
  for (auto c : peer_counts_) r.peer_sent += c;
  r.validation = validation_;
  if (tx_) {
    std::size_t n = nsamples_;
    // Make sure the window's last point is the last sample.
    std::vector<CompletionSample> s(samples_.begin(), samples_.begin() + static_cast<std::ptrdiff_t>(n));
    if (s.empty() || s.back().ticks != window_end.ticks) s.push_back(window_end);
    if (duration) {
      // Drop samples outside [start, window_end].
      std::erase_if(s, [&](const CompletionSample& x) { return x.ticks < start_ticks || x.ticks > window_end.ticks; });
    }
    r.tx = compute_bandwidth(s, start_ticks, start_msgs, cfg_.size, tps);
    r.tx_windows = windows_.figures(cfg_.size, tps);
  }
  return r;
}

}  // namespace fabricperf::verbs
