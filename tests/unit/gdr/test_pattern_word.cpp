// The validation kernels compute gdr/src/pattern_word.hpp; it must stay equal to verbs'.
#include <gtest/gtest.h>

#include "fabricperf/verbs/pattern.hpp"
#include "pattern_word.hpp"

TEST(PatternWord, MatchesVerbs) {
  std::uint64_t seed = 0x1234;
  for (int s = 0; s < 64; ++s) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    for (std::uint64_t w : {0ULL, 1ULL, 7ULL, 1000ULL, 1ULL << 40, ~0ULL - 1})
      ASSERT_EQ(fabricperf::gdr::detail::pattern_word(seed, w), fabricperf::verbs::pattern_word(seed, w));
  }
  const auto seed2 = fabricperf::verbs::message_seed(7, 3, 99);
  EXPECT_EQ(fabricperf::gdr::detail::pattern_word(seed2, 5), fabricperf::verbs::pattern_word(seed2, 5));
}
