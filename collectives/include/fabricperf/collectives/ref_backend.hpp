#pragma once
// The reference backend (--backend ref): every collective computed on host memory from the
// bootstrap's all_gather of all ranks' inputs, reducing in the datatype (rounding after every
// step, rank order) with NCCL's avg semantics. Slow and star-shaped through rank 0 over the TCP
// bootstrap: not a fabric measurement. It exists so that launching without MPI (--server/--ranks),
// the harness and the failure path can be run and tested on machines without GPU or MPI, and as
// an independent check of the verifiable data.
#include <cstddef>
#include <memory>

#include "fabricperf/bootstrap.hpp"
#include "fabricperf/collectives/backend.hpp"

namespace fabricperf::collectives {

[[nodiscard]] std::unique_ptr<Backend> make_ref_backend(Bootstrap& bootstrap);

// acc[i] = acc[i] (op) x[i] for `count` elements, in the datatype (half/bfloat16 via float, one
// rounding per step; integers wrap). avg adds (the caller pre-scales floats, post-divides ints).
void reduce_elements(DataType type, RedOp op, std::byte* acc, const std::byte* x, std::size_t count) noexcept;
// avg for floating types: x[i] * (1/nranks) in float (double for double), as NCCL's pre-multiply.
void premultiply_elements(DataType type, std::byte* x, std::size_t count, int nranks) noexcept;
// avg for integer types: x[i] / nranks, truncating.
void postdivide_elements(DataType type, std::byte* x, std::size_t count, int nranks) noexcept;

}  // namespace fabricperf::collectives
