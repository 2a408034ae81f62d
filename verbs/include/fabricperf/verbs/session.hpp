#pragma once
// Everything a two-sided verbs tool does before and around its engines: perftest-style
// connection options, the bootstrap (TCP client/server, or MPI when launched by mpirun/srun),
// rank pairs and schedule, one Device + Endpoint per selected device (each run on its own
// pinned thread), the QP info exchange, and gathering per-run results to the reporting rank.
//
//   Session s(options, common);
//   s.open_devices();
//   s.start("fp_bw write 64K q1");
//   s.create_endpoints(provider, [&](const Device& d) { return EndpointConfig{...}; });
//   s.connect();
//   for each size, for each phase: prepare on s.lanes(); s.barrier(); s.run_lanes(fn); s.gather(json)
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "fabricperf/bootstrap.hpp"
#include "fabricperf/cli.hpp"
#include "fabricperf/verbs/affinity.hpp"
#include "fabricperf/verbs/cm.hpp"
#include "fabricperf/verbs/device.hpp"
#include "fabricperf/verbs/endpoint.hpp"
#include "fabricperf/verbs/memory.hpp"
#include "fabricperf/verbs/pairs.hpp"

namespace fabricperf::verbs {

struct SessionOptions {
  std::string devices;            // -d NAME[,NAME...]
  bool all_devices = false;       // --all-devices
  int ib_port = 1;                // -i
  int gid_index = -1;             // -x (-1: auto)
  int mtu = 0;                    // -m (0: active MTU)
  std::string server;             // positional SERVER (empty: this side is the server)
  int tcp_port = 18515;           // -p
  std::string connection = "RC";  // -c RC|UD
  bool rdma_cm = false;           // -R
  int cpu = -1;                   // --cpu (-1: the device's NUMA node)
  std::string pairs_file;         // --pairs
  std::string schedule = "concurrent";
  std::string memory = "host";    // --memory
  std::string token;              // --token: extra secret both sides must share
};

// What every two-sided verbs tool takes: fabricperf's common options, perftest's sizes, the session's.
struct ToolOptions {
  CommonOptions common;
  PerftestSizeOptions sizes;
  SessionOptions session;
};

// Registers the options on `app`. allow_ud: whether -c accepts UD.
void add_session_options(CLI::App& app, SessionOptions& options, bool allow_ud);
// Common, perftest size (-s/-a, default `default_size`) and session options together.
void add_tool_options(CLI::App& app, ToolOptions& options, const std::string& default_size, bool allow_ud);

// The rank mpirun/srun gave this process (from the environment, before MPI_Init); 0 when not
// launched by one. Use it to decide who writes the JSON before RunOutput is constructed.
[[nodiscard]] int launcher_rank();

// Who reports in a tool run: under mpirun/srun only the launcher's rank 0 prints the table and
// writes JSON; launched by hand, every process does.
struct Reporting {
  bool mpi_launched = false;
  bool print = true;
};
[[nodiscard]] Reporting tool_reporting();

// The run token both sides of a tool run must agree on: "<tool>/1 op=<op> sizes=<n>:<min>-<max>"
// followed by `extra` (the tool's own run parameters, " q=2 b=0 ...").
[[nodiscard]] std::string run_token(const std::string& tool, const std::string& op,
                                    const std::vector<std::uint64_t>& sizes, const std::string& extra);

// One device's work: the opened device, its endpoint and the thread pinning it used.
struct Lane {
  std::unique_ptr<Device> device;
  std::unique_ptr<CmEventChannel> cm_channel;  // -R initiator (outlives the endpoint's ids)
  std::unique_ptr<CmListener> cm_listener;     // -R target
  std::unique_ptr<Endpoint> endpoint;
  Pinning pinning;
  std::string peer_device;
};

class Session {
 public:
  Session(const SessionOptions& options, const CommonOptions& common);
  ~Session();

  // Opens the selected devices first, so a bad -d/-i/-x/-m fails at once (UsageError) without
  // waiting for a peer.
  void open_devices();
  // Creates the bootstrap (TCP: 2 ranks, `token` must match on both sides; MPI when launched by
  // mpirun/srun) and works out the pairs and this rank's role.
  void start(const std::string& token);

  [[nodiscard]] Bootstrap& bootstrap() const noexcept { return *bootstrap_; }
  [[nodiscard]] int rank() const noexcept;
  [[nodiscard]] bool mpi() const noexcept;
  // Whether this rank writes the report: rank 0 under MPI, both sides over TCP.
  [[nodiscard]] bool reporting() const noexcept;
  [[nodiscard]] const std::optional<PairRole>& role() const noexcept { return role_; }
  [[nodiscard]] const std::vector<RankPair>& pairs() const noexcept { return pairs_; }
  [[nodiscard]] const std::vector<std::vector<std::size_t>>& phases() const noexcept { return phases_; }
  [[nodiscard]] bool active_in(std::size_t phase) const;
  [[nodiscard]] std::string peer_name() const;

  [[nodiscard]] std::vector<Lane>& lanes() noexcept { return lanes_; }
  void create_endpoints(MemoryProvider& memory, const std::function<EndpointConfig(const Device&)>& config);
  // Exchanges QP info with the peer and moves every QP to RTS; ends with a barrier.
  void connect();

  // Runs fn(lane_index) on one pinned thread per lane; rethrows the first failure (a PeerError
  // before any other error) after all threads ended.
  void run_lanes(const std::function<void(std::size_t)>& fn);

  // `doing` says what the run was at, for the error when a peer is gone ("before write 64K").
  void barrier(const std::string& doing = "synchronizing");
  // Every rank contributes a JSON value; returns all of them by rank.
  [[nodiscard]] std::vector<nlohmann::json> gather(const nlohmann::json& mine,
                                                   const std::string& doing = "exchanging results");

  // Connection parameters for the result document.
  [[nodiscard]] nlohmann::json describe() const;

 private:
  SessionOptions options_;
  CommonOptions common_;
  std::unique_ptr<Bootstrap> bootstrap_;
  std::vector<RankPair> pairs_;
  std::vector<std::vector<std::size_t>> phases_;
  std::optional<PairRole> role_;
  std::vector<Lane> lanes_;
};

}  // namespace fabricperf::verbs
