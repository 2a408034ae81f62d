#pragma once
// The latency engine: one message in flight on QP 0 of an Endpoint.
//   write: ping-pong on polled memory like ib_write_lat (each side writes the peer's buffer,
//          the peer spins on the last byte); reports half the round trip.
//   send:  ping-pong with send/receive; half the round trip.
//   read, atomic_fa, atomic_cs: the initiator waits for each completion; the full round trip.
// Iterations (-n) keep every sample (exact percentiles); a duration (-D) records into a
// LogHistogram after a warm-up. Every wait has a deadline (timeout_s of no progress).
#include <cstdint>
#include <vector>

#include "fabricperf/clock.hpp"
#include "fabricperf/stats.hpp"
#include "fabricperf/verbs/bandwidth_engine.hpp"
#include "fabricperf/verbs/endpoint.hpp"
#include "fabricperf/verbs/ops.hpp"
#include "fabricperf/verbs/validation.hpp"

namespace fabricperf::verbs {

// QP region bytes the latency engine needs for messages up to max_size.
[[nodiscard]] constexpr std::size_t latency_region_bytes(std::uint64_t max_size, bool ud) noexcept {
  return 2 * slot_stride(max_size, ud) + 64;
}

struct LatencyConfig {
  Op op = Op::write;
  std::uint64_t size = 2;
  std::uint64_t iterations = 1000;   // ignored when duration_s > 0
  double duration_s = 0;
  double warmup_s = 0;
  bool use_inline = true;            // when the size fits the QP's inline limit
  bool validate = false;
  std::uint32_t rx_depth = 16;
  double timeout_s = 30;
  std::uint64_t epoch = 1;
};

struct LatencyResult {
  bool measured = false;             // true on the initiator
  bool duration_mode = false;
  std::uint64_t iterations = 0;      // samples taken (excluding warm-up)
  double divisor = 2;                // 2: half round trip; 1: full round trip
  std::vector<double> samples_us;    // iteration mode: one per iteration
  LogHistogram histogram_ns;         // duration mode
  ValidationOutcome validation;
};

class LatencyEngine {
 public:
  LatencyEngine(Endpoint& endpoint, const CycleClock& clock);
  void prepare(const LatencyConfig& config, Role role);
  LatencyResult run();

 private:
  template <typename Wait>
  void spin(Wait&& done, const char* waiting_for, std::uint64_t iteration);
  void post_send_wr(std::uint64_t iteration);
  void post_recv(std::uint32_t j);
  void reap_send();
  void check_incoming(std::uint64_t iteration, std::uint32_t from_qp_tag, std::size_t offset);
  [[nodiscard]] std::string what_running() const;
  [[noreturn]] void fail_timeout(const char* waiting_for, std::uint64_t iteration) const;

  LatencyResult run_pingpong();
  LatencyResult run_one_sided();
  void wait_for_done();

  Endpoint& ep_;
  const CycleClock& clock_;
  LatencyConfig cfg_;
  Role role_ = Role::initiator;
  bool ud_ = false;
  std::size_t stride_ = 0;
  std::size_t recv_off_ = 0, send_off_ = 0, atomic_off_ = 0;
  volatile std::uint8_t* poll_byte_ = nullptr;
  std::uint8_t* source_ = nullptr;
  ibv_send_wr wr_{};
  ibv_sge sge_{};
  std::uint32_t outstanding_ = 0;
  std::uint64_t recv_seen_ = 0;
  std::uint64_t timeout_ticks_ = 0, hb_ticks_ = 0, last_hb_ = 0;
  std::vector<std::uint64_t> t_post_, t_done_;
  ValidationOutcome validation_;
  bool stop_seen_ = false;
};

}  // namespace fabricperf::verbs
