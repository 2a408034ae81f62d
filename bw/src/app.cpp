#include "fabricperf/bw/app.hpp"

#include <algorithm>
#include <iostream>

#include "fabricperf/bw/report.hpp"
#include "fabricperf/cli.hpp"
#include "fabricperf/clock.hpp"
#include "fabricperf/error.hpp"
#include "fabricperf/host_info.hpp"
#include "fabricperf/run_output.hpp"
#include "fabricperf/sizes.hpp"
#include "fabricperf/verbs/bandwidth_engine.hpp"
#include "fabricperf/verbs/message_size.hpp"
#include "fabricperf/verbs/rate.hpp"
#include "fabricperf/verbs/session.hpp"
#include "fabricperf/verbs/sweep.hpp"

namespace fabricperf::bw {
namespace {

using namespace fabricperf::verbs;

struct Options {
  CommonOptions common;
  PerftestSizeOptions sizes;
  SessionOptions session;
  std::string op = "write";
  std::uint64_t iterations = 5000;
  double duration_s = 0;
  double warmup_s = -1;
  std::uint32_t qps = 1;
  std::uint32_t tx_depth = 128;
  std::uint32_t rx_depth = 512;
  std::uint32_t cq_mod = 100;
  std::uint32_t post_list = 1;
  std::uint32_t inline_size = 0;
  std::uint32_t outstanding_reads = 0;  // -o (0: the device's maximum)
  bool bidirectional = false;
  bool report_gbits = false;
  bool validate = false;
};

constexpr std::size_t kValidateBytesPerQp = 64U << 20;

std::string op_title(Op op) {
  switch (op) {
    case Op::write: return "RDMA_Write BW Test";
    case Op::write_imm: return "RDMA_Write_with_imm BW Test";
    case Op::read: return "RDMA_Read BW Test";
    case Op::send: return "Send BW Test";
    default: return "BW Test";
  }
}

int run(const Options& o, int argc, char** argv) {
  const Op op = parse_op(o.op);
  if (is_atomic(op)) throw UsageError("fp_bw measures write, write_imm, read and send (atomics: fp_lat)");
  const bool ud = o.session.connection == "UD" || o.session.connection == "ud";
  if (ud && op != Op::send) throw UsageError("-c UD works only with --op send");
  if (o.bidirectional && op == Op::read) {
    // perftest allows read -b; both sides read from each other.
  }
  const auto sizes = o.sizes.sizes();
  const std::uint64_t max_size = *std::max_element(sizes.begin(), sizes.end());
  check_message_size(max_size);  // before anything is allocated
  if (o.duration_s > 0 && o.iterations == 0) throw UsageError("-n must be positive");
  if (o.post_list > o.tx_depth) throw UsageError("post list (-l) must not exceed the tx depth (-t)");

  // Only the reporting rank writes JSON under MPI.
  const bool mpi_launched = launched_by_mpi_launcher();
  const bool report_json = !mpi_launched || launcher_rank() == 0;
  RunOutput out("fp_bw", command_line(argc, argv), report_json ? o.common.json_path : "");
  std::ostream& human = out.human();
  const bool print = !mpi_launched || launcher_rank() == 0;

  std::string token = "fp_bw/1 op=" + std::string(to_string(op)) + " sizes=" + std::to_string(sizes.size()) + ":" +
                      std::to_string(sizes.front()) + "-" + std::to_string(max_size) + " q=" + std::to_string(o.qps) +
                      " b=" + std::to_string(o.bidirectional) + " c=" + (ud ? "UD" : "RC") +
                      " validate=" + std::to_string(o.validate);
  try {
    Session session(o.session, o.common);
    session.open_devices();
    session.start(token);
    const auto clock = CycleClock::calibrate();
    MemoryProviderRegistry registry;
    auto provider = registry.create(o.session.memory);

    const std::size_t stride = slot_stride(max_size, ud);
    std::uint32_t slots = 1;
    if (o.validate)
      slots = static_cast<std::uint32_t>(std::clamp<std::size_t>(kValidateBytesPerQp / stride, 1, std::max(o.tx_depth, o.rx_depth)));
    session.create_endpoints(*provider, [&](const Device& device) {
      check_message_size(max_size, device.selection().max_msg_sz, port_name(device.selection()));
      EndpointConfig c;
      c.qp.type = ud ? IBV_QPT_UD : IBV_QPT_RC;
      c.qp.send_depth = o.tx_depth;
      c.qp.recv_depth = needs_receives(op) ? o.rx_depth : 1;
      c.qp.max_inline = o.inline_size;
      if (o.outstanding_reads > 0) c.qp.max_rd_atomic = static_cast<std::uint8_t>(o.outstanding_reads);
      c.num_qps = o.qps;
      c.bytes_per_qp = checked_bytes(stride, slots, "QP region");
      return c;
    });
    session.connect();

    // -o, or the device's limit the endpoint clamped the default to.
    const unsigned reads_in_flight =
        session.lanes().empty() ? 0U : session.lanes().front().endpoint->config().qp.max_rd_atomic;
    nlohmann::json params = {{"op", std::string(to_string(op))},
                             {"sizes_bytes", sizes},
                             {"qps", o.qps},
                             {"tx_depth", o.tx_depth},
                             {"rx_depth", o.rx_depth},
                             {"cq_mod", o.cq_mod},
                             {"post_list", o.post_list},
                             {"inline_bytes", o.inline_size},
                             {"outstanding_reads", reads_in_flight},
                             {"bidirectional", o.bidirectional},
                             {"validate", o.validate},
                             {"timeout_s", o.common.timeout_s},
                             {"clock", clock.uses_tsc() ? "tsc" : "monotonic"}};
    if (o.duration_s > 0) {
      params["duration_s"] = o.duration_s;
      params["warmup_s"] = warmup_seconds(o.duration_s, o.warmup_s);
    } else {
      params["iterations"] = o.iterations;
    }
    params.update(session.describe());
    params["memory"] = provider->describe();
    out.set_params(params);
    // Host info of every rank, gathered (rank 0 writes it all).
    const auto hosts = session.gather(collect_host_info());
    if (session.reporting())
      for (const auto& h : hosts) out.add_host(h);

    const bool multi_row = session.lanes().size() > 1 || session.pairs().size() > 1 || mpi_launched;
    if (print) {
      print_banner(human, session, table_rule(), op_title(op));
      human << " Connection     : " << (ud ? "UD" : "RC") << ", " << o.qps << " QP(s), tx depth " << o.tx_depth
            << ", CQ moderation " << o.cq_mod << ", post list " << o.post_list << (o.bidirectional ? ", bidirectional" : "")
            << (o.validate ? ", validating data" : "") << '\n'
            << " Peer           : " << session.peer_name() << " (" << session.bootstrap().kind() << " exchange)\n"
            << table_rule() << '\n'
            << table_header(o.report_gbits, multi_row) << '\n';
    }

    std::vector<BandwidthEngine> engines;
    engines.reserve(session.lanes().size());
    for (auto& lane : session.lanes()) engines.emplace_back(*lane.endpoint, clock);
    std::vector<BandwidthResult> results(engines.size());
    SweepSteps steps;
    steps.prepare = [&](std::uint64_t size, std::uint64_t epoch) {
      BandwidthConfig cfg;
      cfg.op = op;
      cfg.size = size;
      cfg.iterations = o.iterations;
      cfg.duration_s = o.duration_s;
      cfg.warmup_s = warmup_seconds(o.duration_s, o.warmup_s);
      cfg.tx_depth = o.tx_depth;
      cfg.rx_depth = o.rx_depth;
      cfg.cq_mod = o.cq_mod;
      cfg.post_list = o.post_list;
      cfg.use_inline = o.inline_size > 0 && size <= o.inline_size;
      cfg.bidirectional = o.bidirectional;
      cfg.validate = o.validate;
      cfg.slots = slots;
      cfg.timeout_s = o.common.timeout_s;
      cfg.epoch = epoch;
      for (auto& e : engines) e.prepare(cfg, session.role()->role);
    };
    steps.run = [&](std::uint64_t) {
      session.run_lanes([&](std::size_t i) { results[i] = engines[i].run(); });
      nlohmann::json lanes = nlohmann::json::array();
      for (std::size_t i = 0; i < engines.size(); ++i) {
        const auto& lane = session.lanes()[i];
        LaneMeasurement m;
        m.host = session.bootstrap().hostnames().at(static_cast<std::size_t>(session.rank()));
        m.rank = session.rank();
        m.device = lane.device->selection().device;
        m.port = lane.device->selection().port;
        m.line_rate_gbps = lane.device->selection().line_rate_gbps;
        m.transmitted = results[i].transmitted;
        m.tx = results[i].tx;
        m.posted = results[i].posted;
        m.received = results[i].received;
        m.peer_sent = results[i].peer_sent;
        m.validation = results[i].validation;
        lanes.push_back(m.to_json());
      }
      return nlohmann::json{{"pair", session.role()->pair}, {"lanes", lanes}};
    };
    steps.report = [&](std::uint64_t size, std::size_t ph, const std::vector<nlohmann::json>& all) {
      std::vector<nlohmann::json> rows;
      for (const auto p : session.phases()[ph]) {
        const auto& pair = session.pairs()[p];
        const auto& ti = all.at(static_cast<std::size_t>(pair.target));
        const auto& in = all.at(static_cast<std::size_t>(pair.initiator));
        if (!ti.value("active", false) || !in.value("active", false)) continue;
        const auto& tl = ti.at("lanes");
        const auto& il = in.at("lanes");
        for (std::size_t i = 0; i < il.size() && i < tl.size(); ++i) {
          RowContext ctx;
          ctx.op = std::string(to_string(op));
          ctx.size_bytes = size;
          ctx.qps = o.qps;
          ctx.bidirectional = o.bidirectional;
          ctx.duration_mode = o.duration_s > 0;
          ctx.iterations = o.iterations;
          ctx.pair = p;
          auto row = bw_row(ctx, LaneMeasurement::from_json(il[i]), LaneMeasurement::from_json(tl[i]));
          if (o.validate && row.contains("validation")) {
            const auto v = ValidationOutcome::from_json(row["validation"]);
            const Check check = validation_check(v, op, size, row, p, " -> ");
            out.add_check(check);
            if (!v.passed() && print) human << " VALIDATION FAILED: " << check.detail << '\n';
          }
          rows.push_back(row);
        }
      }
      for (auto& row : rows) {
        if (print) human << table_line(row, o.report_gbits, multi_row) << '\n';
        out.add_result(row);
      }
      if (rows.size() > 1) {
        auto agg = aggregate_row(rows);
        if (print) human << table_line(agg, o.report_gbits, true) << '\n';
        out.add_result(agg);
      }
      if (print) human.flush();
    };
    run_sweep(session, op, sizes, steps);
    if (print) human << table_rule() << '\n';
    session.barrier("finishing");
    params["devices"] = session.describe()["devices"];  // now with the pinning the lanes used
    out.set_params(params);
    return out.finish(RunStatus::ok);
  } catch (...) {
    return out.abort_on_exception(std::current_exception());
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"fp_bw: RDMA bandwidth between two hosts (perftest-compatible: ib_write_bw, ib_read_bw, ib_send_bw)",
               "fp_bw"};
  Options o;
  add_common_options(app, o.common);
  add_perftest_size_options(app, o.sizes, "65536");
  add_session_options(app, o.session, /*allow_ud=*/true);
  app.add_option("--op", o.op, "Operation: write, write_imm, read or send")->capture_default_str();
  app.add_option("-n,--iters", o.iterations, "Messages per QP")->check(integer_in(1, 1LL << 40))->capture_default_str();
  app.add_option("-D,--duration", o.duration_s, "Run for this many seconds instead of -n")->check(number_above(0, 1e6));
  app.add_option("--warmup", o.warmup_s, "Warm-up seconds before a -D measurement (default: min(2, D/4))")
      ->check(number_in(0, 1e6));
  app.add_option("-q,--qp", o.qps, "Number of QPs")->check(CLI::Range(1U, 64U))->capture_default_str();
  app.add_option("-t,--tx-depth", o.tx_depth, "Outstanding sends per QP")->check(CLI::Range(1U, 16384U))->capture_default_str();
  app.add_option("-r,--rx-depth", o.rx_depth, "Posted receives per QP (send)")->check(CLI::Range(1U, 16384U))->capture_default_str();
  app.add_option("-Q,--cq-mod", o.cq_mod, "Request a completion every N messages")->check(CLI::Range(1U, 16384U))->capture_default_str();
  app.add_option("-l,--post_list", o.post_list, "Work requests per post call")->check(CLI::Range(1U, 1024U))->capture_default_str();
  app.add_option("-I,--inline_size", o.inline_size, "Send messages up to this size inline")->check(CLI::Range(0U, 4096U))->capture_default_str();
  app.add_option("-o,--outs", o.outstanding_reads, "Outstanding RDMA reads per QP (default: the device's maximum)")
      ->check(CLI::Range(1U, 255U));
  app.add_flag("-b,--bidirectional", o.bidirectional, "Measure both directions at once (reports the sum)");
  app.add_flag("--report_gbits,--report-gbits", o.report_gbits, "Table in Gb/sec (default MB/sec; JSON is always Gb/s)");
  app.add_flag("--validate", o.validate, "Give every message its own pattern and check every byte at the receiver");
  return run_main(app, argc, argv, [&] { return run(o, argc, argv); });
}

}  // namespace fabricperf::bw
