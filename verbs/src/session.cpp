#include "fabricperf/verbs/session.hpp"

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <thread>

#include "fabricperf/error.hpp"
#include "fabricperf/launcher.hpp"
#include "fabricperf/log.hpp"
#include "fabricperf/run_secret.hpp"
#include "fabricperf/verbs/lane_runner.hpp"
#include "fabricperf/verbs/qp_info.hpp"
#ifdef FABRICPERF_HAVE_MPI
#include "fabricperf/mpi_bootstrap.hpp"
#endif

namespace fabricperf::verbs {

void add_session_options(CLI::App& app, SessionOptions& o, bool allow_ud) {
  app.add_option("SERVER", o.server, "Server to connect to (omit on the server side, like perftest)");
  app.add_option("-d,--ib-dev", o.devices, "RDMA device(s), comma-separated (default: the first one)")
      ->type_name("DEV[,DEV...]");
  app.add_flag("--all-devices", o.all_devices, "Use every RDMA device (one thread each; report each + aggregate)");
  app.add_option("-i,--ib-port", o.ib_port, "Port of the device")->check(CLI::Range(1, 254))->capture_default_str();
  app.add_option("-x,--gid-index", o.gid_index, "GID index (default: the RoCE v2 IPv4-mapped GID on Ethernet)")
      ->check(CLI::Range(0, 65535));
  app.add_option("-m,--mtu", o.mtu, "Path MTU: 256, 512, 1024, 2048 or 4096 (default: the port's active MTU)")
      ->check(CLI::IsMember({256, 512, 1024, 2048, 4096}));
  app.add_option("-p,--port", o.tcp_port, "TCP port of the connection exchange")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  auto* c = app.add_option("-c,--connection", o.connection, allow_ud ? "Transport: RC or UD" : "Transport: RC")
                ->capture_default_str();
  c->check(allow_ud ? CLI::IsMember({"RC", "UD"}, CLI::ignore_case) : CLI::IsMember({"RC"}, CLI::ignore_case));
  app.add_flag("-R,--rdma_cm", o.rdma_cm, "Connect the data QPs with rdma_cm (RC; port -p +1 per device)");
  app.add_option("--cpu", o.cpu, "Pin to this CPU (default: the CPUs of the device's NUMA node)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--pairs", o.pairs_file, "Under mpirun/srun: file of 'TARGET INITIATOR' rank pairs (default 0-1, 2-3, ...)")
      ->type_name("FILE");
  app.add_option("--schedule", o.schedule, "Under mpirun/srun: run pairs concurrent or serial")
      ->check(CLI::IsMember({"concurrent", "serial"}))
      ->capture_default_str();
  app.add_option("--memory", o.memory, "Where buffers live: host or hugepage")->capture_default_str();
  app.add_option("--token", o.token, "A secret both sides must give (TCP exchange)");
  app.add_flag("-F,--CPU-freq")->description("Accepted for perftest compatibility (no CPU frequency check is made)");
}

void add_tool_options(CLI::App& app, ToolOptions& options, const std::string& default_size, bool allow_ud) {
  add_common_options(app, options.common);
  add_perftest_size_options(app, options.sizes, default_size);
  add_session_options(app, options.session, allow_ud);
}

int launcher_rank() {
  const auto launcher = detect_launcher();
  return launcher ? launcher->rank : 0;
}

Reporting tool_reporting() {
  Reporting r;
  r.mpi_launched = launched_by_mpi_launcher();
  r.print = !r.mpi_launched || launcher_rank() == 0;
  return r;
}

std::string run_token(const std::string& tool, const std::string& op, const std::vector<std::uint64_t>& sizes,
                      const std::string& extra) {
  const auto [smallest, largest] = std::minmax_element(sizes.begin(), sizes.end());
  std::string token = tool + "/1 op=" + op + " sizes=" + std::to_string(sizes.size());
  if (!sizes.empty()) token += ":" + std::to_string(*smallest) + "-" + std::to_string(*largest);
  return token + extra;
}

Session::Session(const SessionOptions& options, const CommonOptions& common) : options_(options), common_(common) {
  if (options_.rdma_cm && (options_.connection == "UD" || options_.connection == "ud"))
    throw UsageError("-R (rdma_cm) works with -c RC only");
}

void Session::start(const std::string& token) {
  const auto timeout = std::chrono::milliseconds(static_cast<long long>(common_.timeout_s * 1000));
  if (launched_by_mpi_launcher()) {
#ifdef FABRICPERF_HAVE_MPI
    if (!options_.server.empty()) throw UsageError("SERVER is not used under mpirun/srun (ranks pair up instead)");
    bootstrap_ = make_mpi_bootstrap(nullptr, nullptr, timeout);
#else
    throw UsageError("launched by mpirun/srun but this build has no MPI support");
#endif
    pairs_ = options_.pairs_file.empty() ? default_pairs(bootstrap_->size())
                                         : read_pairs_file(options_.pairs_file, bootstrap_->size());
  } else {
    if (!options_.pairs_file.empty()) throw UsageError("--pairs needs mpirun/srun");
    TcpBootstrapConfig cfg;
    cfg.server = options_.server;
    cfg.port = static_cast<std::uint16_t>(options_.tcp_port);
    cfg.ranks = 2;
    cfg.timeout = timeout;
    cfg.token = token;
    cfg.secret = options_.token;
    bootstrap_ = make_tcp_bootstrap(cfg);
    pairs_ = {RankPair{0, 1}};
  }
  phases_ = schedule_phases(pairs_.size(), parse_schedule(options_.schedule));
  role_ = role_of(bootstrap_->rank(), pairs_);
  FP_LOG(info, "session") << pairs_.size() << " pair(s) in " << phases_.size() << " phase(s); this rank "
                          << (role_ ? std::string(role_->role == Role::initiator ? "initiates" : "is the target") +
                                          " with " + peer_name()
                                    : std::string("sits out"));
}

Session::~Session() = default;

int Session::rank() const noexcept { return bootstrap_->rank(); }
bool Session::mpi() const noexcept { return bootstrap_->kind() == "mpi"; }
bool Session::reporting() const noexcept { return !mpi() || rank() == 0; }

bool Session::active_in(std::size_t phase) const {
  if (!role_) return false;
  for (auto p : phases_.at(phase))
    if (p == role_->pair) return true;
  return false;
}

std::string Session::peer_name() const { return role_ ? bootstrap_->describe_rank(role_->peer) : "nobody"; }

void Session::open_devices() {
  std::vector<std::string> names;
  if (options_.all_devices) {
    names = available_devices();
    if (names.empty()) throw Error("--all-devices: no RDMA devices found on this host");
  } else if (!options_.devices.empty()) {
    names = split_device_list(options_.devices);
  } else {
    names = {""};
  }
  for (const auto& name : names) {
    DeviceRequest req;
    req.name = name;
    req.port = options_.ib_port;
    if (options_.gid_index >= 0) req.gid_index = options_.gid_index;
    if (options_.mtu > 0) req.mtu_bytes = options_.mtu;
    req.rdma_cm = options_.rdma_cm;
    Lane lane;
    lane.device = std::make_unique<Device>(open_device(req));
    lanes_.push_back(std::move(lane));
  }
}

void Session::create_endpoints(MemoryProvider& memory, const std::function<EndpointConfig(const Device&)>& config) {
  if (!role_) {
    lanes_.clear();  // this rank sits out: no endpoints
    return;
  }
  for (auto& lane : lanes_) {
    EndpointConfig c = config(*lane.device);
    c.rdma_cm = options_.rdma_cm;
    lane.endpoint = std::make_unique<Endpoint>(*lane.device, memory, c);
  }
}

namespace {
std::string ipv4_for_cm(const Device& d) {
  const std::string ip = ipv4_of(d.selection().gid.gid);
  if (ip.empty())
    throw UsageError("-R needs an IPv4 address: GID " + std::to_string(d.selection().gid.index) + " of " +
                     d.selection().device + " is not IPv4-mapped (pick one with -x)");
  return ip;
}
}  // namespace

void Session::connect() {
  const auto cm_port = [&](std::size_t lane) {
    return static_cast<std::uint16_t>((options_.tcp_port + 1 + static_cast<int>(lane)) % 65536);
  };
  // -R: the target listens before anyone learns where, so the initiator never connects early.
  // Its key travels over the authenticated bootstrap; connect requests without it are refused.
  std::string cm_key;
  if (role_ && options_.rdma_cm && role_->role == Role::target) {
    for (std::size_t i = 0; i < lanes_.size(); ++i)
      lanes_[i].cm_listener = std::make_unique<CmListener>(ipv4_for_cm(*lanes_[i].device), cm_port(i));
    cm_key = random_secret();
  }
  std::string mine;
  if (role_) {
    std::vector<EndpointInfo> infos;
    for (const auto& lane : lanes_) infos.push_back(lane.endpoint->local_info());
    mine = serialize(infos);
  }
  FP_LOG(info, "session") << "exchanging QP numbers, PSNs, GIDs and memory keys of " << lanes_.size()
                          << " lane(s) with every rank";
  const auto all = bootstrap_->all_gather(mine);
  const auto cm_keys = options_.rdma_cm ? bootstrap_->all_gather(cm_key) : std::vector<std::string>{};
  if (role_) {
    const std::string peer = peer_name();
    std::vector<EndpointInfo> theirs;
    try {
      theirs = parse_endpoint_infos(all.at(static_cast<std::size_t>(role_->peer)));
    } catch (const Error& e) {
      throw PeerError(peer, peer + " sent bad connection data: " + e.what());
    }
    if (theirs.size() != lanes_.size())
      throw PeerError(peer, peer + " uses " + std::to_string(theirs.size()) + " device(s), this side " +
                                std::to_string(lanes_.size()) + " (give both sides the same number of -d devices)");
    for (std::size_t i = 0; i < lanes_.size(); ++i) {
      if (options_.rdma_cm) {
        auto& ep = *lanes_[i].endpoint;
        CmQpSetup setup;
        setup.pd = ep.pd();
        setup.send_cq = ep.send_cq();
        setup.recv_cq = ep.recv_cq();
        setup.options = ep.config().qp;
        setup.count = ep.num_qps();
        setup.timeout_s = common_.timeout_s;
        setup.peer = peer;
        setup.key = role_->role == Role::target ? cm_key : cm_keys.at(static_cast<std::size_t>(role_->peer));
        if (setup.key.size() != 32) throw PeerError(peer, peer + " sent no valid rdma_cm key");
        if (role_->role == Role::initiator) {
          const std::string their_ip = ipv4_of(theirs[i].data.front().gid);
          if (their_ip.empty()) throw PeerError(peer, peer + " has no IPv4-mapped GID for rdma_cm");
          lanes_[i].cm_channel = std::make_unique<CmEventChannel>();
          ep.attach_cm_qps(cm_connect(ipv4_for_cm(*lanes_[i].device), their_ip, cm_port(i), setup, *lanes_[i].cm_channel));
        } else {
          ep.attach_cm_qps(lanes_[i].cm_listener->accept(setup));
        }
      }
      lanes_[i].endpoint->connect(theirs[i], peer);
      lanes_[i].peer_device = theirs[i].device;
      FP_LOG(info, "session") << lanes_[i].device->selection().device << " connected to " << peer << " ("
                              << theirs[i].device << "), " << lanes_[i].endpoint->num_qps() << " QP(s)";
    }
  }
  bootstrap_->barrier();
  FP_LOG(trace, "session") << "every rank connected";
}

void Session::run_lanes(const std::function<void(std::size_t)>& fn) {
  std::vector<LanePin> pins;
  pins.reserve(lanes_.size());
  for (const auto& lane : lanes_)
    pins.push_back({options_.cpu >= 0 ? std::optional<int>(options_.cpu) : std::nullopt,
                    lane.device->selection().numa_node});
  const auto used = run_pinned_lanes(pins, fn);
  for (std::size_t i = 0; i < lanes_.size(); ++i) lanes_[i].pinning = used[i];
}

namespace {
// Bootstrap failures name the rank; add what the run was doing.
template <typename F>
auto with_context(const std::string& peer, const std::string& doing, F&& f) {
  try {
    return f();
  } catch (const UsageError&) {
    throw;
  } catch (const PeerError& e) {
    throw PeerError(e.peer(), std::string(e.what()) + " (" + doing + ")");
  } catch (const Error& e) {
    throw PeerError(peer, std::string(e.what()) + " (" + doing + ")");
  }
}
}  // namespace

void Session::barrier(const std::string& doing) {
  with_context(peer_name(), doing, [&] {
    bootstrap_->barrier();
    return 0;
  });
}

std::vector<nlohmann::json> Session::gather(const nlohmann::json& mine, const std::string& doing) {
  const auto all = with_context(peer_name(), doing, [&] { return bootstrap_->all_gather(mine.dump()); });
  std::vector<nlohmann::json> out;
  out.reserve(all.size());
  for (std::size_t r = 0; r < all.size(); ++r) {
    try {
      out.push_back(nlohmann::json::parse(all[r]));
    } catch (const std::exception& e) {
      const std::string who = bootstrap_->describe_rank(static_cast<int>(r));
      throw PeerError(who, who + " sent malformed results: " + e.what());
    }
  }
  return out;
}

nlohmann::json Session::describe() const {
  nlohmann::json j = {{"bootstrap", std::string(bootstrap_->kind())},
                      {"ranks", bootstrap_->size()},
                      {"connection", options_.connection},
                      {"rdma_cm", options_.rdma_cm},
                      {"schedule", options_.schedule},
                      {"memory", options_.memory}};
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& p : pairs_)
    pairs.push_back({{"target", p.target},
                     {"initiator", p.initiator},
                     {"target_host", bootstrap_->hostnames().at(static_cast<std::size_t>(p.target))},
                     {"initiator_host", bootstrap_->hostnames().at(static_cast<std::size_t>(p.initiator))}});
  j["pairs"] = pairs;
  nlohmann::json devs = nlohmann::json::array();
  for (const auto& lane : lanes_) {
    auto d = lane.device->selection().to_json();
    if (lane.endpoint) d["max_inline_bytes"] = lane.endpoint->max_inline();
    if (!lane.pinning.how.empty()) d["pinning"] = lane.pinning.how;
    devs.push_back(d);
  }
  j["devices"] = devs;
  return j;
}

}  // namespace fabricperf::verbs
