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

// Word w of a `bytes`-long buffer: its pattern value, where it starts and how many of its 8 bytes
// the buffer holds (the last word may be short).
struct PatternSlot {
  std::uint64_t value;
  std::size_t offset;
  std::size_t length;
};

__device__ PatternSlot pattern_slot(std::size_t bytes, std::uint64_t seed, std::size_t w) {
  const std::size_t offset = w * 8;
  return PatternSlot{pattern_word(seed, w), offset, bytes - offset < 8 ? bytes - offset : 8};
}

__device__ bool whole_aligned_word(const PatternSlot& slot, const void* p) {
  return slot.length == 8 && (reinterpret_cast<std::uintptr_t>(p) & 7) == 0;
}

// Calls visit(w) for every word index of a `bytes`-long buffer, grid-stride.
template <typename Visit>
__device__ void for_each_word(std::size_t bytes, Visit visit) {
  const std::size_t words = (bytes + 7) / 8;
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t w = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; w < words; w += stride)
    visit(w);
}

__global__ void fill_kernel(unsigned char* dst, std::size_t bytes, std::uint64_t seed) {
  for_each_word(bytes, [&](std::size_t w) {
    const PatternSlot slot = pattern_slot(bytes, seed, w);
    unsigned char* p = dst + slot.offset;
    if (whole_aligned_word(slot, p)) {
      *reinterpret_cast<std::uint64_t*>(p) = slot.value;
      return;
    }
    for (std::size_t i = 0; i < slot.length; ++i) p[i] = static_cast<unsigned char>(slot.value >> (8 * i));
  });
}

__global__ void mismatch_kernel(const unsigned char* src, std::size_t bytes, std::uint64_t seed,
                                unsigned long long* first_bad) {
  for_each_word(bytes, [&](std::size_t w) {
    const PatternSlot slot = pattern_slot(bytes, seed, w);
    const unsigned char* p = src + slot.offset;
    if (whole_aligned_word(slot, p) && *reinterpret_cast<const std::uint64_t*>(p) == slot.value) return;
    for (std::size_t i = 0; i < slot.length; ++i) {
      if (p[i] != static_cast<unsigned char>(slot.value >> (8 * i))) {
        atomicMin(first_bad, static_cast<unsigned long long>(slot.offset + i));
        return;
      }
    }
  });
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
