#pragma once
// Which ranks measure against which when launched by mpirun/srun: pairs 0<->1, 2<->3, ... or
// a --pairs file; pairs run all at once (concurrent) or one after another (serial).
// In a pair (a, b), a is the target (perftest's server) and b the initiator (client).
#include <optional>
#include <string>
#include <vector>

#include "fabricperf/verbs/bandwidth_engine.hpp"

namespace fabricperf::verbs {

struct RankPair {
  int target = 0;
  int initiator = 1;
  friend bool operator==(const RankPair&, const RankPair&) = default;
};

enum class Schedule { concurrent, serial };
[[nodiscard]] Schedule parse_schedule(const std::string& text);  // UsageError otherwise

// 0<->1, 2<->3, ...; UsageError for an odd or too small world.
[[nodiscard]] std::vector<RankPair> default_pairs(int world_size);
// Lines "TARGET INITIATOR" (whitespace separated, '#' comments, blank lines ignored). Each rank
// at most once, inside [0, world_size), never paired with itself; UsageError naming the line.
[[nodiscard]] std::vector<RankPair> parse_pairs(const std::string& text, int world_size,
                                                const std::string& source = "pairs file");
[[nodiscard]] std::vector<RankPair> read_pairs_file(const std::string& path, int world_size);

// Phases of pair indices: concurrent -> {{0, 1, ...}}; serial -> {{0}, {1}, ...}.
[[nodiscard]] std::vector<std::vector<std::size_t>> schedule_phases(std::size_t pair_count, Schedule schedule);

struct PairRole {
  std::size_t pair = 0;
  int peer = 0;
  Role role = Role::target;
};
// This rank's pair, or nullopt when it sits out.
[[nodiscard]] std::optional<PairRole> role_of(int rank, const std::vector<RankPair>& pairs);

}  // namespace fabricperf::verbs
