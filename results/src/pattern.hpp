#pragma once
// The `pattern` keyword of the schema without std::regex (whose backtracking recursion overflows
// the stack on long strings): the regular-expression subset the schema uses, compiled once to a
// small program and run as a Pike VM — time linear in the text, memory fixed by the pattern,
// no recursion over the text.
// Syntax: literals, `\` escapes (\d \w \s and escaped punctuation), `.` (any byte but newline),
// classes `[a-z0-9_]` `[^...]`, groups `(...)` `(?:...)` with `|`, quantifiers `? * + {n} {n,}
// {n,m}` (a trailing lazy `?` is accepted: it does not change whether a text matches), anchors
// `^ $`. Matching is by bytes; search semantics as JSON Schema's (unanchored unless ^/$).
#include <bitset>
#include <string>
#include <string_view>
#include <vector>

namespace fabricperf::results {

class Pattern {
 public:
  // Throws std::invalid_argument on syntax outside the subset.
  explicit Pattern(std::string_view pattern);
  // True when the pattern matches somewhere in `text` (std::regex_search semantics).
  [[nodiscard]] bool search(std::string_view text) const;

  struct Instruction {
    enum class Op { byte, split, jump, match, line_begin, line_end } op = Op::match;
    std::bitset<256> bytes;  // Op::byte
    int x = 0, y = 0;        // Op::split (both), Op::jump (x)
  };

 private:
  std::vector<Instruction> program_;
  bool anchored_ = false;  // starts with ^: threads start at position 0 only
};

}  // namespace fabricperf::results
