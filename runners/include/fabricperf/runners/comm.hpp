#pragma once
// The suite's messaging between ranks, on top of core's Bootstrap. Under MPI it talks
// point-to-point (MPI_Isend/Irecv polled against a deadline of the caller's choosing), so a
// round of 1,024 pairs exchanges 1,024 small messages instead of an all-gather of everything,
// and a rank that never answers is named. Over TCP (standalone) and single-process runs every
// step is a Bootstrap all_gather, which is fine at the sizes those runs have.
//
// Every call is collective: all ranks make the same calls in the same order (a rank that sits a
// round out still calls exchange with peer -1). MPI calls happen on the calling thread only.
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fabricperf/bootstrap.hpp"

namespace fabricperf::runners {

class Comm {
 public:
  explicit Comm(Bootstrap& bootstrap);
  Comm(const Comm&) = delete;
  Comm& operator=(const Comm&) = delete;

  [[nodiscard]] int rank() const noexcept { return bootstrap_.rank(); }
  [[nodiscard]] int size() const noexcept { return bootstrap_.size(); }
  [[nodiscard]] bool root() const noexcept { return rank() == 0; }
  [[nodiscard]] const std::vector<std::string>& hostnames() const noexcept { return bootstrap_.hostnames(); }
  [[nodiscard]] std::string describe(int rank) const { return bootstrap_.describe_rank(rank); }
  [[nodiscard]] Bootstrap& bootstrap() noexcept { return bootstrap_; }
  // True when exchange() is point-to-point (MPI); false when it is an all_gather.
  [[nodiscard]] bool point_to_point() const noexcept { return mpi_; }

  // Sends `mine` to `peer` and returns what `peer` sent (peer -1: sit out, returns ""). Throws
  // PeerError naming the peer when nothing arrives within `wait`.
  std::string exchange(int peer, std::string_view mine, std::chrono::milliseconds wait, const std::string& what);

  // The same with several peers at once (a node that sends to one peer and receives from
  // another): sends outgoing[peer] to each peer and returns what each of them sent back.
  std::map<int, std::string> exchange_many(const std::map<int, std::string>& outgoing, std::chrono::milliseconds wait,
                                           const std::string& what);

  // Root receives every rank's `mine` (indexed by rank); other ranks get an empty vector. When
  // `wait` passes, root throws PeerError naming every rank that did not report.
  std::vector<std::string> gather(std::string_view mine, std::chrono::milliseconds wait, const std::string& what);

  // Root's text to every rank (root gets its own back). Others throw PeerError naming rank 0
  // when nothing arrives within `wait`.
  std::string broadcast(std::string_view root_text, std::chrono::milliseconds wait, const std::string& what);

  // Under MPI, messages of one step carry tags derived from (step, call number), so ranks that
  // made different numbers of calls in an earlier step (one gave up on a dead peer) agree
  // again: every rank calls begin_step(s) with the same s, and substep(k) before a call that
  // must line up whatever happened before it in the step.
  void begin_step(unsigned long step) noexcept { step_base_ = sequence_ = step * 128; }
  void substep(unsigned k) noexcept { sequence_ = step_base_ + k; }

  // A rank known to be dead (Liveness saw its process go): waits for it end at once with a
  // PeerError instead of running into their deadline. Thread-safe.
  void mark_gone(int rank);
  [[nodiscard]] bool gone(int rank) const;

  // Small, rare all-to-all exchanges (fingerprints at start-up): the bootstrap's own.
  std::vector<std::string> all_gather(std::string_view mine) { return bootstrap_.all_gather(mine); }

 private:
  Bootstrap& bootstrap_;
  bool mpi_ = false;
  unsigned long sequence_ = 0;  // distinguishes consecutive steps' messages (MPI tags)
  unsigned long step_base_ = 0;
  mutable std::mutex gone_mutex_;
  std::set<int> gone_;
};

}  // namespace fabricperf::runners
