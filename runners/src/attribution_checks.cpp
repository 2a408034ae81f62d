// What attribution reports: the plan's options for it and its checks.
#include <string>
#include <vector>

#include "fabricperf/runners/attribution.hpp"

namespace fabricperf::runners {

const char* level_name(FaultLevel level) noexcept {
  switch (level) {
    case FaultLevel::node:
      return "node";
    case FaultLevel::nic:
      return "nic";
    case FaultLevel::link:
      return "link";
  }
  return "nic";
}

AttributionOptions attribution_options(const Plan& plan, const FabricShape& fabric) {
  AttributionOptions o;
  o.fabric = fabric;
  o.line_rate_pct = plan.expect.line_rate_pct;
  o.window_floor_pct = plan.verbs.adaptive.window_floor_pct;
  o.good_peers = plan.verbs.adaptive.good_peers;
  o.max_retest_rounds = plan.verbs.adaptive.max_retest_rounds;
  o.outlier_k = plan.expect.outlier_k;
  o.outlier_min_samples = plan.expect.outlier_min_samples;
  return o;
}

std::vector<Check> attribution_checks(const std::string& stage, const AttributionReport& report,
                                      const ProbeBackend& backend) {
  std::vector<Check> out;
  std::size_t full = 0, retests = 0;
  for (const auto& r : report.rounds) (r.kind == RoundKind::full ? full : retests)++;
  const std::string measured = std::to_string(report.flows_measured) + " flows in " + std::to_string(full) +
                               " full-rate rounds, " + std::to_string(report.suspects) + " suspect NICs retested in " +
                               std::to_string(retests) + " rounds, " + std::to_string(report.cleared) + " cleared";
  for (const auto& f : report.findings) {
    Check c;
    c.name = stage + "_attribution";
    c.status = CheckStatus::fail;
    c.expected = {{"min_gbps", f.expected_gbps}};
    c.measured = {{"gbps", f.measured_gbps}, {"good_peers", f.good_peers}};
    c.detail = f.detail;
    c.labels = {
        {"stage", stage}, {"level", level_name(f.level)}, {"host", backend.node_name(f.node)}, {"cause", f.cause}};
    if (f.rail >= 0) {
      c.labels["rail"] = f.rail;
      c.labels["device"] = backend.device_name(f.node, f.rail);
    }
    if (f.reaches_rail >= 0) c.labels["reaches_rail"] = f.reaches_rail;
    if (f.peer_node >= 0) c.labels["peer_host"] = backend.node_name(f.peer_node);
    out.push_back(std::move(c));
  }
  if (report.unresolved > 0) {
    Check c;
    c.name = stage + "_attribution";
    c.status = CheckStatus::warn;
    c.measured = {{"unresolved", report.unresolved}};
    c.detail =
        std::to_string(report.unresolved) + " suspect NICs had no known-good peer on their rail to be retested against";
    c.labels = {{"stage", stage}};
    out.push_back(std::move(c));
  }
  if (report.findings.empty()) {
    Check c;
    c.name = stage + "_attribution";
    c.status = CheckStatus::pass;
    c.measured = {{"flows", report.flows_measured}, {"below", report.flows_below}, {"transient", report.transient}};
    c.detail = "no node, NIC or link below expectation: " + measured +
               (report.transient ? ", " + std::to_string(report.transient) + " flows low once and fine on retest" : "");
    c.labels = {{"stage", stage}};
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace fabricperf::runners
