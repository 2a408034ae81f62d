#include "fabricperf/verbs/sweep.hpp"

#include <algorithm>

#include "fabricperf/log.hpp"
#include "fabricperf/sizes.hpp"
#include "fabricperf/verbs/gid.hpp"
#include "fabricperf/verbs/rate.hpp"

namespace fabricperf::verbs {

void run_sweep(Session& session, Op op, const std::vector<std::uint64_t>& sizes, const SweepSteps& steps) {
  const auto& phases = session.phases();
  std::uint64_t epoch = 0;
  for (const auto size : sizes) {
    for (std::size_t ph = 0; ph < phases.size(); ++ph) {
      const bool active = session.active_in(ph);
      const std::string doing = std::string(to_string(op)) + " " + format_size(size);
      FP_LOG(info, "sweep") << doing << ": phase " << ph + 1 << "/" << phases.size() << ", "
                            << (active ? "measuring with " + session.peer_name() : std::string("idle in this phase"));
      nlohmann::json mine = {{"active", active}};
      for (std::size_t p = 0; p < steps.passes.size(); ++p) {
        const auto& pass = steps.passes[p];
        ++epoch;  // idle ranks count too: every rank's epochs stay in step
        if (active) pass.prepare(size, epoch);
        FP_LOG(trace, "sweep") << doing << ": pass " << p + 1 << "/" << steps.passes.size()
                               << " prepared, waiting for every rank at the start barrier";
        session.barrier("starting " + doing);
        if (active) mine.update(pass.run(size));
      }
      FP_LOG(trace, "sweep") << doing << ": measured, exchanging results";
      const auto all = session.gather(mine, "exchanging results of " + doing);
      if (session.reporting()) steps.report(size, ph, all);
    }
  }
}

Check validation_check(const ValidationOutcome& outcome, Op op, std::uint64_t size, const nlohmann::json& row,
                       std::size_t pair, const std::string& link) {
  Check check;
  check.name = "data_validation";
  check.status = outcome.passed() ? CheckStatus::pass : CheckStatus::fail;
  check.expected = 0;
  check.measured = outcome.mismatched_messages;
  check.detail = std::string(to_string(op)) + " " + format_size(size) + " " + row.value("host", "") + ":" +
                 row.value("device", "") + link + row.value("peer_host", "") + ":" + row.value("peer_device", "") +
                 ": " + outcome.describe();
  check.labels = {
      {"host", row.value("host", "")}, {"device", row.value("device", "")}, {"size_bytes", size}, {"pair", pair}};
  if (outcome.first_bad_offset) check.labels["first_bad_offset"] = *outcome.first_bad_offset;
  return check;
}

void record_run(Session& session, RunOutput& out, nlohmann::json params, const nlohmann::json& memory,
                const nlohmann::json& my_host) {
  params.update(session.describe());
  params["memory"] = memory;
  out.set_params(params);
  const auto hosts = session.gather(my_host, "exchanging host information");
  if (session.reporting())
    for (const auto& h : hosts) out.add_host(h);
}

void add_validation_check(RunOutput& out, const Check& check, bool print) {
  out.add_check(check);
  if (check.status == CheckStatus::fail && print) out.human() << " VALIDATION FAILED: " << check.detail << '\n';
}

int finish_run(Session& session, RunOutput& out, nlohmann::json params, const nlohmann::json& memory) {
  session.barrier("finishing");
  params.update(session.describe());
  params["memory"] = memory;
  out.set_params(params);
  return out.finish(RunStatus::ok);
}

int sweep_and_finish(Session& session, Op op, const std::vector<std::uint64_t>& sizes, const SweepSteps& steps,
                     RunOutput& out, nlohmann::json params, const nlohmann::json& memory, bool print,
                     const std::string& closing_rule) {
  run_sweep(session, op, sizes, steps);
  if (print) out.human() << closing_rule << '\n';
  return finish_run(session, out, std::move(params), memory);
}

void print_banner(std::ostream& human, Session& session, const std::string& rule, const std::string& title) {
  human << rule << '\n' << "                    " << title << '\n';
  if (session.lanes().empty()) return;
  const Lane& lane = session.lanes().front();
  const auto& sel = lane.device->selection();
  human << " Device         : " << sel.device << " port " << sel.port << " ("
        << (sel.ethernet ? "Ethernet" : "InfiniBand") << ", "
        << (sel.rate_name.empty() ? "rate unknown" : sel.rate_name) << ", " << sel.line_rate_gbps << " Gb/s)\n"
        << " GID index      : " << sel.gid.index << " (" << format_gid(sel.gid.gid) << ", " << to_string(sel.gid.type)
        << ")\n"
        << " MTU            : " << mtu_to_bytes(sel.mtu) << " bytes\n";
  if (lane.endpoint) human << " Max inline     : " << lane.endpoint->max_inline() << " bytes\n";
}

}  // namespace fabricperf::verbs
