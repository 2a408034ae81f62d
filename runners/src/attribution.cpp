#include "fabricperf/runners/attribution.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "attribution_math.hpp"
#include "fabricperf/runners/outliers.hpp"

namespace fabricperf::runners {
namespace {

using namespace detail;

// One probe judged against what its path should carry.
struct Judged {
  ProbeResult result;
  double expected = 0;    // the rate its path can carry in that round
  bool failed = false;    // no measurement
  bool slow = false;      // average below line_rate_pct of expected
  bool flapping = false;  // average fine, lowest window below window_floor_pct of expected
  bool sending = true;    // retests: the suspect was the sender (else the receiver)
  [[nodiscard]] bool bad() const noexcept { return failed || slow || flapping; }
};

// Per suspect NIC: what its retests against good peers said.
struct Suspect {
  int node = 0;
  int rail = 0;
  std::vector<Judged> retests;
  std::set<int> tried;     // good peer nodes already used
  std::string verdict;     // slow, flapping, unreachable, cleared, unresolved
  bool by_sending = true;  // the verdict comes from the retests where it sent (else received)
};

class Attributor {
 public:
  Attributor(ProbeBackend& backend, const AttributionOptions& o) : backend_(backend), o_(o) {
    rails_ = std::max(o_.fabric.rails, 1);
    const auto nics = static_cast<std::size_t>(std::max(o_.fabric.nodes, 0)) * static_cast<std::size_t>(rails_);
    good_.assign(nics, 0);
    bad_.assign(nics, 0);
  }

  AttributionReport run(const NamedRounds& full) {
    for (std::size_t i = 0; i < full.rounds.size(); ++i) run_full_round(full.names[i], full.rounds[i]);
    collect_suspects();
    for (int k = 0; k < o_.good_peers && budget_left(); ++k) retest_round(k);
    decide();
    loopback_round();
    cross_rail_rounds();
    roll_up_nodes();
    pair_round();
    for (const auto& s : suspects_) {
      if (s.verdict == "cleared") ++report_.cleared;
      if (s.verdict == "unresolved") ++report_.unresolved;
    }
    report_.suspects = suspects_.size();
    return std::move(report_);
  }

 private:
  [[nodiscard]] std::size_t nic(int node, int rail) const {
    return static_cast<std::size_t>(node) * static_cast<std::size_t>(rails_) + static_cast<std::size_t>(rail);
  }
  [[nodiscard]] bool budget_left() const { return retest_rounds_ < o_.max_retest_rounds; }

  // Runs a round and judges each probe; shares come from the spine model per rail plane.
  std::vector<Judged> run(const std::string& name, RoundKind kind, const std::vector<Probe>& probes) {
    report_.rounds.push_back({name, kind, probes.size()});
    if (kind != RoundKind::full) ++retest_rounds_;
    const auto results = backend_.run_round(name, kind, probes);
    std::map<int, std::vector<Flow>> planes;
    std::map<int, std::vector<std::size_t>> index;
    for (std::size_t i = 0; i < probes.size(); ++i)
      if (!probes[i].loopback() && !probes[i].cross_rail()) {
        planes[probes[i].sender_rail].push_back({probes[i].receiver, probes[i].sender});
        index[probes[i].sender_rail].push_back(i);
      }
    std::vector<double> share(probes.size(), 1.0);
    for (const auto& [plane, flows] : planes) {
      const auto s = spine_shares(o_.fabric, flows);
      for (std::size_t j = 0; j < s.size(); ++j) share[index[plane][j]] = s[j];
    }
    // Line rate unknown (0, e.g. software RDMA): what a NIC reaches at best stands in for it — the
    // median over NICs of each one's fastest full-round flow (per unit of share), so a slow node in
    // most flows of a small cluster does not become the norm.
    if (kind == RoundKind::full)
      for (std::size_t i = 0; i < probes.size() && i < results.size(); ++i)
        if (results[i].measured && share[i] > 0) {
          const double rate = results[i].bw_avg_gbps / share[i];
          typical_.push_back(rate);
          for (const auto id :
               {nic(probes[i].receiver, probes[i].receiver_rail), nic(probes[i].sender, probes[i].sender_rail)})
            best_[id] = std::max(best_[id], rate);
        }
    std::vector<double> best;
    for (const auto& [id, rate] : best_) best.push_back(rate);
    const double fallback_line = median_of(best);
    if (kind == RoundKind::full) robust_floor_ = robust_floor_of(typical_, o_.outlier_k, o_.outlier_min_samples);
    std::vector<Judged> out(probes.size());
    for (std::size_t i = 0; i < probes.size(); ++i) {
      auto& j = out[i];
      if (i < results.size()) j.result = results[i];
      const double line = j.result.line_rate_gbps > 0 ? j.result.line_rate_gbps : fallback_line;
      j.expected = line * share[i];
      j.failed = !j.result.measured;
      // Below the expectation and, on a noisy fabric, also below what noise explains among its peers.
      j.slow = !j.failed && j.result.bw_avg_gbps < o_.line_rate_pct / 100.0 * j.expected &&
               j.result.bw_avg_gbps < robust_floor_ * j.expected / std::max(line, 1e-12);
      j.flapping = !j.failed && !j.slow && std::isfinite(j.result.bw_min_gbps) &&
                   j.result.bw_min_gbps < o_.window_floor_pct / 100.0 * j.expected;
    }
    return out;
  }

  void run_full_round(const std::string& name, const Round& round) {
    std::vector<Probe> probes;
    probes.reserve(round.pairs.size() * static_cast<std::size_t>(rails_));
    for (const auto& f : round.pairs)
      for (int r = 0; r < rails_; ++r) probes.push_back({f.a, r, f.b, r});
    const auto judged = run(name, RoundKind::full, probes);
    for (std::size_t i = 0; i < probes.size(); ++i) {
      const auto& p = probes[i];
      ++report_.flows_measured;
      auto& g = judged[i].bad() ? bad_ : good_;
      ++g[nic(p.receiver, p.receiver_rail)];
      ++g[nic(p.sender, p.sender_rail)];
      if (judged[i].bad()) {
        ++report_.flows_below;
        bad_flows_.push_back(p);
      }
    }
  }

  void collect_suspects() {
    for (int n = 0; n < o_.fabric.nodes; ++n)
      for (int r = 0; r < rails_; ++r) {
        const auto id = nic(n, r);
        if (bad_[id] > 0) {
          suspect_index_[id] = suspects_.size();
          suspects_.push_back({n, r, {}, {}, ""});
        } else if (good_[id] > 0) {
          pool_[r].push_back(n);
          leaf_pool_[{r, o_.fabric.leaf_of(n)}].push_back(n);
        }
      }
    // Small clusters: every NIC may have met the faulty one. A rail without enough NICs of only good
    // flows takes, after them, the suspects with at least as many good flows as bad ones.
    for (int r = 0; r < rails_; ++r) {
      if (pool_[r].size() > static_cast<std::size_t>(o_.good_peers)) continue;
      for (const auto& s : suspects_) {
        const auto id = nic(s.node, s.rail);
        if (s.rail == r && good_[id] >= bad_[id]) pool_[r].push_back(s.node);
      }
    }
  }

  // A known-good NIC of `rail` for `s`, same leaf first, not used in this round nor by s before.
  int pick_good(const Suspect& s, int rail, const std::set<std::size_t>& used, std::size_t turn) {
    const auto try_list = [&](const std::vector<int>& list) -> int {
      if (list.empty()) return -1;
      const std::size_t start = (static_cast<std::size_t>(s.node) * 7919 + turn * 104729) % list.size();
      for (std::size_t i = 0; i < list.size(); ++i) {
        const int g = list[(start + i) % list.size()];
        if (!used.contains(nic(g, rail)) && !s.tried.contains(g) && g != s.node) return g;
      }
      return -1;
    };
    const auto leaf = leaf_pool_.find({rail, o_.fabric.leaf_of(s.node)});
    int g = leaf == leaf_pool_.end() ? -1 : try_list(leaf->second);
    if (g < 0) g = try_list(pool_[rail]);
    return g;
  }

  // One round: every suspect not yet busy in it against a fresh good peer, both directions at once
  // (full duplex), so a NIC slow only when sending, or only when receiving, still shows.
  void retest_round(int k) {
    std::vector<Probe> probes;
    std::vector<std::size_t> who;
    std::set<std::size_t> used;
    // Good peers may be fewer than suspects (small clusters): the least retested go first, and
    // among them the most likely culprits (the largest share of bad flows).
    std::vector<std::size_t> order(suspects_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    const auto bad_share = [&](const Suspect& x) {
      const auto id = nic(x.node, x.rail);
      return static_cast<double>(bad_[id]) / static_cast<double>(std::max<std::uint32_t>(good_[id] + bad_[id], 1));
    };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t l, std::size_t r) {
      const auto &a = suspects_[l], &b = suspects_[r];
      if (a.tried.size() != b.tried.size()) return a.tried.size() < b.tried.size();
      return bad_share(a) > bad_share(b);
    });
    for (const std::size_t i : order) {
      auto& s = suspects_[i];
      if (used.contains(nic(s.node, s.rail))) continue;  // already someone's peer in this round
      const int g = pick_good(s, s.rail, used, static_cast<std::size_t>(k));
      if (g < 0) continue;
      used.insert(nic(g, s.rail));
      used.insert(nic(s.node, s.rail));
      s.tried.insert(g);
      probes.push_back({g, s.rail, s.node, s.rail});  // the suspect sends
      probes.push_back({s.node, s.rail, g, s.rail});  // the suspect receives
      who.push_back(i);
    }
    if (probes.empty()) return;
    auto judged = run("retest " + std::to_string(k + 1), RoundKind::retest, probes);
    for (std::size_t i = 0; i < who.size(); ++i) {
      judged[2 * i + 1].sending = false;
      suspects_[who[i]].retests.push_back(judged[2 * i]);
      suspects_[who[i]].retests.push_back(judged[2 * i + 1]);
    }
  }

  // The verdict of one direction's retests (a majority decides), "" when it has none.
  static std::string verdict_of(const std::vector<Judged>& retests, bool sending) {
    std::size_t n = 0, failed = 0, slow = 0, flapping = 0;
    for (const auto& j : retests) {
      if (j.sending != sending) continue;
      ++n;
      failed += j.failed;
      slow += j.slow;
      flapping += j.flapping;
    }
    if (n == 0) return "";
    const std::size_t majority = n / 2 + 1;
    if (failed == n) return "unreachable";
    if (slow + failed >= majority) return "slow";
    if (flapping >= majority) return "flapping";
    return "cleared";
  }

  void decide() {
    static const std::vector<std::string> worst_first = {"slow", "flapping", "cleared", ""};
    const auto rank = [](const std::string& v) { return std::find(worst_first.begin(), worst_first.end(), v); };
    for (auto& s : suspects_) {
      std::string send = verdict_of(s.retests, true), receive = verdict_of(s.retests, false);
      if (send.empty() && receive.empty()) {
        s.verdict = "unresolved";
        continue;
      }
      // Unreachable only when nothing got through either way; failing one way only is slow.
      if (send == "unreachable" && receive == "unreachable") {
        s.verdict = "unreachable";
        continue;
      }
      if (send == "unreachable") send = "slow";
      if (receive == "unreachable") receive = "slow";
      s.by_sending = rank(send) <= rank(receive);  // a fault in either direction is a fault
      s.verdict = s.by_sending ? send : receive;
      if (s.verdict == "flapping") add_flapping(s);
    }
  }

  std::string nic_label(int node, int rail) const {
    return backend_.node_name(node) + " rail " + std::to_string(rail) + " (" + backend_.device_name(node, rail) + ")";
  }

  Finding base_finding(const Suspect& s, FaultLevel level, const std::string& cause) const {
    Finding f;
    f.level = level;
    f.node = s.node;
    f.rail = s.rail;
    f.cause = cause;
    f.good_peers = static_cast<int>(s.tried.size());
    std::vector<double> measured, expected;
    for (const auto& j : s.retests)
      if (!j.failed && (cause == "dead" || j.sending == s.by_sending)) {
        measured.push_back(cause == "flapping" ? j.result.bw_min_gbps : j.result.bw_avg_gbps);
        expected.push_back(j.expected);
      }
    f.measured_gbps = median_of(measured);
    f.expected_gbps = median_of(expected) * (cause == "flapping" ? o_.window_floor_pct : o_.line_rate_pct) / 100.0;
    return f;
  }

  std::string against(const Finding& f) const {
    return gbps(f.measured_gbps) + " Gb/s against " + std::to_string(f.good_peers) + " good peer" +
           (f.good_peers == 1 ? "" : "s") + " (expected >= " + gbps(f.expected_gbps) + ")";
  }

  void add_flapping(const Suspect& s) {
    auto f = base_finding(s, FaultLevel::link, "flapping");
    f.detail = nic_label(s.node, s.rail) + " link: lowest window " + against(f) +
               ", average fine: a flapping link (cable or switch port)";
    report_.findings.push_back(std::move(f));
  }

  void loopback_round() {
    std::vector<std::size_t> slow;
    for (std::size_t i = 0; i < suspects_.size(); ++i)
      if (suspects_[i].verdict == "slow") slow.push_back(i);
    if (slow.empty()) return;
    std::vector<Judged> loop;
    if (budget_left()) {
      std::vector<Probe> probes;
      for (auto i : slow)
        probes.push_back({suspects_[i].node, suspects_[i].rail, suspects_[i].node, suspects_[i].rail});
      loop = run("loopback", RoundKind::loopback, probes);
    }
    for (std::size_t k = 0; k < slow.size(); ++k) {
      const auto& s = suspects_[slow[k]];
      const bool known = k < loop.size() && !loop[k].result.unsupported;
      const bool wire = known && !loop[k].bad();  // the NIC itself runs at full rate: the wire is at fault
      auto f = base_finding(s, wire ? FaultLevel::link : FaultLevel::nic, "slow");
      f.detail = nic_label(s.node, s.rail) + (wire ? " link: " : ": ") + against(f);
      if (!known)
        f.detail += "; the NIC or its cable (no loopback probe here)";
      else if (wire)
        f.detail += "; " + gbps(loop[k].result.bw_avg_gbps) + " Gb/s in loopback: the cable or its switch port";
      else
        f.detail += "; " +
                    (loop[k].failed ? std::string("no loopback either")
                                    : gbps(loop[k].result.bw_avg_gbps) + " Gb/s in loopback too") +
                    ": the NIC or its PCIe link";
      report_.findings.push_back(std::move(f));
    }
  }

  void cross_rail_rounds() {
    std::vector<std::size_t> pending;
    for (std::size_t i = 0; i < suspects_.size(); ++i)
      if (suspects_[i].verdict == "unreachable") pending.push_back(i);
    std::map<std::size_t, int> reaches;
    bool unsupported = rails_ < 2;
    for (int d = 1; d < rails_ && !pending.empty() && budget_left() && !unsupported; ++d) {
      std::vector<Probe> probes;
      std::vector<std::size_t> who;
      std::set<std::size_t> used;
      for (auto i : pending) {
        auto& s = suspects_[i];
        const int rail = (s.rail + d) % rails_;
        Suspect fresh{s.node, rail, {}, {}, ""};
        const int g = pick_good(fresh, rail, used, static_cast<std::size_t>(d));
        if (g < 0) continue;
        used.insert(nic(g, rail));
        probes.push_back({g, rail, s.node, s.rail});
        who.push_back(i);
      }
      if (probes.empty()) break;
      const auto judged = run("cross-rail " + std::to_string(d), RoundKind::cross_rail, probes);
      std::vector<std::size_t> still;
      for (std::size_t k = 0; k < who.size(); ++k) {
        if (judged[k].result.unsupported) unsupported = true;
        if (!judged[k].failed)
          reaches[who[k]] = probes[k].receiver_rail;
        else
          still.push_back(who[k]);
      }
      for (auto i : pending)
        if (std::find(who.begin(), who.end(), i) == who.end()) still.push_back(i);
      pending = still;
    }
    for (std::size_t i = 0; i < suspects_.size(); ++i) {
      const auto& s = suspects_[i];
      if (s.verdict != "unreachable") continue;
      const std::string peers = std::to_string(s.retests.size()) + " good peer" + (s.retests.size() == 1 ? "" : "s");
      Finding f = base_finding(s, FaultLevel::nic, "dead");
      if (auto it = reaches.find(i); it != reaches.end()) {
        f.cause = "miscabled";
        f.reaches_rail = it->second;
        f.detail = nic_label(s.node, s.rail) + ": no connection with " + peers + " on rail " + std::to_string(s.rail) +
                   ", but reaches rail " + std::to_string(it->second) + ": cabled to rail " +
                   std::to_string(it->second);
      } else if (unsupported) {
        f.cause = "unreachable";
        f.detail = nic_label(s.node, s.rail) + ": no connection with " + peers + " on rail " + std::to_string(s.rail) +
                   ": dead, down or cabled to another rail (no cross-rail probe here)";
      } else {
        f.detail = nic_label(s.node, s.rail) + ": no connection with " + peers + " on rail " + std::to_string(s.rail) +
                   " nor with any other rail: dead NIC or port";
      }
      report_.findings.push_back(std::move(f));
    }
  }

  // A node with most of its rails slow is one fault: the node, not its NICs.
  void roll_up_nodes() {
    if (rails_ < 2) return;
    const int needed = std::max(2, (3 * rails_ + 3) / 4);
    std::map<int, std::vector<std::size_t>> slow_of_node;
    for (std::size_t i = 0; i < report_.findings.size(); ++i)
      if (report_.findings[i].cause == "slow") slow_of_node[report_.findings[i].node].push_back(i);
    std::set<std::size_t> drop;
    std::vector<Finding> nodes;
    for (const auto& [node, list] : slow_of_node) {
      if (static_cast<int>(list.size()) < needed) continue;
      std::vector<double> measured, expected;
      for (auto i : list) {
        measured.push_back(report_.findings[i].measured_gbps);
        expected.push_back(report_.findings[i].expected_gbps);
        drop.insert(i);
      }
      Finding f;
      f.level = FaultLevel::node;
      f.node = node;
      f.cause = "slow";
      f.measured_gbps = median_of(measured);
      f.expected_gbps = median_of(expected);
      f.good_peers = report_.findings[list.front()].good_peers;
      f.detail = backend_.node_name(node) + ": " + std::to_string(list.size()) + " of " + std::to_string(rails_) +
                 " rails slow against good peers (median " + gbps(f.measured_gbps) +
                 " Gb/s, expected >= " + gbps(f.expected_gbps) +
                 "): the node (CPU, memory, PCIe or power), not its NICs";
      nodes.push_back(std::move(f));
    }
    std::vector<Finding> kept;
    for (std::size_t i = 0; i < report_.findings.size(); ++i)
      if (!drop.contains(i)) kept.push_back(std::move(report_.findings[i]));
    for (auto& f : nodes) kept.push_back(std::move(f));
    report_.findings = std::move(kept);
  }

  [[nodiscard]] bool explained(int node, int rail) const {
    return std::any_of(report_.findings.begin(), report_.findings.end(),
                       [&](const Finding& f) { return f.node == node && (f.rail < 0 || f.rail == rail); });
  }

  // Flows below expectation that no finding explains: measured twice more, on their own; the path
  // between the two NICs is blamed only when both repeats are below expectation too.
  void pair_round() {
    std::vector<Probe> probes;
    std::set<std::size_t> used;
    std::set<std::size_t> unresolved;  // suspects never retested: their flows cannot be told apart
    for (const auto& x : suspects_)
      if (x.verdict == "unresolved") unresolved.insert(nic(x.node, x.rail));
    for (const auto& p : bad_flows_) {
      if (explained(p.receiver, p.receiver_rail) || explained(p.sender, p.sender_rail)) continue;
      if (unresolved.contains(nic(p.receiver, p.receiver_rail)) || unresolved.contains(nic(p.sender, p.sender_rail)))
        continue;
      const auto a = nic(p.receiver, p.receiver_rail), b = nic(p.sender, p.sender_rail);
      if (used.contains(a) || used.contains(b)) continue;
      used.insert(a);
      used.insert(b);
      probes.push_back(p);
    }
    std::vector<Judged> last;
    for (int repeat = 1; repeat <= 2 && !probes.empty(); ++repeat) {
      if (!budget_left()) {
        report_.transient += probes.size();
        return;
      }
      const auto judged = run("pair retest " + std::to_string(repeat), RoundKind::retest, probes);
      std::vector<Probe> still;
      last.clear();
      for (std::size_t i = 0; i < probes.size(); ++i) {
        if (!judged[i].bad()) {
          ++report_.transient;
          continue;
        }
        still.push_back(probes[i]);
        last.push_back(judged[i]);
      }
      probes = std::move(still);
    }
    for (std::size_t i = 0; i < probes.size(); ++i) {
      const auto& p = probes[i];
      Finding f;
      f.level = FaultLevel::link;
      f.node = p.sender;
      f.rail = p.sender_rail;
      f.peer_node = p.receiver;
      f.cause = "path";
      f.measured_gbps = last[i].result.bw_avg_gbps;
      f.expected_gbps = last[i].expected * o_.line_rate_pct / 100.0;
      f.detail =
          nic_label(p.sender, p.sender_rail) + " -> " + nic_label(p.receiver, p.receiver_rail) + ": " +
          (last[i].failed ? "failed twice more (" + last[i].result.error + ")"
                          : gbps(f.measured_gbps) + " Gb/s twice more (expected >= " + gbps(f.expected_gbps) + ")") +
          " while both NICs are fine against good peers: the path between them";
      report_.findings.push_back(std::move(f));
    }
  }

  ProbeBackend& backend_;
  AttributionOptions o_;
  int rails_ = 1;
  std::vector<std::uint32_t> good_, bad_;  // per NIC: good and bad flows in the full rounds
  std::vector<Probe> bad_flows_;
  std::vector<double> typical_;         // full-round rates / spine share (the noise floor's sample)
  std::map<std::size_t, double> best_;  // per NIC: its fastest full-round rate / spine share
  double robust_floor_ = 1e300;         // full-round rate / share under which a flow is an outlier (none yet)
  std::vector<Suspect> suspects_;
  std::map<std::size_t, std::size_t> suspect_index_;
  std::map<int, std::vector<int>> pool_;                       // rail -> known-good nodes
  std::map<std::pair<int, int>, std::vector<int>> leaf_pool_;  // (rail, leaf) -> known-good nodes
  std::size_t retest_rounds_ = 0;
  AttributionReport report_;
};

}  // namespace

AttributionReport run_adaptive_bandwidth(ProbeBackend& backend, const NamedRounds& full_rounds,
                                         const AttributionOptions& options) {
  return Attributor(backend, options).run(full_rounds);
}

}  // namespace fabricperf::runners
