#pragma once
// The collectives fp_coll measures and the arithmetic nccl-tests uses for them: how a size on the
// command line becomes element counts and buffer layouts, and how time becomes algbw and busbw.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace fabricperf::collectives {

enum class Collective { all_reduce, all_gather, reduce_scatter, alltoall, broadcast, reduce, sendrecv, gather, scatter };

inline constexpr Collective kAllCollectives[] = {
    Collective::all_reduce, Collective::all_gather, Collective::reduce_scatter,
    Collective::alltoall,   Collective::broadcast,  Collective::reduce,
    Collective::sendrecv,   Collective::gather,     Collective::scatter};

[[nodiscard]] std::string_view to_string(Collective coll) noexcept;
// "all_reduce" (also "allreduce", "all-reduce"); throws UsageError naming the text.
[[nodiscard]] Collective parse_collective(std::string_view text);
// "all" or a comma-separated list, duplicates dropped, order kept.
[[nodiscard]] std::vector<Collective> parse_collectives(std::string_view text);

[[nodiscard]] bool uses_reduction(Collective coll) noexcept;  // takes -o
[[nodiscard]] bool is_rooted(Collective coll) noexcept;       // takes -r (broadcast, reduce, gather, scatter)

// nccl-tests' GetCollByteCount for one size: element counts and in-place offsets (in elements).
struct CollShape {
  std::size_t send_count = 0;     // elements in the send buffer
  std::size_t recv_count = 0;     // elements in the receive buffer
  std::size_t param_count = 0;    // the count passed to the collective call ("count" column)
  std::size_t send_inplace_offset = 0;  // in-place: send data starts at recv + offset * rank
  std::size_t recv_inplace_offset = 0;  // in-place: result lands at recv + offset * rank
  std::size_t element_bytes = 1;

  // nccl-tests' "size" column: max(send bytes, recv bytes). For all_gather, reduce_scatter,
  // alltoall, gather and scatter this is the total across ranks.
  [[nodiscard]] std::uint64_t size_bytes() const noexcept {
    return static_cast<std::uint64_t>(std::max(send_count, recv_count)) * element_bytes;
  }
  [[nodiscard]] std::size_t send_bytes() const noexcept { return send_count * element_bytes; }
  [[nodiscard]] std::size_t recv_bytes() const noexcept { return recv_count * element_bytes; }
};

// `bytes` is one value of the -b/-e sweep. Per-rank chunks are rounded down to 16-byte multiples
// as nccl-tests does ((count/nranks) & ~(16/eltsize - 1)).
[[nodiscard]] CollShape coll_shape(Collective coll, std::uint64_t bytes, std::size_t element_bytes, int nranks);

// nccl-tests' bus bandwidth factor: all_reduce 2(n-1)/n; all_gather, reduce_scatter, alltoall,
// gather, scatter (n-1)/n; broadcast, reduce, sendrecv 1.
[[nodiscard]] double bus_factor(Collective coll, int nranks) noexcept;

struct Bandwidth {
  double algbw_GBps = 0;
  double busbw_GBps = 0;
};
// algbw = size_bytes / 1e9 / seconds (nccl-tests' GetBw: count*typesize[*nranks]), busbw = algbw * factor.
[[nodiscard]] Bandwidth bandwidth(Collective coll, std::uint64_t size_bytes, double seconds, int nranks) noexcept;

// Whether the result of an in-place run is well defined (nccl-tests does not check in-place
// alltoall and sendrecv on NCCL, where send and receive share one buffer).
[[nodiscard]] bool in_place_result_defined(Collective coll, bool backend_copies_in_place) noexcept;

}  // namespace fabricperf::collectives
