#include "side.hpp"

#include "fabricperf/error.hpp"

namespace fabricperf::gdr {

nlohmann::json Side::to_json() const {
  nlohmann::json c = nlohmann::json::array();
  for (const auto& check : checks) c.push_back(fabricperf::to_json(check));
  return {{"mem", std::string(gdr::to_string(mem))}, {"host", host}, {"pairs", pairs}, {"checks", c}, {"error", error},
          {"expect_peer_mem", expect_peer_mem}};
}

Side Side::from_json(const nlohmann::json& j, const std::string& from) {
  try {
    Side s;
    s.mem = parse_memory_kind(j.at("mem").get<std::string>());
    s.host = j.at("host").get<std::string>();
    s.pairs = j.at("pairs");
    if (!s.pairs.is_array()) throw UsageError("'pairs' is not a list");
    for (const auto& c : j.at("checks")) s.checks.push_back(check_from_json(c));
    s.error = j.at("error").get<std::string>();
    s.expect_peer_mem = j.at("expect_peer_mem").get<std::string>();
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw PeerError(from, from + " sent a malformed description of its side: " + e.what());
  } catch (const UsageError& e) {
    throw PeerError(from, from + " sent a malformed description of its side: " + e.what());
  }
}

namespace {
const nlohmann::json& lane_pair(const Side& s, std::size_t i) {
  static const nlohmann::json none;
  return i < s.pairs.size() && s.pairs[i].is_object() ? s.pairs[i] : none;
}
}  // namespace

EntryIdentity lane_identity(const Side& initiator, const Side& target, std::size_t lane, const std::string& test) {
  EntryIdentity id;
  id.test = test;
  id.mem = initiator.mem;
  id.peer_mem = target.mem;
  if (const auto& p = lane_pair(initiator, lane); !p.is_null()) {
    id.gpu = p.value("gpu", -1);
    id.gpu_name = p.value("gpu_name", "");
    id.gpu_pci = p.value("gpu_pci", "");
    id.path = p.value("path", "");
  }
  if (const auto& p = lane_pair(target, lane); !p.is_null()) id.peer_gpu = p.value("gpu", -1);
  return id;
}

void check_remote_mem(const Side& expecting, const Side& other, const std::string& other_name) {
  if (!expecting.expect_peer_mem.empty() && expecting.expect_peer_mem != gdr::to_string(other.mem))
    throw UsageError("--remote-mem " + expecting.expect_peer_mem + " but " + other_name + " uses --mem " +
                     std::string(gdr::to_string(other.mem)));
}

}  // namespace fabricperf::gdr
