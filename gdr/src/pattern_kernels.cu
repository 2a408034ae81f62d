// GPU side of --validate: writes and checks the verbs pattern in device memory without
// copying the buffer to the host.
#include <cuda_runtime.h>

#include "pattern_kernels.hpp"
#include "pattern_word.hpp"

namespace fabricperf::gdr::detail {

namespace {

constexpr int kThreads = 256;
constexpr std::size_t kMaxBlocks = 4096;

unsigned blocks_for(std::size_t words) {
  const std::size_t b = (words + kThreads - 1) / kThreads;
  return static_cast<unsigned>(b == 0 ? 1 : (b < kMaxBlocks ? b : kMaxBlocks));
}

__global__ void fill_kernel(unsigned char* dst, std::size_t bytes, std::uint64_t seed) {
  const std::size_t words = (bytes + 7) / 8;
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t w = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; w < words; w += stride) {
    const std::uint64_t v = pattern_word(seed, w);
    const std::size_t base = w * 8;
    const std::size_t n = bytes - base < 8 ? bytes - base : 8;
    unsigned char* p = dst + base;
    if (n == 8 && (reinterpret_cast<std::uintptr_t>(p) & 7) == 0) {
      *reinterpret_cast<std::uint64_t*>(p) = v;
    } else {
      for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
    }
  }
}

__global__ void mismatch_kernel(const unsigned char* src, std::size_t bytes, std::uint64_t seed,
                                unsigned long long* first_bad) {
  const std::size_t words = (bytes + 7) / 8;
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t w = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; w < words; w += stride) {
    const std::uint64_t v = pattern_word(seed, w);
    const std::size_t base = w * 8;
    const std::size_t n = bytes - base < 8 ? bytes - base : 8;
    const unsigned char* p = src + base;
    if (n == 8 && (reinterpret_cast<std::uintptr_t>(p) & 7) == 0 && *reinterpret_cast<const std::uint64_t*>(p) == v)
      continue;
    for (std::size_t i = 0; i < n; ++i) {
      if (p[i] != static_cast<unsigned char>(v >> (8 * i))) {
        atomicMin(first_bad, static_cast<unsigned long long>(base + i));
        break;
      }
    }
  }
}

}  // namespace

int launch_fill_pattern(void* dst, std::size_t bytes, std::uint64_t seed, void* stream) {
  if (bytes == 0) return cudaSuccess;
  (void)cudaGetLastError();  // an earlier failed call must not be reported as this launch's error
  fill_kernel<<<blocks_for((bytes + 7) / 8), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(
      static_cast<unsigned char*>(dst), bytes, seed);
  return cudaGetLastError();
}

int launch_find_mismatch(const void* src, std::size_t bytes, std::uint64_t seed, unsigned long long* first_bad,
                         void* stream) {
  if (bytes == 0) return cudaSuccess;
  (void)cudaGetLastError();
  mismatch_kernel<<<blocks_for((bytes + 7) / 8), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(
      static_cast<const unsigned char*>(src), bytes, seed, first_bad);
  return cudaGetLastError();
}

}  // namespace fabricperf::gdr::detail
