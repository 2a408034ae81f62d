#include "fabricperf/verbs/metrics.hpp"

#include <algorithm>

#include "fabricperf/error.hpp"

namespace fabricperf::verbs {

double bandwidth_gbps(std::uint64_t bytes, double seconds) noexcept {
  return seconds > 0 ? static_cast<double>(bytes) * 8.0 / seconds / 1e9 : 0.0;
}

double message_rate_mpps(std::uint64_t messages, double seconds) noexcept {
  return seconds > 0 ? static_cast<double>(messages) / seconds / 1e6 : 0.0;
}

double bandwidth_MiBps(std::uint64_t bytes, double seconds) noexcept {
  return seconds > 0 ? static_cast<double>(bytes) / seconds / 1048576.0 : 0.0;
}

double gbps_to_MiBps(double gbps) noexcept { return gbps * 1e9 / 8.0 / 1048576.0; }

std::optional<double> line_rate_pct(double gbps, double line_rate_gbps) noexcept {
  if (line_rate_gbps <= 0) return std::nullopt;
  return 100.0 * gbps / line_rate_gbps;
}

double peak_message_rate(std::span<const CompletionSample> samples, std::uint64_t min_window_ticks,
                         double ticks_per_second) noexcept {
  if (samples.size() < 2 || ticks_per_second <= 0) return 0.0;
  if (min_window_ticks == 0) min_window_ticks = 1;
  double best = 0;
  std::size_t j = 0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (j < i) j = i;
    while (j < samples.size() && samples[j].ticks - samples[i].ticks < min_window_ticks) ++j;
    if (j == samples.size()) break;
    const auto& a = samples[i];
    const auto& b = samples[j];
    if (b.ticks <= a.ticks || b.messages < a.messages) continue;
    const double rate = static_cast<double>(b.messages - a.messages) * ticks_per_second /
                        static_cast<double>(b.ticks - a.ticks);
    best = std::max(best, rate);
  }
  return best;
}

PostingLimits duration_posting_limits(std::uint64_t size, std::uint32_t depth, std::uint32_t cq_mod,
                                      std::uint32_t post_list) noexcept {
  const std::uint64_t bytes = std::max<std::uint64_t>(size, 1);
  const auto per = [&](std::uint64_t budget) { return std::max<std::uint64_t>(1, budget / bytes); };
  PostingLimits l;
  l.cq_mod = static_cast<std::uint32_t>(std::min<std::uint64_t>(std::max<std::uint32_t>(cq_mod, 1), per(kDurationSignalBytes)));
  const std::uint64_t floor = std::max<std::uint64_t>({2ULL * l.cq_mod, post_list, 1});
  l.depth = static_cast<std::uint32_t>(std::min<std::uint64_t>(depth, std::max(floor, per(kDurationInflightBytes))));
  l.depth = std::max(l.depth, std::min(depth, post_list));
  l.cq_mod = std::min(l.cq_mod, l.depth);
  return l;
}

BandwidthFigures compute_bandwidth(std::span<const CompletionSample> samples, std::uint64_t start_ticks,
                                   std::uint64_t start_messages, std::uint64_t message_bytes,
                                   double ticks_per_second) noexcept {
  BandwidthFigures f;
  if (samples.empty() || ticks_per_second <= 0) return f;
  const auto& last = samples.back();
  if (last.ticks <= start_ticks || last.messages <= start_messages) return f;
  f.messages = last.messages - start_messages;
  f.bytes = f.messages * message_bytes;
  f.seconds = static_cast<double>(last.ticks - start_ticks) / ticks_per_second;
  f.bw_avg_gbps = bandwidth_gbps(f.bytes, f.seconds);
  f.msg_rate_mpps = message_rate_mpps(f.messages, f.seconds);
  // Peak: the best stretch of at least 5% of the run, from the first post on.
  std::vector<CompletionSample> with_start;
  with_start.reserve(samples.size() + 1);
  with_start.push_back({start_ticks, start_messages});
  for (const auto& s : samples)
    if (s.ticks >= start_ticks && s.messages >= start_messages) with_start.push_back(s);
  const double peak = peak_message_rate(with_start, (last.ticks - start_ticks) / 20, ticks_per_second);
  f.bw_peak_gbps = std::max(f.bw_avg_gbps, peak * static_cast<double>(message_bytes) * 8.0 / 1e9);
  return f;
}

std::vector<double> latency_samples_us(std::span<const std::uint64_t> post_ticks,
                                       std::span<const std::uint64_t> done_ticks, double ticks_per_us,
                                       double divisor) {
  if (post_ticks.size() != done_ticks.size()) throw Error("latency_samples_us: timestamp arrays differ in length");
  std::vector<double> out;
  out.reserve(post_ticks.size());
  for (std::size_t i = 0; i < post_ticks.size(); ++i) {
    const std::uint64_t d = done_ticks[i] >= post_ticks[i] ? done_ticks[i] - post_ticks[i] : 0;
    out.push_back(static_cast<double>(d) / ticks_per_us / divisor);
  }
  return out;
}

}  // namespace fabricperf::verbs
