#include "fabricperf/runners/comm.hpp"

#include <thread>

#include "fabricperf/error.hpp"
#include "fabricperf/wire.hpp"

#ifdef FABRICPERF_HAVE_MPI
#include <mpi.h>
#endif

namespace fabricperf::runners {
namespace {

using Clock = std::chrono::steady_clock;

std::string seconds_text(std::chrono::milliseconds wait) {
  return std::to_string(static_cast<long long>((wait.count() + 999) / 1000)) + " s";
}

#ifdef FABRICPERF_HAVE_MPI
// Tags cycle below the guaranteed minimum MPI_TAG_UB (32767); a step's messages share one tag.
int tag_of(unsigned long sequence) {
  return static_cast<int>(1000 + sequence % 30000);
}

// Polls `request` until it completes or `deadline` passes (then cancels it and returns false).
bool wait_for(MPI_Request& request, Clock::time_point deadline, MPI_Status* status = MPI_STATUS_IGNORE) {
  int done = 0;
  for (unsigned spins = 0;; ++spins) {
    MPI_Test(&request, &done, status);
    if (done) return true;
    if (Clock::now() > deadline) {
      MPI_Cancel(&request);
      MPI_Request_free(&request);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(spins < 100 ? 20 : 200));
  }
}

// Receives a message of unknown length from `source` with `tag`; gives up at `deadline` or as
// soon as `gone` says the source is dead.
template <typename Gone>
bool receive_text(int source, int tag, Clock::time_point deadline, std::string& out, Gone&& gone) {
  for (unsigned spins = 0;; ++spins) {
    int flag = 0;
    MPI_Status status;
    MPI_Iprobe(source, tag, MPI_COMM_WORLD, &flag, &status);
    if (flag) {
      int count = 0;
      MPI_Get_count(&status, MPI_BYTE, &count);
      out.assign(static_cast<std::size_t>(count), '\0');
      MPI_Recv(out.data(), count, MPI_BYTE, source, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      return true;
    }
    if (Clock::now() > deadline || ((spins & 255U) == 0 && gone(source))) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(spins < 100 ? 20 : 200));
  }
}
#endif

}  // namespace

void Comm::mark_gone(int rank) {
  std::lock_guard lock(gone_mutex_);
  gone_.insert(rank);
}

bool Comm::gone(int rank) const {
  std::lock_guard lock(gone_mutex_);
  return gone_.contains(rank);
}

Comm::Comm(Bootstrap& bootstrap) : bootstrap_(bootstrap) {
#ifdef FABRICPERF_HAVE_MPI
  mpi_ = bootstrap_.kind() == "mpi";
#endif
}

std::string Comm::exchange(int peer, std::string_view mine, std::chrono::milliseconds wait, const std::string& what) {
  const unsigned long seq = sequence_++;
  if (!mpi_) {
    auto all = bootstrap_.all_gather(mine);
    return peer < 0 ? std::string() : all.at(static_cast<std::size_t>(peer));
  }
#ifdef FABRICPERF_HAVE_MPI
  if (peer < 0) return {};
  const auto deadline = Clock::now() + wait;
  const int tag = tag_of(seq);
  MPI_Request send = MPI_REQUEST_NULL;
  MPI_Isend(mine.data(), static_cast<int>(mine.size()), MPI_BYTE, peer, tag, MPI_COMM_WORLD, &send);
  std::string theirs;
  if (!receive_text(peer, tag, deadline, theirs, [this](int r) { return gone(r); })) {
    MPI_Cancel(&send);
    MPI_Request_free(&send);
    throw PeerError(describe(peer), what + ": no answer from " + describe(peer) +
                                        (gone(peer) ? " (it is gone)" : " within " + seconds_text(wait)));
  }
  if (!wait_for(send, deadline))
    throw PeerError(describe(peer),
                    what + ": " + describe(peer) + " did not take our message within " + seconds_text(wait));
  return theirs;
#else
  (void)wait;
  (void)what;
  return {};
#endif
}

std::map<int, std::string> Comm::exchange_many(const std::map<int, std::string>& outgoing,
                                               std::chrono::milliseconds wait, const std::string& what) {
  const unsigned long seq = sequence_++;
  std::map<int, std::string> replies;
  if (!mpi_) {
    std::vector<std::string> items;
    for (const auto& [peer, text] : outgoing) {
      items.push_back(std::to_string(peer));
      items.push_back(text);
    }
    const auto all = bootstrap_.all_gather(wire::pack_strings(items));
    for (const auto& [peer, unused] : outgoing) {
      const auto theirs = wire::unpack_strings(all.at(static_cast<std::size_t>(peer)));
      bool found = false;
      for (std::size_t i = 0; i + 1 < theirs.size(); i += 2)
        if (theirs[i] == std::to_string(rank())) {
          replies[peer] = theirs[i + 1];
          found = true;
        }
      if (!found)
        throw PeerError(describe(peer), what + ": " + describe(peer) + " sent nothing for us (schedules differ?)");
    }
    return replies;
  }
#ifdef FABRICPERF_HAVE_MPI
  const auto deadline = Clock::now() + wait;
  const int tag = tag_of(seq);
  std::vector<MPI_Request> sends;
  sends.reserve(outgoing.size());
  for (const auto& [peer, text] : outgoing) {
    sends.push_back(MPI_REQUEST_NULL);
    MPI_Isend(text.data(), static_cast<int>(text.size()), MPI_BYTE, peer, tag, MPI_COMM_WORLD, &sends.back());
  }
  for (const auto& [peer, unused] : outgoing) {
    std::string theirs;
    if (!receive_text(peer, tag, deadline, theirs, [this](int r) { return gone(r); })) {
      for (auto& s : sends) {
        MPI_Cancel(&s);
        MPI_Request_free(&s);
      }
      throw PeerError(describe(peer), what + ": no answer from " + describe(peer) +
                                          (gone(peer) ? " (it is gone)" : " within " + seconds_text(wait)));
    }
    replies[peer] = std::move(theirs);
  }
  std::size_t i = 0;
  for (const auto& [peer, unused] : outgoing) {
    if (!wait_for(sends[i++], deadline))
      throw PeerError(describe(peer),
                      what + ": " + describe(peer) + " did not take our message within " + seconds_text(wait));
  }
  return replies;
#else
  (void)wait;
  return replies;
#endif
}

std::vector<std::string> Comm::gather(std::string_view mine, std::chrono::milliseconds wait, const std::string& what) {
  const unsigned long seq = sequence_++;
  if (!mpi_) {
    auto all = bootstrap_.all_gather(mine);
    if (!root()) return {};
    return all;
  }
#ifdef FABRICPERF_HAVE_MPI
  const auto deadline = Clock::now() + wait;
  const int tag = tag_of(seq);
  if (!root()) {
    MPI_Request send = MPI_REQUEST_NULL;
    MPI_Isend(mine.data(), static_cast<int>(mine.size()), MPI_BYTE, 0, tag, MPI_COMM_WORLD, &send);
    if (!wait_for(send, deadline))
      throw PeerError(describe(0),
                      what + ": " + describe(0) + " did not collect our report within " + seconds_text(wait));
    return {};
  }
  std::vector<std::string> all(static_cast<std::size_t>(size()));
  std::vector<bool> have(all.size(), false);
  all[0] = std::string(mine);
  have[0] = true;
  std::size_t missing = all.size() - 1;
  for (unsigned spins = 0; missing > 0; ++spins) {
    int flag = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, tag, MPI_COMM_WORLD, &flag, &status);
    if (flag) {
      int count = 0;
      MPI_Get_count(&status, MPI_BYTE, &count);
      std::string text(static_cast<std::size_t>(count), '\0');
      MPI_Recv(text.data(), count, MPI_BYTE, status.MPI_SOURCE, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      const auto src = static_cast<std::size_t>(status.MPI_SOURCE);
      if (!have[src]) {
        have[src] = true;
        --missing;
      }
      all[src] = std::move(text);
      continue;
    }
    bool any_gone = false;
    if ((spins & 255U) == 0)
      for (std::size_t r = 1; r < have.size() && !any_gone; ++r) any_gone = !have[r] && gone(static_cast<int>(r));
    if (any_gone || Clock::now() > deadline) {
      std::string names;
      std::size_t named = 0;
      for (std::size_t r = 0; r < have.size(); ++r) {
        if (have[r] || (any_gone && !gone(static_cast<int>(r)))) continue;
        if (named < 8) names += (named ? ", " : "") + describe(static_cast<int>(r));
        ++named;
      }
      if (named > 8) names += " and " + std::to_string(named - 8) + " more";
      throw PeerError(names,
                      what + ": no report from " + names + (any_gone ? " (gone)" : " within " + seconds_text(wait)));
    }
    std::this_thread::sleep_for(std::chrono::microseconds(spins < 100 ? 20 : 200));
  }
  return all;
#else
  (void)wait;
  (void)what;
  return {};
#endif
}

std::string Comm::broadcast(std::string_view root_text, std::chrono::milliseconds wait, const std::string& what) {
  const unsigned long seq = sequence_++;
  if (!mpi_) {
    auto all = bootstrap_.all_gather(root() ? root_text : std::string_view());
    return all.at(0);
  }
#ifdef FABRICPERF_HAVE_MPI
  const auto deadline = Clock::now() + wait;
  const int tag = tag_of(seq);
  if (root()) {
    std::vector<MPI_Request> sends(static_cast<std::size_t>(size() - 1), MPI_REQUEST_NULL);
    for (int r = 1; r < size(); ++r)
      MPI_Isend(root_text.data(), static_cast<int>(root_text.size()), MPI_BYTE, r, tag, MPI_COMM_WORLD,
                &sends[static_cast<std::size_t>(r - 1)]);
    // Eager sends of small messages complete at once; a dead rank's send may never: give up on
    // it quietly (the gather already named it, or the next one will).
    for (auto& s : sends) {
      if (!wait_for(s, deadline)) continue;
    }
    return std::string(root_text);
  }
  std::string text;
  if (!receive_text(0, tag, deadline, text, [this](int r) { return gone(r); }))
    throw PeerError(describe(0), what + ": no word from " + describe(0) + " within " + seconds_text(wait));
  return text;
#else
  (void)wait;
  (void)what;
  return std::string(root_text);
#endif
}

}  // namespace fabricperf::runners
