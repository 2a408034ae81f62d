#pragma once
// The --validate data pattern: every byte is a function of (seed, offset), so a receiver can
// check any message it knows the seed of, and name the first byte that is wrong.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace fabricperf::verbs {

// Seed for message `iteration` on QP `qp` of run `epoch` (distinct for every message).
[[nodiscard]] constexpr std::uint64_t message_seed(std::uint64_t epoch, std::uint32_t qp,
                                                   std::uint64_t iteration) noexcept {
  return (epoch << 48) ^ (static_cast<std::uint64_t>(qp) << 40) ^ iteration ^ 0x5eed5eed00000000ULL;
}

// 8 pattern bytes for word `word_index` (bytes [8*w, 8*w+8)) of a message with `seed`.
[[nodiscard]] std::uint64_t pattern_word(std::uint64_t seed, std::uint64_t word_index) noexcept;

// Fills `out` with the pattern of `seed` (offset 0 = out[0]).
void fill_pattern(std::span<std::byte> out, std::uint64_t seed) noexcept;

// Offset of the first byte of `data` that differs from the pattern of `seed`; nullopt when all match.
[[nodiscard]] std::optional<std::size_t> find_pattern_mismatch(std::span<const std::byte> data,
                                                               std::uint64_t seed) noexcept;

// A seed whose pattern differs from `seed`'s in (nearly) every byte: poison for buffers that
// must be overwritten (reads) before they are checked.
[[nodiscard]] constexpr std::uint64_t poison_seed(std::uint64_t seed) noexcept { return ~seed * 0x9e3779b97f4a7c15ULL; }

}  // namespace fabricperf::verbs
