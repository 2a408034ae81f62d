#include "fabricperf/verbs/pairs.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include "fabricperf/error.hpp"

namespace fabricperf::verbs {

Schedule parse_schedule(const std::string& text) {
  if (text == "concurrent") return Schedule::concurrent;
  if (text == "serial") return Schedule::serial;
  throw UsageError("--schedule must be concurrent or serial (got '" + text + "')");
}

std::vector<RankPair> default_pairs(int world_size) {
  if (world_size < 2) throw UsageError("need at least 2 ranks to measure (got " + std::to_string(world_size) + ")");
  if (world_size % 2 != 0)
    throw UsageError("an odd number of ranks (" + std::to_string(world_size) +
                     ") cannot pair 0<->1, 2<->3, ...; launch an even number or give --pairs FILE");
  std::vector<RankPair> pairs;
  for (int r = 0; r < world_size; r += 2) pairs.push_back({r, r + 1});
  return pairs;
}

std::vector<RankPair> parse_pairs(const std::string& text, int world_size, const std::string& source) {
  std::vector<RankPair> pairs;
  std::set<int> used;
  std::istringstream in(text);
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream fields(line);
    std::vector<std::string> words;
    for (std::string w; fields >> w;) words.push_back(w);
    if (words.empty()) continue;
    const std::string where = source + " line " + std::to_string(lineno);
    if (words.size() != 2) throw UsageError(where + ": expected 'TARGET_RANK INITIATOR_RANK'");
    int ranks[2];
    for (int i = 0; i < 2; ++i) {
      std::size_t used_chars = 0;
      try {
        ranks[i] = std::stoi(words[static_cast<std::size_t>(i)], &used_chars);
      } catch (const std::exception&) {
        used_chars = 0;
      }
      if (used_chars != words[static_cast<std::size_t>(i)].size())
        throw UsageError(where + ": '" + words[static_cast<std::size_t>(i)] + "' is not a rank number");
      if (ranks[i] < 0 || ranks[i] >= world_size)
        throw UsageError(where + ": rank " + std::to_string(ranks[i]) + " outside 0-" + std::to_string(world_size - 1));
    }
    if (ranks[0] == ranks[1]) throw UsageError(where + ": rank " + std::to_string(ranks[0]) + " paired with itself");
    for (int r : ranks)
      if (!used.insert(r).second) throw UsageError(where + ": rank " + std::to_string(r) + " is already in a pair");
    pairs.push_back({ranks[0], ranks[1]});
  }
  if (pairs.empty()) throw UsageError(source + ": no pairs");
  return pairs;
}

std::vector<RankPair> read_pairs_file(const std::string& path, int world_size) {
  std::ifstream in(path);
  if (!in) throw UsageError("cannot read pairs file " + path);
  std::stringstream text;
  text << in.rdbuf();
  return parse_pairs(text.str(), world_size, path);
}

std::vector<std::vector<std::size_t>> schedule_phases(std::size_t pair_count, Schedule schedule) {
  std::vector<std::vector<std::size_t>> phases;
  if (pair_count == 0) return phases;
  if (schedule == Schedule::concurrent) {
    phases.emplace_back();
    for (std::size_t i = 0; i < pair_count; ++i) phases.front().push_back(i);
  } else {
    for (std::size_t i = 0; i < pair_count; ++i) phases.push_back({i});
  }
  return phases;
}

std::optional<PairRole> role_of(int rank, const std::vector<RankPair>& pairs) {
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    if (pairs[i].target == rank) return PairRole{i, pairs[i].initiator, Role::target};
    if (pairs[i].initiator == rank) return PairRole{i, pairs[i].target, Role::initiator};
  }
  return std::nullopt;
}

}  // namespace fabricperf::verbs
