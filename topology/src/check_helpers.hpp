#pragma once
// Helpers shared by the check files (checks.cpp, checks_pairing.cpp); internal to fptopology.
#include <string>
#include <vector>

#include "fabricperf/result_document.hpp"
#include "fabricperf/topology/model.hpp"

namespace fabricperf::topology::detail {

inline Check make_check(const std::string& name, const Topology& topo) {
  Check check;
  check.name = name;
  check.labels = nlohmann::json{{"host", topo.host}};
  return check;
}

inline Check skipped(const std::string& name, const Topology& topo, std::string detail) {
  Check check = make_check(name, topo);
  check.status = CheckStatus::skip;
  check.detail = std::move(detail);
  return check;
}

inline std::string join(const std::vector<std::string>& items, const std::string& sep = ", ") {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

inline std::string gpu_label(const Topology& topo, int g) {
  return "GPU" + std::to_string(g) + " (" + topo.gpus[static_cast<std::size_t>(g)].pci.str() + ")";
}

inline const Nic& nic_at(const Topology& topo, int n) {
  return topo.nics[static_cast<std::size_t>(n)];
}

inline CheckStatus worse(CheckStatus a, CheckStatus b) {
  auto rank = [](CheckStatus s) {
    switch (s) {
      case CheckStatus::fail:
        return 3;
      case CheckStatus::warn:
        return 2;
      case CheckStatus::pass:
        return 1;
      case CheckStatus::skip:
        return 0;
    }
    return 0;
  };
  return rank(a) >= rank(b) ? a : b;
}

}  // namespace fabricperf::topology::detail
