#include "fabricperf/collectives/ref_backend.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "fabricperf/collectives/float16.hpp"
#include "fabricperf/collectives/host_buffer.hpp"
#include "fabricperf/error.hpp"

namespace fabricperf::collectives {
namespace {

template <typename T>
T apply(RedOp op, T a, T b) noexcept {
  switch (op) {
    case RedOp::sum:
    case RedOp::avg: return static_cast<T>(a + b);
    case RedOp::prod: return static_cast<T>(a * b);
    case RedOp::max: return a > b ? a : b;
    case RedOp::min: return a < b ? a : b;
  }
  return a;
}

template <typename T>
void reduce_typed(RedOp op, std::byte* acc, const std::byte* x, std::size_t count) noexcept {
  for (std::size_t i = 0; i < count; ++i) {
    T a;
    T b;
    std::memcpy(&a, acc + i * sizeof(T), sizeof(T));
    std::memcpy(&b, x + i * sizeof(T), sizeof(T));
    if constexpr (std::is_integral_v<T>) {
      // Wrap like the GPU does (no signed-overflow UB on the host).
      using U = std::make_unsigned_t<T>;
      if (op == RedOp::sum || op == RedOp::avg) {
        a = static_cast<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
      } else if (op == RedOp::prod) {
        a = static_cast<T>(static_cast<U>(static_cast<std::uint64_t>(static_cast<U>(a)) * static_cast<U>(b)));
      } else {
        a = apply(op, a, b);
      }
    } else {
      a = apply(op, a, b);
    }
    std::memcpy(acc + i * sizeof(T), &a, sizeof(T));
  }
}

template <float (*ToF)(std::uint16_t), std::uint16_t (*FromF)(float)>
void reduce16(RedOp op, std::byte* acc, const std::byte* x, std::size_t count) noexcept {
  for (std::size_t i = 0; i < count; ++i) {
    std::uint16_t a;
    std::uint16_t b;
    std::memcpy(&a, acc + i * 2, 2);
    std::memcpy(&b, x + i * 2, 2);
    a = FromF(apply(op, ToF(a), ToF(b)));
    std::memcpy(acc + i * 2, &a, 2);
  }
}

float h2f(std::uint16_t h) { return half_bits_to_float(h); }
std::uint16_t f2h(float f) { return float_to_half_bits(f); }
float b2f(std::uint16_t b) { return bfloat16_bits_to_float(b); }
std::uint16_t f2b(float f) { return float_to_bfloat16_bits(f); }

template <typename T>
void divide_typed(std::byte* x, std::size_t count, int n) noexcept {
  for (std::size_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, x + i * sizeof(T), sizeof(T));
    v = static_cast<T>(v / static_cast<T>(n));
    std::memcpy(x + i * sizeof(T), &v, sizeof(T));
  }
}

class RefBackend final : public Backend {
 public:
  explicit RefBackend(Bootstrap& bootstrap) : bootstrap_(bootstrap) {}

  std::string_view name() const noexcept override { return "ref"; }
  int nranks() const noexcept override { return bootstrap_.size(); }
  int local_ranks() const noexcept override { return 1; }
  int first_rank() const noexcept override { return bootstrap_.rank(); }
  bool in_place_copies() const noexcept override { return true; }

  nlohmann::json describe() const override {
    return {{"backend", "ref"},
            {"memory", "host"},
            {"note", "reference collectives over the " + std::string(bootstrap_.kind()) +
                         " bootstrap's all_gather: for launch and correctness tests, not a fabric measurement"}};
  }

  std::vector<nlohmann::json> devices() const override {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    return {{{"rank", bootstrap_.rank()}, {"pid", static_cast<int>(::getpid())}, {"host", host}, {"device", "cpu"},
             {"name", "host memory (reference)"}}};
  }

  void allocate(std::size_t send_bytes, std::size_t recv_bytes) override {
    if (send_.size() < send_bytes) send_ = HostBuffer(send_bytes);
    if (recv_.size() < recv_bytes) recv_ = HostBuffer(recv_bytes);
  }

  void write(int /*local*/, BufferKind which, std::size_t offset, std::span<const std::byte> data) override {
    HostBuffer& b = which == BufferKind::send ? send_ : recv_;
    if (offset + data.size() > b.size()) throw Error("buffer access out of range");
    std::memcpy(b.data() + offset, data.data(), data.size());
  }

  void read(int /*local*/, BufferKind which, std::size_t offset, std::span<std::byte> data) override {
    const HostBuffer& b = which == BufferKind::send ? send_ : recv_;
    if (offset + data.size() > b.size()) throw Error("buffer access out of range");
    std::memcpy(data.data(), b.data() + offset, data.size());
  }

  void launch(const CollCall& call, int group, Watchdog& watchdog) override {
    for (int g = 0; g < group; ++g) {
      watchdog.poll();
      run(call);
    }
  }
  void wait(Watchdog& watchdog) override { watchdog.poll(); }
  void barrier(Watchdog& /*watchdog*/) override { bootstrap_.barrier(); }
  void abort() noexcept override {}

 private:
  void run(const CollCall& c) {
    const int n = bootstrap_.size();
    const int rank = bootstrap_.rank();
    const std::size_t elt = c.shape.element_bytes;
    const std::size_t pc = c.shape.param_count;
    const std::size_t chunk = pc * elt;
    const auto r = static_cast<std::size_t>(rank);
    std::byte* recv = recv_.data();
    const std::byte* send = c.in_place ? recv + c.shape.send_inplace_offset * r * elt : send_.data();
    std::byte* out = recv + (c.in_place ? c.shape.recv_inplace_offset * r * elt : 0);
    const std::string mine(reinterpret_cast<const char*>(send), c.shape.send_count * elt);
    const auto all = bootstrap_.all_gather(mine);
    const auto input = [&](int q) { return reinterpret_cast<const std::byte*>(all[static_cast<std::size_t>(q)].data()); };
    for (int q = 0; q < n; ++q)
      if (all[static_cast<std::size_t>(q)].size() != mine.size())
        throw PeerError(bootstrap_.describe_rank(q), "inconsistent input size from " + bootstrap_.describe_rank(q));
    // Reduction in rank order, in the datatype; avg as NCCL (floats pre-scaled, integers divided).
    const auto reduce_to = [&](std::size_t first, std::size_t count) {
      std::vector<std::byte> acc(count * elt);
      std::vector<std::byte> x(count * elt);
      const bool float_avg = c.op == RedOp::avg && is_floating(c.type);
      for (int q = 0; q < n; ++q) {
        std::memcpy(x.data(), input(q) + first * elt, count * elt);
        if (float_avg) premultiply_elements(c.type, x.data(), count, n);
        if (q == 0) {
          acc = x;
        } else {
          reduce_elements(c.type, c.op, acc.data(), x.data(), count);
        }
      }
      if (c.op == RedOp::avg && !is_floating(c.type)) postdivide_elements(c.type, acc.data(), count, n);
      std::memcpy(out, acc.data(), count * elt);
    };
    switch (c.coll) {
      case Collective::all_reduce: reduce_to(0, pc); break;
      case Collective::reduce:
        if (rank == c.root) reduce_to(0, pc);
        break;
      case Collective::reduce_scatter: reduce_to(r * pc, pc); break;
      case Collective::broadcast: std::memmove(out, input(c.root), chunk); break;
      case Collective::all_gather:
        for (int q = 0; q < n; ++q) std::memmove(out + static_cast<std::size_t>(q) * chunk, input(q), chunk);
        break;
      case Collective::gather:
        if (rank == c.root)
          for (int q = 0; q < n; ++q) std::memmove(out + static_cast<std::size_t>(q) * chunk, input(q), chunk);
        break;
      case Collective::alltoall:
        for (int q = 0; q < n; ++q) std::memmove(out + static_cast<std::size_t>(q) * chunk, input(q) + r * chunk, chunk);
        break;
      case Collective::sendrecv: std::memmove(out, input((rank - 1 + n) % n), chunk); break;
      case Collective::scatter: std::memmove(out, input(c.root) + r * chunk, chunk); break;
    }
  }

  Bootstrap& bootstrap_;
  HostBuffer send_;
  HostBuffer recv_;
};

}  // namespace

void reduce_elements(DataType type, RedOp op, std::byte* acc, const std::byte* x, std::size_t count) noexcept {
  switch (type) {
    case DataType::int8: reduce_typed<std::int8_t>(op, acc, x, count); return;
    case DataType::uint8: reduce_typed<std::uint8_t>(op, acc, x, count); return;
    case DataType::int32: reduce_typed<std::int32_t>(op, acc, x, count); return;
    case DataType::uint32: reduce_typed<std::uint32_t>(op, acc, x, count); return;
    case DataType::int64: reduce_typed<std::int64_t>(op, acc, x, count); return;
    case DataType::uint64: reduce_typed<std::uint64_t>(op, acc, x, count); return;
    case DataType::float32: reduce_typed<float>(op, acc, x, count); return;
    case DataType::float64: reduce_typed<double>(op, acc, x, count); return;
    case DataType::float16: reduce16<h2f, f2h>(op, acc, x, count); return;
    case DataType::bfloat16: reduce16<b2f, f2b>(op, acc, x, count); return;
  }
}

void premultiply_elements(DataType type, std::byte* x, std::size_t count, int nranks) noexcept {
  const float inv = static_cast<float>(1.0 / nranks);
  for (std::size_t i = 0; i < count; ++i) {
    switch (type) {
      case DataType::float32: {
        float v;
        std::memcpy(&v, x + i * 4, 4);
        v *= inv;
        std::memcpy(x + i * 4, &v, 4);
        break;
      }
      case DataType::float64: {
        double v;
        std::memcpy(&v, x + i * 8, 8);
        v *= 1.0 / nranks;
        std::memcpy(x + i * 8, &v, 8);
        break;
      }
      case DataType::float16:
      case DataType::bfloat16: {
        std::uint16_t v;
        std::memcpy(&v, x + i * 2, 2);
        v = type == DataType::float16 ? f2h(h2f(v) * inv) : f2b(b2f(v) * inv);
        std::memcpy(x + i * 2, &v, 2);
        break;
      }
      default: return;
    }
  }
}

void postdivide_elements(DataType type, std::byte* x, std::size_t count, int nranks) noexcept {
  switch (type) {
    case DataType::int8: divide_typed<std::int8_t>(x, count, nranks); return;
    case DataType::uint8: divide_typed<std::uint8_t>(x, count, nranks); return;
    case DataType::int32: divide_typed<std::int32_t>(x, count, nranks); return;
    case DataType::uint32: divide_typed<std::uint32_t>(x, count, nranks); return;
    case DataType::int64: divide_typed<std::int64_t>(x, count, nranks); return;
    case DataType::uint64: divide_typed<std::uint64_t>(x, count, nranks); return;
    default: return;
  }
}

std::unique_ptr<Backend> make_ref_backend(Bootstrap& bootstrap) { return std::make_unique<RefBackend>(bootstrap); }

}  // namespace fabricperf::collectives
