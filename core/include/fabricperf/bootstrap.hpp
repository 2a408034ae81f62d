#pragma once
// How ranks find each other and exchange connection data (QP numbers, rkeys, NCCL ids).
// Two backends behind this one interface: MPI (launched by mpirun/srun) and a standalone TCP
// client/server like perftest's. Every call has a deadline and names the peer it waited for.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fabricperf/launcher.hpp"  // launched_by_mpi_launcher(), detect_launcher()

namespace fabricperf {

class Bootstrap {
 public:
  virtual ~Bootstrap() = default;
  [[nodiscard]] virtual int rank() const noexcept = 0;
  [[nodiscard]] virtual int size() const noexcept = 0;
  // Host name of each rank (known after construction).
  [[nodiscard]] virtual const std::vector<std::string>& hostnames() const noexcept = 0;
  // Every rank contributes `mine`; every rank gets all contributions indexed by rank.
  [[nodiscard]] virtual std::vector<std::string> all_gather(std::string_view mine) = 0;
  virtual void barrier() = 0;
  [[nodiscard]] virtual std::string_view kind() const noexcept = 0;  // "tcp" | "mpi" | "single"
  // TCP: this process's numeric address on its bootstrap connection (rank 0: the address the
  // clients reached it on), for other listeners of the run to bind to. "" when unknown (MPI).
  [[nodiscard]] virtual std::string local_address() const { return {}; }

  // "rank 1 on node2"
  [[nodiscard]] std::string describe_rank(int rank) const;
};

// A single process talking to nobody (size 1): for loopback runs and unit tests.
[[nodiscard]] std::unique_ptr<Bootstrap> make_single_process_bootstrap();

struct TcpBootstrapConfig {
  std::string server;          // empty: this process is the server (rank 0)
  std::uint16_t port = 18515;  // perftest's default port
  int ranks = 2;               // server + clients
  std::chrono::milliseconds timeout{30000};
  std::string token;         // run description: must match on every side (tool, parameters)
  std::string secret;        // --token; "" = $FABRICPERF_TOKEN (run_secret.hpp)
  std::string bind_address;  // server: address to listen on ("" = any)
};

// Server: listens, takes the clients' hellos concurrently (tcp_handshakes.hpp), accepts exactly
// ranks-1 clients that present the run's secret and the same run description (others are told
// why and dropped), assigns ranks 1.. in arrival order. Without a secret it listens only on a
// loopback --bind address (UsageError otherwise, saying how to give one). Client: connects
// (retrying until the deadline: the server may start later), proves the secret, learns its rank.
[[nodiscard]] std::unique_ptr<Bootstrap> make_tcp_bootstrap(const TcpBootstrapConfig& config);

}  // namespace fabricperf
