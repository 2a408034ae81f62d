#include <mpi.h>

#include <deque>
#include <thread>
#include <vector>

#include "fabricperf/collectives/mpi_backend.hpp"

namespace fabricperf::collectives {
namespace {

constexpr int kPingTag = 71;
constexpr int kPongTag = 72;

class MpiProbe final : public LivenessProbe {
 public:
  MpiProbe() {
    MPI_Comm_dup(MPI_COMM_WORLD, &comm_);
    MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
  }
  ~MpiProbe() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (finalized || diagnosed_) return;  // after a diagnosis requests may still point at dead peers
    for (auto& r : replies_) MPI_Wait(&r.request, MPI_STATUS_IGNORE);
    MPI_Comm_free(&comm_);
  }
  MpiProbe(const MpiProbe&) = delete;
  MpiProbe& operator=(const MpiProbe&) = delete;

  void service(std::int64_t progress) override {
    for (;;) {
      int flag = 0;
      MPI_Status status;
      if (MPI_Iprobe(MPI_ANY_SOURCE, kPingTag, comm_, &flag, &status) != MPI_SUCCESS || !flag) break;
      std::int64_t ping = 0;
      MPI_Recv(&ping, 1, MPI_INT64_T, status.MPI_SOURCE, kPingTag, comm_, MPI_STATUS_IGNORE);
      replies_.push_back({progress, MPI_REQUEST_NULL});
      MPI_Isend(&replies_.back().value, 1, MPI_INT64_T, status.MPI_SOURCE, kPongTag, comm_, &replies_.back().request);
    }
    // Drop completed replies from the front (the deque keeps addresses of the rest stable).
    while (!replies_.empty()) {
      int done = 0;
      if (MPI_Test(&replies_.front().request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) done = 1;
      if (!done) break;
      replies_.pop_front();
    }
  }

  ProbeReport diagnose(std::chrono::milliseconds grace, std::int64_t progress) override {
    diagnosed_ = true;
    const auto n = static_cast<std::size_t>(size_);
    ProbeReport report;
    report.progress.assign(n, -1);
    report.progress[static_cast<std::size_t>(rank_)] = progress;
    std::vector<std::int64_t> pongs(n, -1);
    std::vector<MPI_Request> sends(n, MPI_REQUEST_NULL);
    std::vector<MPI_Request> recvs(n, MPI_REQUEST_NULL);
    std::vector<bool> answered(n, false);
    answered[static_cast<std::size_t>(rank_)] = true;
    leaked_pings_.push_back(rank_);  // the sends below read it after this function returns
    const std::int64_t& ping = leaked_pings_.back();
    for (int r = 0; r < size_; ++r) {
      if (r == rank_) continue;
      const auto i = static_cast<std::size_t>(r);
      if (MPI_Irecv(&pongs[i], 1, MPI_INT64_T, r, kPongTag, comm_, &recvs[i]) != MPI_SUCCESS) recvs[i] = MPI_REQUEST_NULL;
      MPI_Isend(&ping, 1, MPI_INT64_T, r, kPingTag, comm_, &sends[i]);
    }
    const auto deadline = Clock::now() + grace;
    std::size_t missing = n - 1;
    while (missing > 0 && Clock::now() < deadline) {
      service(progress);
      for (std::size_t i = 0; i < n; ++i) {
        if (answered[i] || recvs[i] == MPI_REQUEST_NULL) continue;
        int done = 0;
        if (MPI_Test(&recvs[i], &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) {
          recvs[i] = MPI_REQUEST_NULL;  // an error is no answer
          continue;
        }
        if (done) {
          answered[i] = true;
          report.progress[i] = pongs[i];
          --missing;
        }
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    // Keep answering whoever is still diagnosing for the rest of the grace period: their view
    // should match ours.
    while (Clock::now() < deadline) {
      service(progress);
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    for (std::size_t i = 0; i < n; ++i)
      if (!answered[i]) report.unresponsive.push_back(static_cast<int>(i));
    // The unanswered requests stay posted on purpose: the job is about to be aborted, and
    // freeing a request to a dead peer can block.
    leaked_pongs_.push_back(std::move(pongs));
    return report;
  }

 private:
  struct Reply {
    std::int64_t value;
    MPI_Request request;
  };
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
  bool diagnosed_ = false;
  std::deque<Reply> replies_;
  std::deque<std::vector<std::int64_t>> leaked_pongs_;
  std::deque<std::int64_t> leaked_pings_;
};

}  // namespace

std::unique_ptr<LivenessProbe> make_mpi_probe() { return std::make_unique<MpiProbe>(); }

std::string mpi_library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0;
  MPI_Get_library_version(text, &length);
  std::string version(text, static_cast<std::size_t>(length));
  const auto cut = version.find_first_of(",\n");
  if (cut != std::string::npos) version.resize(cut);
  while (!version.empty() && (version.back() == ' ' || version.back() == '\0')) version.pop_back();
  return version;
}

void mpi_abort_job(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

}  // namespace fabricperf::collectives
