#pragma once
// Launchers for the validation kernels (pattern_kernels.cu). They return a cudaError_t as int
// so callers need no CUDA headers; the stream is a cudaStream_t.
#include <cstddef>
#include <cstdint>

namespace fabricperf::gdr::detail {

int launch_fill_pattern(void* dst, std::size_t bytes, std::uint64_t seed, void* stream);
// Writes the offset of the first wrong byte to *first_bad (device memory, preset to ~0ULL).
int launch_find_mismatch(const void* src, std::size_t bytes, std::uint64_t seed, unsigned long long* first_bad,
                         void* stream);

}  // namespace fabricperf::gdr::detail
