#include "fabricperf/runners/peer_reports.hpp"

#include "fabricperf/error.hpp"
#include "fabricperf/peer_json.hpp"

namespace fabricperf::runners {
namespace {

constexpr std::size_t kMaxStartupReportBytes = std::size_t{16} << 20;
constexpr std::size_t kMaxStartupReportDepth = 32;
constexpr std::size_t kMaxRoundReportBytes = std::size_t{64} << 20;
constexpr std::size_t kMaxRoundReportDepth = 16;  // report -> rows[] -> row -> a few levels
constexpr std::size_t kMaxErrorBytes = 4096;

}  // namespace

nlohmann::json peer_startup_report(const std::string& text, const std::string& peer) {
  auto j = parse_peer_json(text, peer, "start-up report", kMaxStartupReportBytes, kMaxStartupReportDepth);
  const auto refuse = [&](const std::string& why) {
    throw PeerError(peer, peer + " sent an invalid start-up report: " + why);
  };
  if (!j.is_object()) refuse("not an object");
  for (const char* key : {"rails", "gpus"})
    if (j.contains(key) && !j[key].is_number_integer()) refuse(std::string(key) + " is not an integer");
  if (j.contains("rail_error") && !j["rail_error"].is_string()) refuse("rail_error is not a string");
  for (const char* key : {"fingerprint", "topology"})
    if (j.contains(key) && !j[key].is_object()) refuse(std::string(key) + " is not an object");
  return j;
}

RoundReport peer_round_report(const std::string& text, const std::string& peer) {
  const auto j = parse_peer_json(text, peer, "round report", kMaxRoundReportBytes, kMaxRoundReportDepth);
  const auto refuse = [&](const std::string& why) {
    throw PeerError(peer, peer + " sent an invalid round report: " + why);
  };
  if (!j.is_object()) refuse("not an object");
  RoundReport report;
  if (const auto rows = j.find("rows"); rows != j.end()) {
    if (!rows->is_array()) refuse("rows is not a list");
    for (const auto& row : *rows) {
      if (!row.is_object()) refuse("a row is not an object");
      report.rows.push_back(row);
    }
  }
  if (const auto errors = j.find("errors"); errors != j.end()) {
    if (!errors->is_array()) refuse("errors is not a list");
    for (const auto& err : *errors) {
      if (!err.is_string()) refuse("an error is not a string");
      report.errors.push_back(err.get<std::string>().substr(0, kMaxErrorBytes));
    }
  }
  return report;
}

}  // namespace fabricperf::runners
