#pragma once
// The arithmetic behind reported numbers, on recorded timestamps, so it is unit-tested apart
// from any device. Bandwidth follows perftest: bytes over first post -> last completion.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace fabricperf::verbs {

// -D mode posting limits, so that -D bounds the wall time of a size step: a completion at
// least every kDurationSignalBytes (the window opens/closes within that much data of the
// warm-up end / D) and at most kDurationInflightBytes in flight per QP (what stopping drains).
// Never fewer than `post_list` in flight. Iteration mode (-n) keeps -t and -Q as given.
inline constexpr std::uint64_t kDurationSignalBytes = 1U << 20;
inline constexpr std::uint64_t kDurationInflightBytes = 16U << 20;
struct PostingLimits {
  std::uint32_t depth = 1;
  std::uint32_t cq_mod = 1;
};
[[nodiscard]] PostingLimits duration_posting_limits(std::uint64_t size, std::uint32_t depth, std::uint32_t cq_mod,
                                                    std::uint32_t post_list) noexcept;

// Cumulative messages completed (all QPs) as of `ticks`.
struct CompletionSample {
  std::uint64_t ticks = 0;
  std::uint64_t messages = 0;
};

struct BandwidthFigures {
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;
  double seconds = 0;
  double bw_avg_gbps = 0;    // 1 Gb/s = 1e9 bit/s
  double bw_peak_gbps = 0;   // >= bw_avg_gbps
  double msg_rate_mpps = 0;
};

[[nodiscard]] double bandwidth_gbps(std::uint64_t bytes, double seconds) noexcept;
[[nodiscard]] double message_rate_mpps(std::uint64_t messages, double seconds) noexcept;
// perftest's MB/sec (2^20 bytes per second).
[[nodiscard]] double bandwidth_MiBps(std::uint64_t bytes, double seconds) noexcept;
// A rate in Gb/s (1e9 bit/s) as MiB/s (2^20 byte/s): what the tools' tables print without --report_gbits.
[[nodiscard]] double gbps_to_MiBps(double gbps) noexcept;
// 100 * gbps / line; nullopt when the line rate is unknown (0).
[[nodiscard]] std::optional<double> line_rate_pct(double gbps, double line_rate_gbps) noexcept;

// Highest message rate (messages/s) over any stretch of consecutive samples that lasts at
// least `min_window_ticks`, each ending at the first sample that far on (so a burst of completions polled together cannot pose as the
// link's speed); 0 with fewer than two samples or when no stretch is that long.
[[nodiscard]] double peak_message_rate(std::span<const CompletionSample> samples, std::uint64_t min_window_ticks,
                                       double ticks_per_second) noexcept;

// Average over [start_ticks, samples.back()] (start = the first post; messages counted from
// start_messages); peak over stretches of at least 1/20 of that time (never below the average).
[[nodiscard]] BandwidthFigures compute_bandwidth(std::span<const CompletionSample> samples, std::uint64_t start_ticks,
                                                 std::uint64_t start_messages, std::uint64_t message_bytes,
                                                 double ticks_per_second) noexcept;

// Latency samples in microseconds from post/arrival timestamps: (arrival - post) / divisor
// (2 for a ping-pong half round trip, 1 for read/atomic round trips).
[[nodiscard]] std::vector<double> latency_samples_us(std::span<const std::uint64_t> post_ticks,
                                                     std::span<const std::uint64_t> done_ticks,
                                                     double ticks_per_us, double divisor);

}  // namespace fabricperf::verbs
