#include "fabricperf/collectives/mpi_backend.hpp"

#include <mpi.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <functional>

#include "fabricperf/collectives/float16.hpp"
#include "fabricperf/collectives/host_buffer.hpp"
#include "fabricperf/log.hpp"

namespace fabricperf::collectives {
namespace {

constexpr int kP2pTag = 17;

// --- half / bfloat16 reductions as MPI user ops ------------------------------------------------

using ToFloat = float (*)(std::uint16_t);
using FromFloat = std::uint16_t (*)(float);

template <ToFloat to_f, FromFloat from_f, typename Combine>
void reduce16(void* in, void* inout, int* len, Combine combine) {
  const auto* a = static_cast<const std::uint16_t*>(in);
  auto* b = static_cast<std::uint16_t*>(inout);
  for (int i = 0; i < *len; ++i) b[i] = from_f(combine(to_f(a[i]), to_f(b[i])));
}

float h2f(std::uint16_t h) { return half_bits_to_float(h); }
std::uint16_t f2h(float f) { return float_to_half_bits(f); }
float b2f(std::uint16_t b) { return bfloat16_bits_to_float(b); }
std::uint16_t f2b(float f) { return float_to_bfloat16_bits(f); }

constexpr auto kSum = [](float x, float y) { return x + y; };
constexpr auto kProd = [](float x, float y) { return x * y; };
constexpr auto kMax = [](float x, float y) { return x > y ? x : y; };
constexpr auto kMin = [](float x, float y) { return x < y ? x : y; };

void half_sum(void* a, void* b, int* n, MPI_Datatype*) { reduce16<h2f, f2h>(a, b, n, kSum); }
void half_prod(void* a, void* b, int* n, MPI_Datatype*) { reduce16<h2f, f2h>(a, b, n, kProd); }
void half_max(void* a, void* b, int* n, MPI_Datatype*) { reduce16<h2f, f2h>(a, b, n, kMax); }
void half_min(void* a, void* b, int* n, MPI_Datatype*) { reduce16<h2f, f2h>(a, b, n, kMin); }
void bf16_sum(void* a, void* b, int* n, MPI_Datatype*) { reduce16<b2f, f2b>(a, b, n, kSum); }
void bf16_prod(void* a, void* b, int* n, MPI_Datatype*) { reduce16<b2f, f2b>(a, b, n, kProd); }
void bf16_max(void* a, void* b, int* n, MPI_Datatype*) { reduce16<b2f, f2b>(a, b, n, kMax); }
void bf16_min(void* a, void* b, int* n, MPI_Datatype*) { reduce16<b2f, f2b>(a, b, n, kMin); }

int op_index(RedOp op) {
  switch (op) {
    case RedOp::sum:
    case RedOp::avg: return 0;
    case RedOp::prod: return 1;
    case RedOp::max: return 2;
    case RedOp::min: return 3;
  }
  return 0;
}

// avg = sum, then every result element divided by n the way NCCL does it: integers truncate,
// floating types multiply by 1/n (in float for types narrower than double).
template <typename T>
void divide_ints(std::byte* data, std::size_t count, int n) {
  for (std::size_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, data + i * sizeof(T), sizeof(T));
    v = static_cast<T>(v / static_cast<T>(n));
    std::memcpy(data + i * sizeof(T), &v, sizeof(T));
  }
}

void divide_by_ranks(DataType type, std::byte* data, std::size_t count, int n) {
  const float inv_f = static_cast<float>(1.0 / n);
  switch (type) {
    case DataType::int8: divide_ints<std::int8_t>(data, count, n); return;
    case DataType::uint8: divide_ints<std::uint8_t>(data, count, n); return;
    case DataType::int32: divide_ints<std::int32_t>(data, count, n); return;
    case DataType::uint32: divide_ints<std::uint32_t>(data, count, n); return;
    case DataType::int64: divide_ints<std::int64_t>(data, count, n); return;
    case DataType::uint64: divide_ints<std::uint64_t>(data, count, n); return;
    case DataType::float32: {
      auto* f = reinterpret_cast<float*>(data);
      for (std::size_t i = 0; i < count; ++i) f[i] *= inv_f;
      return;
    }
    case DataType::float64: {
      auto* d = reinterpret_cast<double*>(data);
      for (std::size_t i = 0; i < count; ++i) d[i] *= 1.0 / n;
      return;
    }
    case DataType::float16:
    case DataType::bfloat16: {
      auto* h = reinterpret_cast<std::uint16_t*>(data);
      const bool half = type == DataType::float16;
      for (std::size_t i = 0; i < count; ++i)
        h[i] = half ? f2h(h2f(h[i]) * inv_f) : f2b(b2f(h[i]) * inv_f);
      return;
    }
  }
}


class MpiBackend final : public Backend {
 public:
  MpiBackend() {
    MPI_Comm_dup(MPI_COMM_WORLD, &comm_);
    MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
    FP_LOG(info, "collectives") << "MPI backend: communicator duplicated, rank " << rank_ << " of " << size_;
    MPI_Type_contiguous(2, MPI_BYTE, &type16_);
    MPI_Type_commit(&type16_);
    const std::array<MPI_User_function*, 4> half_fns{half_sum, half_prod, half_max, half_min};
    const std::array<MPI_User_function*, 4> bf16_fns{bf16_sum, bf16_prod, bf16_max, bf16_min};
    for (std::size_t i = 0; i < 4; ++i) {
      MPI_Op_create(half_fns[i], 1, &half_ops_[i]);
      MPI_Op_create(bf16_fns[i], 1, &bf16_ops_[i]);
    }
  }

  ~MpiBackend() override {
    if (aborted_) return;  // requests may still be in flight to a dead peer
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (finalized) return;
    for (auto& op : half_ops_) MPI_Op_free(&op);
    for (auto& op : bf16_ops_) MPI_Op_free(&op);
    MPI_Type_free(&type16_);
    MPI_Comm_free(&comm_);
  }
  MpiBackend(const MpiBackend&) = delete;
  MpiBackend& operator=(const MpiBackend&) = delete;

  std::string_view name() const noexcept override { return "mpi"; }
  int nranks() const noexcept override { return size_; }
  int local_ranks() const noexcept override { return 1; }
  int first_rank() const noexcept override { return rank_; }
  bool in_place_copies() const noexcept override { return true; }

  nlohmann::json describe() const override {
    int major = 0;
    int minor = 0;
    MPI_Get_version(&major, &minor);
    return {{"backend", "mpi"},
            {"mpi_version", mpi_library_version()},
            {"mpi_standard", std::to_string(major) + "." + std::to_string(minor)},
            {"memory", "host"}};
  }

  std::vector<nlohmann::json> devices() const override {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    return {{{"rank", rank_}, {"pid", static_cast<int>(::getpid())}, {"host", host}, {"device", "cpu"},
             {"name", "host memory"}}};
  }

  void allocate(std::size_t send_bytes, std::size_t recv_bytes) override {
    if (send_.size() < send_bytes) send_ = HostBuffer(send_bytes);
    if (recv_.size() < recv_bytes) recv_ = HostBuffer(recv_bytes);
    const std::size_t scratch = std::max(send_bytes, recv_bytes);
    if (scratch_.size() < scratch) scratch_ = HostBuffer(scratch);
  }

  void write(int /*local*/, BufferKind which, std::size_t offset, std::span<const std::byte> data) override {
    HostBuffer& b = which == BufferKind::send ? send_ : recv_;
    check_range(b, offset, data.size());
    std::memcpy(b.data() + offset, data.data(), data.size());
  }

  void read(int /*local*/, BufferKind which, std::size_t offset, std::span<std::byte> data) override {
    const HostBuffer& b = which == BufferKind::send ? send_ : recv_;
    check_range(b, offset, data.size());
    std::memcpy(data.data(), b.data() + offset, data.size());
  }

  void launch(const CollCall& call, int group, Watchdog& watchdog) override {
    wait(watchdog);  // one "stream": a new launch starts after the previous one completed
    what_ = collectives::describe(call);
    for (int g = 0; g < group; ++g) post(call);
  }

  void wait(Watchdog& watchdog) override {
    if (requests_.empty()) return;
    int error = MPI_SUCCESS;
    watchdog.wait_until(
        [&] {
          int flag = 0;
          error = MPI_Testall(static_cast<int>(requests_.size()), requests_.data(), &flag, MPI_STATUSES_IGNORE);
          return flag != 0 || error != MPI_SUCCESS;
        },
        "MPI " + what_);
    requests_.clear();
    if (error != MPI_SUCCESS) throw Error("MPI " + what_ + " failed: " + error_string(error));
    for (auto& finish : on_complete_) finish();
    on_complete_.clear();
  }

  void barrier(Watchdog& watchdog) override {
    wait(watchdog);
    MPI_Request request = MPI_REQUEST_NULL;
    check(MPI_Ibarrier(comm_, &request), "MPI_Ibarrier");
    requests_.push_back(request);
    what_ = "barrier";
    wait(watchdog);
  }

  void abort() noexcept override { aborted_ = true; }

 private:
  static void check_range(const HostBuffer& b, std::size_t offset, std::size_t bytes) {
    if (offset + bytes > b.size())
      throw Error("buffer access out of range (" + std::to_string(offset + bytes) + " > " + std::to_string(b.size()) + ")");
  }

  static std::string error_string(int code) {
    char text[MPI_MAX_ERROR_STRING] = {};
    int length = 0;
    MPI_Error_string(code, text, &length);
    return std::string(text, static_cast<std::size_t>(length));
  }

  void check(int rc, const char* call) const {
    if (rc != MPI_SUCCESS) throw Error(std::string(call) + " failed for " + what_ + ": " + error_string(rc));
  }

  MPI_Datatype mpi_type(DataType t) const noexcept {
    switch (t) {
      case DataType::int8: return MPI_INT8_T;
      case DataType::uint8: return MPI_UINT8_T;
      case DataType::int32: return MPI_INT32_T;
      case DataType::uint32: return MPI_UINT32_T;
      case DataType::int64: return MPI_INT64_T;
      case DataType::uint64: return MPI_UINT64_T;
      case DataType::float32: return MPI_FLOAT;
      case DataType::float64: return MPI_DOUBLE;
      case DataType::float16:
      case DataType::bfloat16: return type16_;
    }
    return MPI_BYTE;
  }

  MPI_Op mpi_op(DataType t, RedOp op) const noexcept {
    if (t == DataType::float16) return half_ops_[static_cast<std::size_t>(op_index(op))];
    if (t == DataType::bfloat16) return bf16_ops_[static_cast<std::size_t>(op_index(op))];
    switch (op) {
      case RedOp::sum:
      case RedOp::avg: return MPI_SUM;
      case RedOp::prod: return MPI_PROD;
      case RedOp::max: return MPI_MAX;
      case RedOp::min: return MPI_MIN;
    }
    return MPI_SUM;
  }

  MPI_Request* next_request() {
    requests_.push_back(MPI_REQUEST_NULL);
    return &requests_.back();
  }

  void post(const CollCall& c) {
    const std::size_t elt = c.shape.element_bytes;
    const auto count = static_cast<int>(c.shape.param_count);
    if (c.shape.param_count > static_cast<std::size_t>(INT32_MAX / std::max(size_, 1)))
      throw UsageError(what_ + ": count too large for the MPI backend (int counts)");
    const MPI_Datatype type = mpi_type(c.type);
    const MPI_Op op = mpi_op(c.type, c.op);
    std::byte* recv = recv_.data();
    std::byte* send = c.in_place ? recv + c.shape.send_inplace_offset * static_cast<std::size_t>(rank_) * elt
                                 : send_.data();
    const std::size_t chunk = c.shape.param_count * elt;
    const bool avg = c.op == RedOp::avg && uses_reduction(c.coll);
    switch (c.coll) {
      case Collective::all_reduce:
        check(MPI_Iallreduce(c.in_place ? MPI_IN_PLACE : send, recv, count, type, op, comm_, next_request()),
              "MPI_Iallreduce");
        if (avg) on_complete_.emplace_back([=, this] { divide_by_ranks(c.type, recv, c.shape.param_count, size_); });
        break;
      case Collective::all_gather:
        check(MPI_Iallgather(c.in_place ? MPI_IN_PLACE : send, count, type, recv, count, type, comm_, next_request()),
              "MPI_Iallgather");
        break;
      case Collective::reduce_scatter: {
        check(MPI_Ireduce_scatter_block(c.in_place ? MPI_IN_PLACE : send, recv, count, type, op, comm_,
                                        next_request()),
              "MPI_Ireduce_scatter_block");
        // MPI leaves the in-place result at the start of the buffer; NCCL's layout has it at rank's chunk.
        std::byte* result = c.in_place ? recv + chunk * static_cast<std::size_t>(rank_) : recv;
        on_complete_.emplace_back([=, this] {
          if (result != recv) std::memmove(result, recv, chunk);
          if (avg) divide_by_ranks(c.type, result, c.shape.param_count, size_);
        });
        break;
      }
      case Collective::alltoall:
        check(MPI_Ialltoall(c.in_place ? MPI_IN_PLACE : send, count, type, recv, count, type, comm_, next_request()),
              "MPI_Ialltoall");
        break;
      case Collective::broadcast:
        if (!c.in_place && rank_ == c.root) std::memcpy(recv, send, chunk);
        check(MPI_Ibcast(recv, count, type, c.root, comm_, next_request()), "MPI_Ibcast");
        break;
      case Collective::reduce: {
        const void* source = c.in_place ? (rank_ == c.root ? MPI_IN_PLACE : recv) : send;
        check(MPI_Ireduce(source, rank_ == c.root ? recv : nullptr, count, type, op, c.root, comm_, next_request()),
              "MPI_Ireduce");
        if (avg && rank_ == c.root)
          on_complete_.emplace_back([=, this] { divide_by_ranks(c.type, recv, c.shape.param_count, size_); });
        break;
      }
      case Collective::sendrecv: {
        const int next = (rank_ + 1) % size_;
        const int prev = (rank_ - 1 + size_) % size_;
        const std::byte* source = send;
        if (c.in_place) {  // MPI_Sendrecv_replace semantics: send a copy, receive over the original
          std::memcpy(scratch_.data(), recv, chunk);
          source = scratch_.data();
        }
        check(MPI_Irecv(recv, count, type, prev, kP2pTag, comm_, next_request()), "MPI_Irecv");
        check(MPI_Isend(source, count, type, next, kP2pTag, comm_, next_request()), "MPI_Isend");
        break;
      }
      case Collective::gather:  // grouped send/recv, as the NCCL backend (and nccl-tests) does it
        if (rank_ == c.root) {
          for (int r = 0; r < size_; ++r) {
            if (c.in_place && r == rank_) continue;  // already in place
            check(MPI_Irecv(recv + chunk * static_cast<std::size_t>(r), count, type, r, kP2pTag, comm_, next_request()),
                  "MPI_Irecv");
          }
        }
        if (!(c.in_place && rank_ == c.root))
          check(MPI_Isend(send, count, type, c.root, kP2pTag, comm_, next_request()), "MPI_Isend");
        break;
      case Collective::scatter: {
        std::byte* mine = c.in_place ? recv + chunk * static_cast<std::size_t>(rank_) : recv;
        if (rank_ == c.root) {
          for (int r = 0; r < size_; ++r) {
            if (c.in_place && r == rank_) continue;
            check(MPI_Isend(send + chunk * static_cast<std::size_t>(r), count, type, r, kP2pTag, comm_, next_request()),
                  "MPI_Isend");
          }
        }
        if (!(c.in_place && rank_ == c.root))
          check(MPI_Irecv(mine, count, type, c.root, kP2pTag, comm_, next_request()), "MPI_Irecv");
        break;
      }
    }
  }

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
  MPI_Datatype type16_ = MPI_DATATYPE_NULL;
  std::array<MPI_Op, 4> half_ops_{};
  std::array<MPI_Op, 4> bf16_ops_{};
  HostBuffer send_;
  HostBuffer recv_;
  HostBuffer scratch_;
  std::vector<MPI_Request> requests_;
  std::vector<std::function<void()>> on_complete_;
  std::string what_ = "collective";
  bool aborted_ = false;
};

}  // namespace

std::unique_ptr<Backend> make_mpi_backend() { return std::make_unique<MpiBackend>(); }

}  // namespace fabricperf::collectives
