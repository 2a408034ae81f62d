#pragma once
// The bandwidth engine: streams write / write_imm / read / send work requests over an
// Endpoint's QPs and measures bytes over first post -> last completion (perftest's
// definition). Uni- or bidirectional, multi-QP, tx depth, CQ moderation (-Q), post lists (-l),
// inline, a fixed iteration count (-n) or a duration (-D) after a warm-up.
//
// Hot loop: pre-built WR chains, completions polled 32 at a time, no allocation, logging or
// virtual call per work request (--validate adds a pattern fill/check per message). Completed
// messages are also counted per fixed window (windows.hpp) at each poll that completed any. Every wait
// has a deadline: no progress for timeout_s raises PeerError naming the peer and the operation.
#include <infiniband/verbs.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "fabricperf/clock.hpp"
#include "fabricperf/verbs/endpoint.hpp"
#include "fabricperf/verbs/metrics.hpp"
#include "fabricperf/verbs/ops.hpp"
#include "fabricperf/verbs/validation.hpp"
#include "fabricperf/verbs/windows.hpp"

namespace fabricperf::verbs {

inline constexpr std::size_t kUdGrhBytes = 40;

// Bytes between message slots in a QP region for messages up to max_size. Saturates (at the
// largest multiple of 64) instead of wrapping near 2^64; check_message_size refuses such sizes.
[[nodiscard]] constexpr std::size_t slot_stride(std::uint64_t max_size, bool ud) noexcept {
  constexpr std::uint64_t top = std::numeric_limits<std::size_t>::max() / 64 * 64;
  if (max_size > top - 64 - kUdGrhBytes) return static_cast<std::size_t>(top);
  return static_cast<std::size_t>((max_size + (ud ? kUdGrhBytes : 0) + 63) / 64 * 64);
}

// initiator: the side that posts (the perftest client); target: the side written to/read
// from/sent to. With bidirectional both sides post and both receive.
enum class Role { initiator, target };

struct BandwidthConfig {
  Op op = Op::write;
  std::uint64_t size = 65536;
  std::uint64_t iterations = 5000;  // per QP; ignored when duration_s > 0
  double duration_s = 0;            // -D: measure for this long after warmup_s
  double warmup_s = 0;
  double window_s = kDefaultWindowMs / 1000;  // windowed bandwidth (windows.hpp); 0: none
  std::uint32_t tx_depth = 128;               // outstanding work requests per QP
  std::uint32_t rx_depth = 512;               // posted receives per QP (send, write_imm)
  std::uint32_t cq_mod = 100;                 // a completion every cq_mod work requests
  std::uint32_t post_list = 1;                // work requests per ibv_post_send
  bool use_inline = false;
  bool bidirectional = false;
  bool validate = false;    // every message carries its own pattern; receivers check
  std::uint32_t slots = 1;  // message slots per QP region (>= tx depth used with validate)
  double timeout_s = 30;
  std::uint64_t epoch = 1;  // distinct per run; both sides use the same value
};

struct BandwidthResult {
  bool transmitted = false;
  BandwidthFigures tx;          // this side's transmit measurement
  WindowFigures tx_windows;     // the same measurement over fixed windows
  std::uint64_t posted = 0;     // all QPs, including warm-up and drain
  std::uint64_t received = 0;   // receive completions (send, write_imm)
  std::uint64_t peer_sent = 0;  // from the peer's end-of-run message
  ValidationOutcome validation;
};

class BandwidthEngine {
 public:
  BandwidthEngine(Endpoint& endpoint, const CycleClock& clock);
  // Builds work requests, posts receives and fills validation buffers. Call before the barrier
  // that starts both sides. Allocates; run() does not.
  void prepare(const BandwidthConfig& config, Role role);
  // Runs to the end (both directions finished and acknowledged). Throws PeerError.
  BandwidthResult run();

 private:
  struct TxQp {
    ibv_qp* qp = nullptr;
    std::uint64_t posted = 0, completed = 0, last_signaled = 0, target = 0;
    std::uint64_t local_base = 0, remote_base = 0;
    std::size_t local_offset = 0;
  };
  void post_some(TxQp& q, std::uint32_t index);
  void validate_written_regions();
  [[noreturn]] void fail_wc(const ibv_wc& wc, const char* what) const;
  [[noreturn]] void fail_timeout(double idle_s) const;
  [[nodiscard]] std::string what_running() const;

  Endpoint& ep_;
  const CycleClock& clock_;
  BandwidthConfig cfg_;
  Role role_ = Role::initiator;
  bool tx_ = false, expect_peer_ = false, rx_ = false, ud_ = false;
  std::size_t stride_ = 0;
  std::uint32_t depth_ = 0;  // effective tx depth
  int base_flags_ = 0;
  std::vector<TxQp> txq_;
  std::vector<ibv_send_wr> wrs_;
  std::vector<ibv_sge> sges_;
  std::vector<std::uint64_t> rx_count_;
  std::vector<CompletionSample> samples_;
  std::size_t nsamples_ = 0;
  std::uint64_t sample_every_ticks_ = 0;  // -D: spread the bounded samples over the run
  WindowRecorder windows_;
  std::uint64_t total_completed_ = 0;
  std::uint64_t received_ = 0;
  ValidationOutcome validation_;
  std::vector<std::uint64_t> peer_counts_;
};

}  // namespace fabricperf::verbs
