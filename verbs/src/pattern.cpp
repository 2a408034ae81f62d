#include "fabricperf/verbs/pattern.hpp"

#include <cstring>

namespace fabricperf::verbs {

std::uint64_t pattern_word(std::uint64_t seed, std::uint64_t word_index) noexcept {
  // splitmix64 of (seed, index): cheap, and a shifted or stale buffer cannot match.
  std::uint64_t z = seed + (word_index + 1) * 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void fill_pattern(std::span<std::byte> out, std::uint64_t seed) noexcept {
  const std::size_t words = out.size() / 8;
  for (std::size_t w = 0; w < words; ++w) {
    const std::uint64_t v = pattern_word(seed, w);
    std::memcpy(out.data() + w * 8, &v, 8);
  }
  if (const std::size_t tail = out.size() % 8; tail != 0) {
    const std::uint64_t v = pattern_word(seed, words);
    std::memcpy(out.data() + words * 8, &v, tail);
  }
}

std::optional<std::size_t> find_pattern_mismatch(std::span<const std::byte> data, std::uint64_t seed) noexcept {
  const std::size_t words = (data.size() + 7) / 8;
  for (std::size_t w = 0; w < words; ++w) {
    const std::uint64_t v = pattern_word(seed, w);
    const std::size_t n = std::min<std::size_t>(8, data.size() - w * 8);
    if (std::memcmp(data.data() + w * 8, &v, n) == 0) continue;
    std::byte expected[8];
    std::memcpy(expected, &v, 8);
    for (std::size_t i = 0; i < n; ++i)
      if (data[w * 8 + i] != expected[i]) return w * 8 + i;
  }
  return std::nullopt;
}

}  // namespace fabricperf::verbs
