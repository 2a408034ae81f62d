#pragma once
// verbs::pattern_word (verbs/src/pattern.cpp) for host and device code: the GPU validation
// kernels must produce exactly the bytes the verbs engines check. test_gdr compares the two.
#include <cstdint>

#if defined(__CUDACC__)
#define FP_GDR_HD __host__ __device__
#else
#define FP_GDR_HD
#endif

namespace fabricperf::gdr::detail {

FP_GDR_HD inline std::uint64_t pattern_word(std::uint64_t seed, std::uint64_t word_index) noexcept {
  std::uint64_t z = seed + (word_index + 1) * 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace fabricperf::gdr::detail
