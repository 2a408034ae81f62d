#include "fabricperf/latency/app.hpp"

#include <algorithm>
#include <iostream>

#include "fabricperf/cli.hpp"
#include "fabricperf/clock.hpp"
#include "fabricperf/error.hpp"
#include "fabricperf/host_info.hpp"
#include "fabricperf/latency/report.hpp"
#include "fabricperf/run_output.hpp"
#include "fabricperf/sizes.hpp"
#include "fabricperf/verbs/engine_options.hpp"
#include "fabricperf/verbs/latency_engine.hpp"
#include "fabricperf/verbs/message_size.hpp"
#include "fabricperf/verbs/rate.hpp"
#include "fabricperf/verbs/rows.hpp"
#include "fabricperf/verbs/session.hpp"
#include "fabricperf/verbs/sweep.hpp"

namespace fabricperf::latency {
namespace {

using namespace fabricperf::verbs;

using Options = EngineToolOptions;

int run(const Options& options, int argc, char** argv) {
  const EngineOptions& o = options.engine;
  const CommonOptions& common = options.common;
  const Op op = parse_op(options.op);
  if (op == Op::write_imm) throw UsageError("fp_lat measures write, send, read, atomic_fa and atomic_cs");
  const bool ud = options.session.connection == "UD" || options.session.connection == "ud";
  if (ud && op != Op::send) throw UsageError("-c UD works only with --op send");
  auto sizes = options.sizes.sizes();
  if (is_atomic(op)) sizes = {8};
  const std::uint64_t max_size = *std::max_element(sizes.begin(), sizes.end());
  check_message_size(max_size);  // before anything is allocated

  const auto [mpi_launched, print] = tool_reporting();
  RunOutput out("fp_lat", command_line(argc, argv), print ? common.json_path : "");
  std::ostream& human = out.human();

  const std::string token =
      run_token("fp_lat", std::string(to_string(op)), sizes,
                std::string(" c=") + (ud ? "UD" : "RC") + " validate=" + std::to_string(o.validate) +
                    " D=" + std::to_string(o.duration_s > 0));
  try {
    Session session(options.session, common);
    session.open_devices();
    session.start(token);
    const auto clock = CycleClock::calibrate();
    MemoryProviderRegistry registry;
    auto provider = registry.create(options.session.memory);
    session.create_endpoints(*provider, [&](const Device& device) {
      check_message_size(max_size, device.selection().max_msg_sz, port_name(device.selection()));
      return latency_endpoint(o, op, max_size, ud);
    });
    session.connect();

    nlohmann::json params = engine_params(o, false);
    params.update({{"op", std::string(to_string(op))},
                   {"sizes_bytes", sizes},
                   {"timeout_s", common.timeout_s},
                   {"latency", op == Op::write || op == Op::send ? "half_round_trip" : "round_trip"},
                   {"clock", clock.uses_tsc() ? "tsc" : "monotonic"}});
    record_run(session, out, params, provider->describe(), collect_host_info());

    const bool multi_row = session.lanes().size() > 1 || session.pairs().size() > 1 || mpi_launched;
    if (print) {
      print_banner(human, session, table_rule(), std::string(perftest_name(op)) + " Latency Test");
      human << " Connection     : " << (ud ? "UD" : "RC") << (o.validate ? ", validating data" : "") << ", "
            << (op == Op::write || op == Op::send ? "half round trip" : "full round trip") << '\n'
            << " Peer           : " << session.peer_name() << " (" << session.bootstrap().kind() << " exchange)\n"
            << table_rule() << '\n'
            << table_header(multi_row) << '\n';
    }

    std::vector<LatencyEngine> engines;
    engines.reserve(session.lanes().size());
    for (auto& lane : session.lanes()) engines.emplace_back(*lane.endpoint, clock);
    std::vector<LatencyResult> results(engines.size());
    SweepSteps steps;
    steps.passes.push_back(SweepPass{
        [&](std::uint64_t size, std::uint64_t epoch) {
          const auto cfg = latency_config(o, op, size, common.timeout_s, epoch);
          for (auto& e : engines) e.prepare(cfg, session.role()->role);
        },
        [&](std::uint64_t size) {
          session.run_lanes([&](std::size_t i) { results[i] = engines[i].run(); });
          nlohmann::json rows = nlohmann::json::array();
          nlohmann::json checks = nlohmann::json::array();
          const auto& host_of = session.bootstrap().hostnames();
          for (std::size_t i = 0; i < engines.size(); ++i) {
            const auto& r = results[i];
            const auto& lane = session.lanes()[i];
            checks.push_back(r.validation.to_json());
            if (!r.measured) continue;
            RowIdentity id;
            id.op = std::string(to_string(op));
            id.size_bytes = size;
            id.device = lane.device->selection().device;
            id.peer_device = lane.peer_device;
            id.host = host_of.at(static_cast<std::size_t>(session.rank()));
            id.peer_host = host_of.at(static_cast<std::size_t>(session.role()->peer));
            id.rank = session.rank();
            id.peer_rank = session.role()->peer;
            id.port = lane.device->selection().port;
            id.pair = session.role()->pair;
            rows.push_back(make_lat_row(std::move(id), r).to_json());
          }
          return nlohmann::json{{"rows", rows}, {"validation", checks}};
        }});
    steps.report = [&](std::uint64_t size, std::size_t ph, const std::vector<nlohmann::json>& all) {
      for (const auto p : session.phases()[ph]) {
        const auto& pair = session.pairs()[p];
        const auto& in = all.at(static_cast<std::size_t>(pair.initiator));
        const auto& ti = all.at(static_cast<std::size_t>(pair.target));
        if (!in.value("active", false)) continue;
        const auto& rows = in.at("rows");
        for (std::size_t i = 0; i < rows.size(); ++i) {
          LatRow row = LatRow::from_json(rows[i]);
          if (o.validate) {
            ValidationOutcome v = ValidationOutcome::from_json(in.at("validation").at(i));
            if (ti.contains("validation") && i < ti.at("validation").size())
              v.merge(ValidationOutcome::from_json(ti.at("validation").at(i)));
            row.validation = v;
            add_validation_check(out, validation_check(v, op, size, row.to_json(), p, " <-> "), print);
          }
          const auto j = row.to_json();
          if (print) human << table_line(j, multi_row) << '\n';
          out.add_result(j);
        }
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
  CLI::App app{
      "fp_lat: RDMA latency between two hosts (perftest-compatible: ib_write_lat, ib_send_lat, ib_read_lat, "
      "ib_atomic_lat)",
      "fp_lat"};
  Options o;
  o.engine = latency_defaults();
  add_tool_options(app, o, "2", /*allow_ud=*/true);
  app.add_option("--op", o.op, "Operation: write, send, read, atomic_fa or atomic_cs")->capture_default_str();
  add_latency_options(app, o.engine);
  return run_main(app, argc, argv, [&] { return run(o, argc, argv); });
}

}  // namespace fabricperf::latency
