#pragma once
// Shared helpers for the fpresults tests: recorded documents and a minimal valid document.
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace fabricperf::results::testing {

inline std::string data_path(const std::string& name) {
  return std::string(FABRICPERF_SOURCE_DIR) + "/tests/data/results/" + name;
}

inline nlohmann::json load_fixture(const std::string& name) {
  std::ifstream in(data_path(name));
  return nlohmann::json::parse(in);
}

// A valid fabricperf/1 document with the given results (and checks).
inline nlohmann::json make_doc(nlohmann::json results, nlohmann::json checks = nlohmann::json::array(),
                               const std::string& tool = "fp_bw") {
  return {{"schema", "fabricperf/1"},
          {"tool", tool},
          {"version", "0.1.0"},
          {"started_at", "2026-03-14T09:00:00.000Z"},
          {"finished_at", "2026-03-14T09:00:30.500Z"},
          {"status", "ok"},
          {"partial", false},
          {"command_line", {tool}},
          {"hosts", nlohmann::json::array()},
          {"params", nlohmann::json::object()},
          {"results", std::move(results)},
          {"checks", std::move(checks)},
          {"errors", nlohmann::json::array()}};
}

inline nlohmann::json bw_row(const std::string& device, std::uint64_t size, double bw) {
  return {{"host", "n1"},       {"peer_host", "n2"}, {"device", device},
          {"port", 1},          {"op", "write"},     {"size_bytes", size},
          {"iterations", 5000}, {"bw_avg_gbps", bw}, {"msg_rate_mpps", bw * 1e3 / 8 / static_cast<double>(size)}};
}

}  // namespace fabricperf::results::testing
