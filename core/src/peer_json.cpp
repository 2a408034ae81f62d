#include "fabricperf/peer_json.hpp"

#include "fabricperf/error.hpp"
#include "fabricperf/input_file.hpp"

namespace fabricperf {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxField = 256;
constexpr std::size_t kMaxDevices = 256;
constexpr std::size_t kMaxPorts = 64;
constexpr std::size_t kMaxNetdevs = 64;

enum class Kind { string, boolean, number, integer };

struct Field {
  const char* name;
  Kind kind;
};

// Checks that `object` is an object whose members are all in `fields` (of their kind) or in
// `lists` (checked by the caller); names the first offending member.
class Checker {
 public:
  Checker(const std::string& peer) : peer_(peer) {}

  void object(const json& value, const std::string& where, std::initializer_list<Field> fields,
              std::initializer_list<const char*> lists) const {
    if (!value.is_object()) refuse(where + " is not an object");
    for (const auto& [key, member] : value.items()) {
      bool known = false;
      for (const auto& f : fields) {
        if (key != f.name) continue;
        known = true;
        if (!is_kind(member, f.kind)) refuse(where + "." + key + " has the wrong type");
        if (member.is_string() && member.get_ref<const std::string&>().size() > kMaxField)
          refuse(where + "." + key + " is over " + std::to_string(kMaxField) + " bytes");
      }
      for (const char* l : lists) known = known || key == l;
      if (!known) refuse(where + " has an unknown field \"" + key.substr(0, 64) + "\"");
    }
  }

  const json& list(const json& parent, const char* key, const std::string& where, std::size_t cap) const {
    static const json empty = json::array();
    const auto it = parent.find(key);
    if (it == parent.end()) return empty;
    if (!it->is_array()) refuse(where + "." + key + " is not a list");
    if (it->size() > cap) refuse(where + "." + key + " has over " + std::to_string(cap) + " entries");
    return *it;
  }

  [[noreturn]] void refuse(const std::string& why) const {
    throw PeerError(peer_, peer_ + " sent invalid host info: " + why);
  }

 private:
  static bool is_kind(const json& v, Kind kind) {
    switch (kind) {
      case Kind::string:
        return v.is_string();
      case Kind::boolean:
        return v.is_boolean();
      case Kind::number:
        return v.is_number();
      case Kind::integer:
        return v.is_number_integer();
    }
    return false;
  }
  const std::string& peer_;
};

}  // namespace

json parse_peer_json(std::string_view text, const std::string& peer, std::string_view what, std::size_t max_bytes,
                     std::size_t max_depth) {
  if (text.size() > max_bytes)
    throw PeerError(peer, peer + " sent " + std::string(what) + " of " + std::to_string(text.size()) +
                              " bytes (at most " + std::to_string(max_bytes) + ")");
  try {
    return parse_json_bounded(text, what, max_depth);
  } catch (const Error& e) {
    throw PeerError(peer, peer + " sent invalid " + e.what());
  }
}

json parse_peer_host_info(std::string_view text, const std::string& peer) {
  // host -> rdma_devices[] -> device -> ports[] -> port: 5 levels.
  json host = parse_peer_json(text, peer, "host info", kMaxPeerHostInfoBytes, 5);
  const Checker check(peer);
  check.object(host, "host",
               {{"hostname", Kind::string},
                {"kernel", Kind::string},
                {"os", Kind::string},
                {"rdma_core_version", Kind::string},
                {"nvidia_driver", Kind::string},
                {"nvidia_peermem", Kind::boolean}},
               {"rdma_devices"});
  if (!host.contains("hostname")) check.refuse("host has no hostname");
  const auto& devices = check.list(host, "rdma_devices", "host", kMaxDevices);
  for (const auto& device : devices) {
    check.object(device, "host.rdma_devices[]",
                 {{"name", Kind::string},
                  {"node_type", Kind::string},
                  {"fw_ver", Kind::string},
                  {"node_guid", Kind::string},
                  {"pci", Kind::string}},
                 {"netdevs", "ports"});
    for (const auto& netdev : check.list(device, "netdevs", "host.rdma_devices[]", kMaxNetdevs))
      if (!netdev.is_string() || netdev.get_ref<const std::string&>().size() > kMaxField)
        check.refuse("host.rdma_devices[].netdevs[] is not a short string");
    for (const auto& port : check.list(device, "ports", "host.rdma_devices[]", kMaxPorts))
      check.object(port, "host.rdma_devices[].ports[]",
                   {{"port", Kind::integer},
                    {"state", Kind::string},
                    {"phys_state", Kind::string},
                    {"link_layer", Kind::string},
                    {"rate", Kind::string},
                    {"rate_gbps", Kind::number}},
                   {});
  }
  return host;
}

}  // namespace fabricperf
