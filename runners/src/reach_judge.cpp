// The reach stage's checks: unreachable ports and pairs, and ports whose MTU, rate, GID type or
// link layer differ from the rest of their rail. Coarse to fine, like the outlier checks: a port
// that reaches nobody is one check, not one per peer.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "fabricperf/runners/reach.hpp"

namespace fabricperf::runners {
namespace {

using nlohmann::json;

// A port of the mesh: (node, rail).
struct PortKey {
  std::string host;
  int rail = 0;
  friend auto operator<=>(const PortKey&, const PortKey&) = default;
};

struct PortView {
  std::string device;
  std::size_t order = 0;         // first appearance: the node order of the run
  const json* row = nullptr;     // the first row of the port (its facts)
  std::string own_fault_reason;  // a row of this end blamed its own port
  std::set<std::string> ok_peers;
  std::set<std::string> failed_peers;
};

struct PairRows {
  std::vector<const json*> rows;  // one per end that reported
  bool failed = false;
};

// A pair of ports on one rail, either way round: (the lower end, the other end's host).
using PairKey = std::pair<PortKey, std::string>;
PairKey pair_key(const PortKey& end, const std::string& peer_host) {
  const PortKey other{peer_host, end.rail};
  return end < other ? PairKey{end, peer_host} : PairKey{other, end.host};
}
using PairMap = std::map<PairKey, PairRows>;

std::string port_name(const PortKey& k, const std::string& device) {
  return k.host + " rail " + std::to_string(k.rail) + (device.empty() ? "" : " (" + device + ")");
}

std::string peer_name(const std::string& host, int rail) {
  return host + " rail " + std::to_string(rail);
}

json labels_of(const PortKey& k, const std::string& device) {
  json l = {{"stage", "reach"}, {"host", k.host}, {"rail", k.rail}};
  if (!device.empty()) l["device"] = device;
  return l;
}

Check make_check(const std::string& name, CheckStatus status, std::string detail, json labels = json::object()) {
  Check c;
  c.name = name;
  c.status = status;
  c.detail = std::move(detail);
  c.labels = std::move(labels);
  c.labels["stage"] = "reach";
  return c;
}

// The reason one failed pair gives: an end that blames its own port, else the path, else any.
std::string pair_reason(const PairRows& pair) {
  std::string best;
  int best_rank = -1;
  for (const auto* r : pair.rows) {
    if (r->value("reachable", false)) continue;
    const std::string fault = r->value("fault", "");
    const int rank = fault == "port" ? 3 : fault == "data" ? 2 : fault == "path" ? 1 : 0;
    if (rank > best_rank) {
      best_rank = rank;
      best = r->value("reason", "no answer");
    }
  }
  return best.empty() ? "no answer" : best;
}

// Adds checks until `max_named`, then one that counts the rest.
class Capped {
 public:
  Capped(std::vector<Check>& out, std::size_t max_named, std::string name)
      : out_(out), max_(max_named), name_(std::move(name)) {}
  void add(Check c) {
    if (named_ < max_) {
      out_.push_back(std::move(c));
      ++named_;
    } else {
      ++more_;
    }
  }
  [[nodiscard]] std::size_t count() const noexcept { return named_ + more_; }
  void finish(const std::string& what) {
    if (more_ > 0)
      out_.push_back(make_check(name_, CheckStatus::fail,
                                "and " + std::to_string(more_) + " more " + what + " (see the reach rows)"));
  }

 private:
  std::vector<Check>& out_;
  std::size_t max_;
  std::string name_;
  std::size_t named_ = 0, more_ = 0;
};

std::string list_peers(const std::set<std::string>& hosts, int rail, std::size_t named = 3) {
  std::string text;
  std::size_t i = 0;
  for (const auto& h : hosts) {
    if (i == named) {
      text += ", ...";
      break;
    }
    text += (i++ ? ", " : "") + peer_name(h, rail);
  }
  return text;
}

void judge_paths(const std::map<PortKey, PortView>& ports, const PairMap& pairs, std::size_t max_named,
                 std::vector<Check>& out) {
  // A port is to blame as a whole when it reaches none of its peers and either says its own
  // port failed or those peers reach someone else (so they are fine).
  std::set<PortKey> dead;
  for (const auto& [key, view] : ports) {
    if (view.failed_peers.empty() || !view.ok_peers.empty()) continue;
    bool peers_fine = false;
    for (const auto& peer : view.failed_peers) {
      const auto it = ports.find({peer, key.rail});
      peers_fine = peers_fine || (it != ports.end() && !it->second.ok_peers.empty());
    }
    if (!view.own_fault_reason.empty() || peers_fine) dead.insert(key);
  }
  Capped capped(out, max_named, "reach_path");
  for (const auto& key : dead) {
    const auto& view = ports.at(key);
    std::string reason = view.own_fault_reason;
    if (reason.empty())
      for (const auto& peer : view.failed_peers) {
        const auto it = pairs.find(pair_key(key, peer));
        if (it != pairs.end()) reason = pair_reason(it->second);
        if (!reason.empty()) break;
      }
    const std::string whom = view.failed_peers.size() <= 3
                                 ? list_peers(view.failed_peers, key.rail)
                                 : "any of its " + std::to_string(view.failed_peers.size()) + " peers on rail " +
                                       std::to_string(key.rail) + " (" + list_peers(view.failed_peers, key.rail) + ")";
    Check c = make_check("reach_path", CheckStatus::fail,
                         port_name(key, view.device) + ": no path to " + whom + " \u2014 " + reason,
                         labels_of(key, view.device));
    c.expected = "reachable";
    c.measured = reason;
    capped.add(std::move(c));
  }
  for (const auto& [pk, pair] : pairs) {
    if (!pair.failed) continue;
    const PortKey a = pk.first;
    const PortKey b{pk.second, a.rail};
    if (dead.count(a) || dead.count(b)) continue;
    // The end that fails more often is named; on a tie, the one first in the run. An end that
    // wrote no row at all (its report was lost) is the one named.
    const auto ia = ports.find(a), ib = ports.find(b);
    bool name_b = ia != ports.end() && ib == ports.end();
    if (ia != ports.end() && ib != ports.end()) {
      const auto fa = ia->second.failed_peers.size(), fb = ib->second.failed_peers.size();
      name_b = fb > fa || (fb == fa && ib->second.order < ia->second.order);
    }
    const PortKey& subject = name_b ? b : a;
    const PortKey& other = name_b ? a : b;
    const auto is = name_b ? ib : ia;
    const std::string device = is != ports.end() ? is->second.device : std::string();
    const std::string reason = pair_reason(pair);
    json labels = labels_of(subject, device);
    labels["peer_host"] = other.host;
    Check c = make_check(
        "reach_path", CheckStatus::fail,
        port_name(subject, device) + ": no path to " + peer_name(other.host, other.rail) + " \u2014 " + reason, labels);
    c.expected = "reachable";
    c.measured = reason;
    capped.add(std::move(c));
  }
  capped.finish("unreachable pairs");
  if (capped.count() == 0) {
    std::set<int> rails;
    for (const auto& [key, view] : ports) rails.insert(key.rail);
    Check c = make_check("reach_path", CheckStatus::pass,
                         "every port reached its peer on every other node: " + std::to_string(pairs.size()) +
                             " rail pairs over " + std::to_string(rails.size()) + " rail(s)");
    c.expected = "reachable";
    c.measured = "reachable";
    out.push_back(std::move(c));
  }
}

struct Field {
  const char* key;
  const char* label;
};

std::string field_value(const json& row, const Field& f) {
  const std::string key = f.key;
  if (key == "active_mtu_bytes")
    return row.contains(key) ? std::to_string(row[key].get<long long>()) + " B" : std::string();
  if (key == "line_rate_gbps") {
    if (!row.contains(key)) return {};
    char text[64];
    std::snprintf(text, sizeof text, "%g Gb/s", row[key].get<double>());
    const std::string rate = row.value("rate", "");
    return std::string(text) + (rate.empty() ? "" : " (" + rate + ")");
  }
  const std::string v = row.value(key, "");
  return v;
}

void judge_match(const std::map<PortKey, PortView>& ports, const PairMap& pairs, std::size_t max_named,
                 std::vector<Check>& out) {
  static const Field fields[] = {{"active_mtu_bytes", "active MTU"},
                                 {"line_rate_gbps", "rate"},
                                 {"gid_type", "GID type"},
                                 {"link_layer", "link layer"}};
  Capped capped(out, max_named, "reach_port_match");
  std::set<int> rails;
  for (const auto& [key, view] : ports) rails.insert(key.rail);
  for (int rail : rails) {
    for (const auto& f : fields) {
      std::map<std::string, std::vector<PortKey>> by_value;
      std::size_t known = 0;
      for (const auto& [key, view] : ports) {
        if (key.rail != rail) continue;
        const std::string v = field_value(*view.row, f);
        if (v.empty()) continue;
        by_value[v].push_back(key);
        ++known;
      }
      if (by_value.size() < 2) continue;
      const auto top = std::max_element(by_value.begin(), by_value.end(),
                                        [](const auto& l, const auto& r) { return l.second.size() < r.second.size(); });
      if (known >= 3 && top->second.size() * 2 > known) {
        for (const auto& [value, keys] : by_value) {
          if (value == top->first) continue;
          for (const auto& key : keys) {
            const auto& device = ports.at(key).device;
            json labels = labels_of(key, device);
            labels["field"] = f.key;
            Check c = make_check("reach_port_match", CheckStatus::fail,
                                 port_name(key, device) + ": " + f.label + " " + value + ", but " +
                                     std::to_string(top->second.size()) + " of " + std::to_string(known) +
                                     " ports on rail " + std::to_string(rail) + " have " + top->first,
                                 labels);
            c.expected = top->first;
            c.measured = value;
            capped.add(std::move(c));
          }
        }
        continue;
      }
      // No majority: name the two ends of every tested pair that differ.
      for (const auto& [pk, pair] : pairs) {
        if (pk.first.rail != rail) continue;
        const PortKey a = pk.first, b{pk.second, rail};
        const auto ia = ports.find(a), ib = ports.find(b);
        if (ia == ports.end() || ib == ports.end()) continue;
        const std::string va = field_value(*ia->second.row, f), vb = field_value(*ib->second.row, f);
        if (va.empty() || vb.empty() || va == vb) continue;
        json labels = labels_of(a, ia->second.device);
        labels["peer_host"] = b.host;
        labels["field"] = f.key;
        Check c = make_check("reach_port_match", CheckStatus::fail,
                             port_name(a, ia->second.device) + " and " + port_name(b, ib->second.device) +
                                 " differ in " + f.label + ": " + va + " vs " + vb,
                             labels);
        c.expected = va;
        c.measured = vb;
        capped.add(std::move(c));
      }
    }
  }
  capped.finish("port mismatches");
  if (capped.count() == 0 && !ports.empty())
    out.push_back(make_check("reach_port_match", CheckStatus::pass,
                             "every rail's ports agree on active MTU, rate, GID type and link layer (" +
                                 std::to_string(ports.size()) + " ports on " + std::to_string(rails.size()) +
                                 " rail(s))"));
}

}  // namespace

std::vector<Check> judge_reach(const json& rows, std::size_t max_named) {
  std::map<PortKey, PortView> ports;
  PairMap pairs;
  for (const auto& row : rows) {
    if (row.value("stage", "") != "reach" || !row.contains("peer_host")) continue;
    const PortKey key{row.value("host", ""), row.value("rail", 0)};
    const std::string peer = row.value("peer_host", "");
    auto [it, inserted] = ports.try_emplace(key);
    auto& view = it->second;
    if (inserted) {
      view.order = ports.size();
      view.device = row.value("device", "");
      view.row = &row;
    } else if (!view.row->contains("active_mtu_bytes") && row.contains("active_mtu_bytes")) {
      view.row = &row;
    }
    const bool ok = row.value("reachable", false);
    if (!ok && row.value("fault", "") == "port") view.own_fault_reason = row.value("reason", "");
    auto& pair = pairs[pair_key(key, peer)];
    pair.rows.push_back(&row);
    pair.failed = pair.failed || !ok;
  }
  // A pair is reachable only when every end that reported says so.
  for (const auto& [pk, pair] : pairs) {
    const PortKey a = pk.first, b{pk.second, pk.first.rail};
    for (const auto& [end, peer] : {std::pair{a, b}, std::pair{b, a}}) {
      auto it = ports.find(end);
      if (it == ports.end()) continue;
      (pair.failed ? it->second.failed_peers : it->second.ok_peers).insert(peer.host);
    }
  }
  std::vector<Check> out;
  if (ports.empty()) {
    out.push_back(make_check("reach_path", CheckStatus::skip, "no reach rows to judge"));
    return out;
  }
  judge_paths(ports, pairs, max_named, out);
  judge_match(ports, pairs, max_named, out);
  return out;
}

}  // namespace fabricperf::runners
