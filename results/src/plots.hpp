#pragma once
// Internal to fpresults: plot specifications for the HTML report.
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "fabricperf/results/compare.hpp"

namespace fabricperf::results::detail {

// `regressed` holds identity_key(identity) + "\n" + metric of every regression against the
// baseline (points drawn in red); `rules` the identity rules the comparison used.
nlohmann::json build_plot_specs(const nlohmann::json& doc, const nlohmann::json* baseline,
                                const IdentityRules& rules, const std::set<std::string>& regressed);

// "node1 mlx5_0:1 -> node2", "aggregate", "allreduce float sum 16 ranks": the identity
// without the fields a chart already names.
std::string compact_name(const Identity& identity, const std::set<std::string>& skip);

}  // namespace fabricperf::results::detail
