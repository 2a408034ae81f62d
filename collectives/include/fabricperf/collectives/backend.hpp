#pragma once
// One interface for the libraries that run the collectives: NCCL on GPU buffers and MPI on host
// buffers. The harness owns the measurement (loops, timing, checking, reporting); a backend only
// owns buffers and knows how to start one collective and wait for it.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fabricperf/collectives/collective.hpp"
#include "fabricperf/collectives/types.hpp"
#include "fabricperf/collectives/watchdog.hpp"

namespace fabricperf::collectives {

enum class BufferKind { send, recv };

// One collective call in nccl-tests terms: counts and in-place offsets come from `shape`.
// In place, the send data is read from recv + shape.send_inplace_offset * rank and the result is
// written at recv + shape.recv_inplace_offset * rank (nccl-tests' layout).
struct CollCall {
  Collective coll = Collective::all_reduce;
  DataType type = DataType::float32;
  RedOp op = RedOp::sum;
  int root = 0;
  bool in_place = false;
  CollShape shape;
};

// "all_reduce 1048576 bytes float sum out-of-place": how errors and messages name a call.
[[nodiscard]] std::string describe(const CollCall& call);

class Backend {
 public:
  virtual ~Backend() = default;
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;  // "nccl" | "mpi"
  [[nodiscard]] virtual int nranks() const noexcept = 0;             // processes x ranks per process
  [[nodiscard]] virtual int local_ranks() const noexcept = 0;        // ranks this process drives (-g)
  [[nodiscard]] virtual int first_rank() const noexcept = 0;         // global rank of local rank 0
  // Whether in-place alltoall and sendrecv give a defined result (MPI copies; NCCL shares one
  // buffer, which nccl-tests does not check either).
  [[nodiscard]] virtual bool in_place_copies() const noexcept = 0;
  [[nodiscard]] virtual bool supports_graphs() const noexcept { return false; }
  // Library versions and environment for the result document's params.
  [[nodiscard]] virtual nlohmann::json describe() const = 0;
  // One object per local rank: {"rank", "device", "pci", "name", "nic"?} for the device report.
  [[nodiscard]] virtual std::vector<nlohmann::json> devices() const = 0;

  // Allocates (or grows) every local rank's send and receive buffer to at least these sizes.
  virtual void allocate(std::size_t send_bytes, std::size_t recv_bytes) = 0;
  virtual void write(int local, BufferKind which, std::size_t offset, std::span<const std::byte> data) = 0;
  virtual void read(int local, BufferKind which, std::size_t offset, std::span<std::byte> data) = 0;

  // Starts `group` copies of the call on every local rank as one group (nccl-tests -m). A backend
  // without streams (MPI) first completes what it started before, like a stream would.
  virtual void launch(const CollCall& call, int group, Watchdog& watchdog) = 0;
  // Completes everything launched; StallError when it does not finish within the timeout.
  virtual void wait(Watchdog& watchdog) = 0;
  virtual void barrier(Watchdog& watchdog) = 0;

  // CUDA graphs (-G): launches between capture_begin and capture_end are recorded, not run;
  // replay runs the recording `times` times (then wait()).
  virtual void capture_begin() {}
  virtual void capture_end() {}
  virtual void replay(int /*times*/) {}

  // Gives up on everything in flight (ncclCommAbort) so the process can report and exit.
  virtual void abort() noexcept = 0;
};

}  // namespace fabricperf::collectives
