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
#include "fabricperf/verbs/engine_options.hpp"
#include "fabricperf/verbs/message_size.hpp"
#include "fabricperf/verbs/rate.hpp"
#include "fabricperf/verbs/rows.hpp"
#include "fabricperf/verbs/session.hpp"
#include "fabricperf/verbs/sweep.hpp"

namespace fabricperf::bw {
namespace {

using namespace fabricperf::verbs;

struct Options : EngineToolOptions {
  bool report_gbits = false;
};

int run(const Options& options, int argc, char** argv) {
  const EngineOptions& o = options.engine;
  const CommonOptions& common = options.common;
  const Op op = parse_op(options.op);
  if (is_atomic(op)) throw UsageError("fp_bw measures write, write_imm, read and send (atomics: fp_lat)");
  const bool ud = options.session.connection == "UD" || options.session.connection == "ud";
  if (ud && op != Op::send) throw UsageError("-c UD works only with --op send");
  const auto sizes = options.sizes.sizes();
  const std::uint64_t max_size = *std::max_element(sizes.begin(), sizes.end());
  check_message_size(max_size);  // before anything is allocated
  check_engine_options(o);

  // Only the reporting rank writes JSON under MPI.
  const auto [mpi_launched, print] = tool_reporting();
  RunOutput out("fp_bw", command_line(argc, argv), print ? common.json_path : "");
  std::ostream& human = out.human();

  const std::string token = run_token("fp_bw", std::string(to_string(op)), sizes,
                                      " q=" + std::to_string(o.qps) + " b=" + std::to_string(o.bidirectional) +
                                          " c=" + (ud ? "UD" : "RC") + " validate=" + std::to_string(o.validate));
  try {
    Session session(options.session, common);
    session.open_devices();
    session.start(token);
    const auto clock = CycleClock::calibrate();
    MemoryProviderRegistry registry;
    auto provider = registry.create(options.session.memory);

    const std::uint32_t slots = message_slots(o, max_size, ud);
    session.create_endpoints(*provider, [&](const Device& device) {
      check_message_size(max_size, device.selection().max_msg_sz, port_name(device.selection()));
      return bandwidth_endpoint(o, op, max_size, ud, slots);
    });
    session.connect();

    // -o, or the device's limit the endpoint clamped the default to.
    const unsigned reads_in_flight =
        session.lanes().empty() ? 0U : session.lanes().front().endpoint->config().qp.max_rd_atomic;
    nlohmann::json params = engine_params(o, true);
    params.update({{"op", std::string(to_string(op))},
                   {"sizes_bytes", sizes},
                   {"outstanding_reads", reads_in_flight},
                   {"timeout_s", common.timeout_s},
                   {"clock", clock.uses_tsc() ? "tsc" : "monotonic"}});
    record_run(session, out, params, provider->describe(), collect_host_info());

    const bool multi_row = session.lanes().size() > 1 || session.pairs().size() > 1 || mpi_launched;
    if (print) {
      print_banner(human, session, table_rule(), std::string(perftest_name(op)) + " BW Test");
      human << " Connection     : " << (ud ? "UD" : "RC") << ", " << o.qps << " QP(s), tx depth " << o.tx_depth
            << ", CQ moderation " << o.cq_mod << ", post list " << o.post_list
            << (o.bidirectional ? ", bidirectional" : "") << (o.validate ? ", validating data" : "") << '\n'
            << " Peer           : " << session.peer_name() << " (" << session.bootstrap().kind() << " exchange)\n"
            << table_rule() << '\n'
            << table_header(options.report_gbits, multi_row) << '\n';
    }

    std::vector<BandwidthEngine> engines;
    engines.reserve(session.lanes().size());
    for (auto& lane : session.lanes()) engines.emplace_back(*lane.endpoint, clock);
    std::vector<BandwidthResult> results(engines.size());
    const std::string host = session.bootstrap().hostnames().at(static_cast<std::size_t>(session.rank()));
    SweepSteps steps;
    steps.passes.push_back(SweepPass{
        [&](std::uint64_t size, std::uint64_t epoch) {
          const auto cfg = bandwidth_config(o, op, size, slots, common.timeout_s, epoch);
          for (auto& e : engines) e.prepare(cfg, session.role()->role);
        },
        [&](std::uint64_t) {
          session.run_lanes([&](std::size_t i) { results[i] = engines[i].run(); });
          nlohmann::json lanes = nlohmann::json::array();
          for (std::size_t i = 0; i < engines.size(); ++i)
            lanes.push_back(
                LaneMeasurement::of(results[i], host, session.rank(), session.lanes()[i].device->selection()).to_json());
          return nlohmann::json{{"pair", session.role()->pair}, {"lanes", lanes}};
        }});
    steps.report = [&](std::uint64_t size, std::size_t ph, const std::vector<nlohmann::json>& all) {
      std::vector<BwRow> rows;
      for (const auto p : session.phases()[ph]) {
        const auto& pair = session.pairs()[p];
        const auto& ti = all.at(static_cast<std::size_t>(pair.target));
        const auto& in = all.at(static_cast<std::size_t>(pair.initiator));
        if (!ti.value("active", false) || !in.value("active", false)) continue;
        const auto& tl = ti.at("lanes");
        const auto& il = in.at("lanes");
        for (std::size_t i = 0; i < il.size() && i < tl.size(); ++i) {
          RowIdentity id;
          id.pair = p;
          id.op = std::string(to_string(op));
          id.size_bytes = size;
          id.qps = o.qps;
          id.bidirectional = o.bidirectional;
          const std::string from = session.bootstrap().describe_rank(pair.initiator);
          rows.push_back(
              make_bw_row(std::move(id), LaneMeasurement::from_json(il[i], from),
                          LaneMeasurement::from_json(tl[i], session.bootstrap().describe_rank(pair.target))));
          const BwRow& row = rows.back();
          if (row.validation) {
            add_validation_check(out, validation_check(*row.validation, op, size, row.to_json(), p, " -> "), print);
          }
        }
      }
      for (const auto& row : rows) {
        const auto j = row.to_json();
        if (print) human << table_line(j, options.report_gbits, multi_row) << '\n';
        out.add_result(j);
      }
      if (rows.size() > 1) {
        auto agg = aggregate_row(rows);
        if (print) human << table_line(agg, options.report_gbits, true) << '\n';
        out.add_result(agg);
      }
      if (print) human.flush();
    };
    return sweep_and_finish(session, op, sizes, steps, out, params, provider->describe(), print, table_rule());
  } catch (...) {
    return out.abort_on_exception(std::current_exception());
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"fp_bw: RDMA bandwidth between two hosts (perftest-compatible: ib_write_bw, ib_read_bw, ib_send_bw)",
               "fp_bw"};
  Options o;
  add_tool_options(app, o, "65536", /*allow_ud=*/true);
  app.add_option("--op", o.op, "Operation: write, write_imm, read or send")->capture_default_str();
  add_bandwidth_options(app, o.engine);
  app.add_flag("--report_gbits,--report-gbits", o.report_gbits,
               "Table in Gb/sec (default MiB/sec, perftest's 'MB/sec'; JSON is always Gb/s)");
  return run_main(app, argc, argv, [&] { return run(o, argc, argv); });
}

}  // namespace fabricperf::bw
