#pragma once
// Names a rank whose process dies, the moment it dies. Every rank keeps one idle TCP connection
// to rank 0 (keepalive on); a process that exits without saying goodbye closes it, and a node
// that vanishes stops answering keepalive probes (~11 s). Rank 0's monitor thread then records
// "rank 3 on node7 is gone ... during verbs_bw" in the document at once, so that even when the
// launcher kills the rest of the job a moment later, the partial document names the dead node.
// Best effort: a rank that cannot connect (firewall) is simply not watched.
//
// Only ranks of this run can be watched (so only they can be declared gone): rank 0 draws a
// random secret and shares it with its address over the run's own channel (MPI, or the
// authenticated TCP bootstrap); a connection counts once it sent a rank in 1..size-1 and that
// secret within 2 s. Others are closed without effect; at most 64 wait at a time. Rank 0 listens
// on the address its TCP bootstrap was reached on, on every interface only under MPI.
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fabricperf/runners/comm.hpp"

namespace fabricperf::runners {

class Liveness {
 public:
  // Collective (one all_gather of rank 0's address).
  explicit Liveness(Comm& comm);
  ~Liveness();
  Liveness(const Liveness&) = delete;
  Liveness& operator=(const Liveness&) = delete;

  // Rank 0: called (from the monitor thread) once per rank that is lost, after Comm::mark_gone.
  void on_loss(std::function<void(const std::string&)> callback);
  void set_context(std::string context);
  // Orderly end: other ranks say goodbye and close; rank 0 stops watching.
  void stop();
  [[nodiscard]] std::size_t watched() const;                 // rank 0: connections established
  [[nodiscard]] int port() const noexcept { return port_; }  // rank 0: where it listens (0: nowhere)

 private:
  struct Pending {
    int fd = -1;
    std::chrono::steady_clock::time_point deadline;
    std::string hello;  // rank (4 bytes, network order) + secret, as received so far
  };
  void monitor();
  void accept_one();
  void read_hello(Pending& p);
  void lost(std::size_t index, const std::string& how);

  Comm& comm_;
  int listener_ = -1;
  int port_ = 0;
  std::string secret_;  // rank 0: what a watched rank must send
  std::vector<Pending> pending_;
  int wake_[2] = {-1, -1};
  int to_root_ = -1;
  struct Peer {
    int fd = -1;
    int rank = -1;
    bool bye = false;
  };
  std::vector<Peer> peers_;
  mutable std::mutex mutex_;
  std::function<void(const std::string&)> callback_;
  std::string context_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace fabricperf::runners
