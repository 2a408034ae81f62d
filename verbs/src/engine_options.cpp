#include "fabricperf/verbs/engine_options.hpp"

#include <algorithm>
#include <sstream>

#include "fabricperf/cli.hpp"
#include "fabricperf/error.hpp"
#include "fabricperf/verbs/message_size.hpp"

namespace fabricperf::verbs {
namespace {
constexpr std::size_t kValidateBytesPerQp = 64U << 20;
constexpr std::uint32_t kLatencySendDepth = 16;
}  // namespace

EngineOptions bandwidth_defaults() noexcept {
  return EngineOptions{};
}

EngineOptions latency_defaults() noexcept {
  EngineOptions o;
  o.iterations = 1000;
  o.tx_depth = kLatencySendDepth;
  o.rx_depth = 16;
  o.cq_mod = 1;
  o.inline_size = 220;
  return o;
}

namespace {
void add_common(CLI::App& app, EngineOptions& o, const char* iterations_help) {
  app.add_option("-n,--iters", o.iterations, iterations_help)->check(integer_in(1, 1LL << 40))->capture_default_str();
  app.add_option("-D,--duration", o.duration_s, "Run for this many seconds instead of -n")->check(number_above(0, 1e6));
  app.add_option("--warmup", o.warmup_s, "Warm-up seconds before a -D measurement (default: min(2, D/4))")
      ->check(number_in(0, 1e6));
  app.add_flag("--validate", o.validate, "Give every message its own pattern and check every byte at the receiver");
}

// A count option from 1 to `most`, its default shown in --help.
void add_count_option(CLI::App& app, const std::string& names, std::uint32_t& value, const std::string& help,
                      std::uint32_t most) {
  app.add_option(names, value, help)->check(CLI::Range(1U, most))->capture_default_str();
}

void add_inline_option(CLI::App& app, EngineOptions& o) {
  app.add_option("-I,--inline_size", o.inline_size, "Send messages up to this size inline")
      ->check(CLI::Range(0U, 4096U))
      ->capture_default_str();
}
}  // namespace

void add_bandwidth_options(CLI::App& app, EngineOptions& o) {
  add_common(app, o, "Messages per QP");
  add_count_option(app, "-q,--qp", o.qps, "Number of QPs", 64);
  add_count_option(app, "-t,--tx-depth", o.tx_depth, "Outstanding sends per QP", 16384);
  add_count_option(app, "-r,--rx-depth", o.rx_depth, "Posted receives per QP (send)", 16384);
  add_count_option(app, "-Q,--cq-mod", o.cq_mod, "Request a completion every N messages", 16384);
  add_count_option(app, "-l,--post_list", o.post_list, "Work requests per post call", 1024);
  add_inline_option(app, o);
  app.add_option("-o,--outs", o.outstanding_reads, "Outstanding RDMA reads per QP (default: the device's maximum)")
      ->check(CLI::Range(1U, 255U));
  app.add_flag("-b,--bidirectional", o.bidirectional, "Measure both directions at once (reports the sum)");
  app.add_option("--window-ms", o.window_ms,
                 "Window for the minimum bandwidth and its variation (JSON bw_min_gbps, bw_cv; needs a run of two "
                 "windows)")
      ->check(number_in(1, 3.6e6))
      ->capture_default_str();
}

void add_latency_options(CLI::App& app, EngineOptions& o) {
  add_common(app, o, "Iterations (every sample kept: exact percentiles)");
  add_inline_option(app, o);
  add_count_option(app, "-r,--rx-depth", o.rx_depth, "Posted receives (send)", 4096);
}

void check_engine_options(const EngineOptions& o) {
  if (o.post_list > o.tx_depth) throw UsageError("post list (-l) must not exceed the tx depth (-t)");
}

nlohmann::json engine_params(const EngineOptions& o, bool bandwidth) {
  nlohmann::json p;
  if (bandwidth) {
    p["qps"] = o.qps;
    p["tx_depth"] = o.tx_depth;
    p["rx_depth"] = o.rx_depth;
    p["cq_mod"] = o.cq_mod;
    p["post_list"] = o.post_list;
    p["bidirectional"] = o.bidirectional;
    p["window_ms"] = o.window_ms;
  }
  p["inline_bytes"] = o.inline_size;
  p["validate"] = o.validate;
  if (o.duration_s > 0) {
    p["duration_s"] = o.duration_s;
    p["warmup_s"] = warmup_seconds(o.duration_s, o.warmup_s);
  } else {
    p["iterations"] = o.iterations;
  }
  return p;
}

double warmup_seconds(double duration_s, double warmup_s) noexcept {
  if (duration_s <= 0) return 0;
  return warmup_s >= 0 ? warmup_s : std::min(2.0, duration_s / 4);
}

std::string run_length_text(double duration_s, double warmup_s, std::uint64_t iterations) {
  std::ostringstream text;
  if (duration_s > 0)
    text << "warm-up " << warmup_s << " s, then " << duration_s << " s measured";
  else
    text << iterations << " iterations per QP, no warm-up";
  return text.str();
}

std::uint32_t message_slots(const EngineOptions& o, std::uint64_t max_size, bool ud) {
  if (!o.validate) return 1;
  const std::size_t stride = slot_stride(max_size, ud);
  return static_cast<std::uint32_t>(
      std::clamp<std::size_t>(kValidateBytesPerQp / stride, 1, std::max(o.tx_depth, o.rx_depth)));
}

namespace {
// What every run takes from the options, whichever engine runs it: the message, -n or -D with
// its warm-up, inline (only messages that fit -I), --validate, the receive depth and the deadline.
template <typename Config>
Config run_config(const EngineOptions& o, Op op, std::uint64_t size, double timeout_s, std::uint64_t epoch) {
  Config c;
  c.op = op;
  c.size = size;
  c.iterations = o.iterations;
  c.duration_s = o.duration_s;
  c.warmup_s = warmup_seconds(o.duration_s, o.warmup_s);
  c.use_inline = o.inline_size > 0 && size <= o.inline_size;
  c.validate = o.validate;
  c.rx_depth = o.rx_depth;
  c.timeout_s = timeout_s;
  c.epoch = epoch;
  return c;
}
}  // namespace

BandwidthConfig bandwidth_config(const EngineOptions& o, Op op, std::uint64_t size, std::uint32_t slots,
                                 double timeout_s, std::uint64_t epoch) {
  auto c = run_config<BandwidthConfig>(o, op, size, timeout_s, epoch);
  c.tx_depth = o.tx_depth;
  c.cq_mod = o.cq_mod;
  c.post_list = o.post_list;
  c.bidirectional = o.bidirectional;
  c.window_s = o.window_ms / 1000;
  c.slots = slots;
  return c;
}

LatencyConfig latency_config(const EngineOptions& o, Op op, std::uint64_t size, double timeout_s, std::uint64_t epoch) {
  return run_config<LatencyConfig>(o, op, size, timeout_s, epoch);
}

EndpointConfig bandwidth_endpoint(const EngineOptions& o, Op op, std::uint64_t max_size, bool ud, std::uint32_t slots) {
  EndpointConfig c;
  c.qp.type = ud ? IBV_QPT_UD : IBV_QPT_RC;
  c.qp.send_depth = o.tx_depth;
  c.qp.recv_depth = needs_receives(op) ? o.rx_depth : 1;
  c.qp.max_inline = o.inline_size;
  if (o.outstanding_reads > 0) c.qp.max_rd_atomic = static_cast<std::uint8_t>(o.outstanding_reads);
  c.num_qps = o.qps;
  c.bytes_per_qp = checked_bytes(slot_stride(max_size, ud), slots, "QP region");
  return c;
}

EndpointConfig latency_endpoint(const EngineOptions& o, Op op, std::uint64_t max_size, bool ud) {
  EndpointConfig c;
  c.qp.type = ud ? IBV_QPT_UD : IBV_QPT_RC;
  c.qp.send_depth = kLatencySendDepth;
  c.qp.recv_depth = needs_receives(op) ? o.rx_depth : 1;
  c.qp.max_inline = o.inline_size;
  c.num_qps = 1;
  c.bytes_per_qp = latency_region_bytes(max_size, ud);
  return c;
}

}  // namespace fabricperf::verbs
