#include "fabricperf/mpi_bootstrap.hpp"

#include <mpi.h>
#include <unistd.h>

#include <thread>

#include "fabricperf/error.hpp"
#include "fabricperf/log.hpp"

namespace fabricperf {
namespace {

class MpiBootstrap final : public Bootstrap {
 public:
  MpiBootstrap(int* argc, char*** argv, std::chrono::milliseconds timeout) : timeout_(timeout) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
      FP_LOG(info, "bootstrap") << "MPI_Init_thread (FUNNELED)";
      int provided = 0;
      if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) throw Error("MPI_Init failed");
      owns_mpi_ = true;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    log::process_logger().set_rank(rank_);
    FP_LOG(info, "bootstrap") << "MPI: rank " << rank_ << " of " << size_ << ", exchanging host names";
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    hosts_.assign(static_cast<std::size_t>(size_), "");
    hosts_ = gather_strings(name, "exchanging host names");
    FP_LOG(trace, "bootstrap") << "MPI: host names exchanged (rank 0 on " << hosts_.front() << ")";
  }

  ~MpiBootstrap() override {
    if (owns_mpi_) {
      int finalized = 0;
      MPI_Finalized(&finalized);
      if (!finalized) MPI_Finalize();
    }
  }

  int rank() const noexcept override { return rank_; }
  int size() const noexcept override { return size_; }
  const std::vector<std::string>& hostnames() const noexcept override { return hosts_; }
  std::string_view kind() const noexcept override { return "mpi"; }

  std::vector<std::string> all_gather(std::string_view mine) override { return gather_strings(mine, "all_gather"); }

  void barrier() override {
    MPI_Request request = MPI_REQUEST_NULL;
    MPI_Ibarrier(MPI_COMM_WORLD, &request);
    wait(request, "barrier");
  }

 private:
  std::vector<std::string> gather_strings(std::string_view mine, const char* what) {
    int my_length = static_cast<int>(mine.size());
    std::vector<int> lengths(static_cast<std::size_t>(size_));
    MPI_Request request = MPI_REQUEST_NULL;
    MPI_Iallgather(&my_length, 1, MPI_INT, lengths.data(), 1, MPI_INT, MPI_COMM_WORLD, &request);
    wait(request, what);
    std::vector<int> offsets(static_cast<std::size_t>(size_));
    int total = 0;
    for (int r = 0; r < size_; ++r) {
      offsets[static_cast<std::size_t>(r)] = total;
      total += lengths[static_cast<std::size_t>(r)];
    }
    std::string buffer(static_cast<std::size_t>(total), '\0');
    MPI_Iallgatherv(mine.data(), my_length, MPI_BYTE, buffer.data(), lengths.data(), offsets.data(), MPI_BYTE,
                    MPI_COMM_WORLD, &request);
    wait(request, what);
    std::vector<std::string> all;
    all.reserve(static_cast<std::size_t>(size_));
    for (int r = 0; r < size_; ++r)
      all.push_back(buffer.substr(static_cast<std::size_t>(offsets[static_cast<std::size_t>(r)]),
                                  static_cast<std::size_t>(lengths[static_cast<std::size_t>(r)])));
    return all;
  }

  void wait(MPI_Request& request, const char* what) {
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    int done = 0;
    while (!done) {
      MPI_Test(&request, &done, MPI_STATUS_IGNORE);
      if (done) break;
      if (std::chrono::steady_clock::now() > deadline) {
        // A collective cannot be cancelled: report and abort the whole job so no rank hangs.
        FP_LOG(warn, "bootstrap") << "MPI " << what << " did not complete within " << timeout_.count() / 1000
                                  << " s: at least one of the " << size_ << " ranks is dead or stalled";
        throw PeerError("MPI job", std::string("MPI ") + what + " timed out after " +
                                       std::to_string(timeout_.count() / 1000) + " s waiting for other ranks");
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }

  std::chrono::milliseconds timeout_;
  bool owns_mpi_ = false;
  int rank_ = 0;
  int size_ = 1;
  std::vector<std::string> hosts_;
};

}  // namespace

std::unique_ptr<Bootstrap> make_mpi_bootstrap(int* argc, char*** argv, std::chrono::milliseconds timeout) {
  return std::make_unique<MpiBootstrap>(argc, argv, timeout);
}

}  // namespace fabricperf
