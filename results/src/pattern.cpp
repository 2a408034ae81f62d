#include "pattern.hpp"

#include <cstddef>
#include <stdexcept>

namespace fabricperf::results {
namespace {

using Op = Pattern::Instruction::Op;
constexpr std::size_t kMaxProgram = 20000;  // bounds {n,m} expansion

// Parse tree of the pattern (the pattern is the schema's, not the document's: recursion here is
// bounded by the pattern's nesting).
struct Ast {
  enum class Kind { bytes, concat, alternate, repeat, line_begin, line_end } kind = Kind::concat;
  std::bitset<256> bytes;
  std::vector<Ast> children;
  int min = 0, max = -1;  // repeat; max -1: unbounded
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Ast parse() {
    Ast ast = alternation();
    if (pos_ != text_.size()) fail("unexpected ')'");
    return ast;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw std::invalid_argument("pattern \"" + std::string(text_) + "\": " + why + " at offset " +
                                std::to_string(pos_));
  }
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }

  Ast alternation() {
    Ast first = concatenation();
    if (at_end() || peek() != '|') return first;
    Ast alt{Ast::Kind::alternate, {}, {std::move(first)}};
    while (!at_end() && peek() == '|') {
      ++pos_;
      alt.children.push_back(concatenation());
    }
    return alt;
  }

  Ast concatenation() {
    Ast seq{Ast::Kind::concat, {}, {}};
    while (!at_end() && peek() != '|' && peek() != ')') seq.children.push_back(repetition());
    return seq;
  }

  int number() {
    if (at_end() || peek() < '0' || peek() > '9') fail("expected a number");
    int value = 0;
    while (!at_end() && peek() >= '0' && peek() <= '9') {
      value = value * 10 + (peek() - '0');
      if (value > 1000) fail("repeat count too large");
      ++pos_;
    }
    return value;
  }

  Ast repetition() {
    Ast atom_ast = atom();
    while (!at_end()) {
      int min = 0, max = -1;
      const char c = peek();
      if (c == '?') {
        max = 1;
      } else if (c == '*') {
      } else if (c == '+') {
        min = 1;
      } else if (c == '{') {
        ++pos_;
        min = max = number();
        if (!at_end() && peek() == ',') {
          ++pos_;
          max = !at_end() && peek() == '}' ? -1 : number();
        }
        if (at_end() || peek() != '}') fail("expected '}'");
        if (max != -1 && max < min) fail("{n,m} with m < n");
      } else {
        break;
      }
      ++pos_;
      if (!at_end() && peek() == '?') ++pos_;  // lazy: same set of matching texts
      Ast repeat{Ast::Kind::repeat, {}, {std::move(atom_ast)}, min, max};
      atom_ast = std::move(repeat);
    }
    return atom_ast;
  }

  static std::bitset<256> escape_class(char c) {
    std::bitset<256> set;
    const auto range = [&](int from, int to) {
      for (int b = from; b <= to; ++b) set.set(static_cast<std::size_t>(b));
    };
    switch (c) {
      case 'd':
        range('0', '9');
        break;
      case 'w':
        range('0', '9');
        range('a', 'z');
        range('A', 'Z');
        set.set('_');
        break;
      case 's':
        for (const char s : {' ', '\t', '\n', '\r', '\f', '\v'}) set.set(static_cast<unsigned char>(s));
        break;
      case 'n':
        set.set('\n');
        break;
      case 't':
        set.set('\t');
        break;
      default:
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
          throw std::invalid_argument(std::string("pattern: unsupported escape \\") + c);
        set.set(static_cast<unsigned char>(c));
    }
    return set;
  }

  std::bitset<256> escape() {
    ++pos_;  // the backslash
    if (at_end()) fail("trailing backslash");
    return escape_class(text_[pos_++]);
  }

  std::bitset<256> bracket() {
    ++pos_;  // [
    bool negate = false;
    if (!at_end() && peek() == '^') {
      negate = true;
      ++pos_;
    }
    std::bitset<256> set;
    bool first = true;
    while (!at_end() && (peek() != ']' || first)) {
      first = false;
      if (peek() == '\\') {
        set |= escape();
        continue;
      }
      const auto low = static_cast<unsigned char>(text_[pos_++]);
      if (pos_ + 1 < text_.size() && peek() == '-' && text_[pos_ + 1] != ']') {
        ++pos_;
        if (peek() == '\\') fail("escape as a range end");
        const auto high = static_cast<unsigned char>(text_[pos_++]);
        if (high < low) fail("reversed range");
        for (unsigned b = low; b <= high; ++b) set.set(b);
      } else {
        set.set(low);
      }
    }
    if (at_end()) fail("unterminated '['");
    ++pos_;  // ]
    return negate ? ~set : set;
  }

  Ast atom() {
    const char c = peek();
    switch (c) {
      case '(': {
        ++pos_;
        if (text_.substr(pos_, 2) == "?:") pos_ += 2;
        Ast inner = alternation();
        if (at_end() || peek() != ')') fail("expected ')'");
        ++pos_;
        return inner;
      }
      case '[':
        return {Ast::Kind::bytes, bracket(), {}};
      case '\\':
        return {Ast::Kind::bytes, escape(), {}};
      case '^':
        ++pos_;
        return {Ast::Kind::line_begin, {}, {}};
      case '$':
        ++pos_;
        return {Ast::Kind::line_end, {}, {}};
      case '.': {
        ++pos_;
        std::bitset<256> any;
        any.set();
        any.reset('\n');
        return {Ast::Kind::bytes, any, {}};
      }
      case '*':
      case '+':
      case '?':
      case '{':
      case ']':
      case '}':
        fail(std::string("unexpected '") + c + "'");
      default: {
        ++pos_;
        std::bitset<256> one;
        one.set(static_cast<unsigned char>(c));
        return {Ast::Kind::bytes, one, {}};
      }
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

class Compiler {
 public:
  std::vector<Pattern::Instruction> program;

  void emit(const Ast& ast) {
    if (program.size() > kMaxProgram) throw std::invalid_argument("pattern: too large once expanded");
    switch (ast.kind) {
      case Ast::Kind::bytes:
        add(Op::byte).bytes = ast.bytes;
        break;
      case Ast::Kind::line_begin:
        add(Op::line_begin);
        break;
      case Ast::Kind::line_end:
        add(Op::line_end);
        break;
      case Ast::Kind::concat:
        for (const auto& child : ast.children) emit(child);
        break;
      case Ast::Kind::alternate: {
        std::vector<std::size_t> jumps;
        for (std::size_t i = 0; i < ast.children.size(); ++i) {
          const bool last = i + 1 == ast.children.size();
          const std::size_t split = program.size();
          if (!last) add(Op::split);
          emit(ast.children[i]);
          if (!last) {
            jumps.push_back(program.size());
            add(Op::jump);
            set_split(split, split + 1, program.size());
          }
        }
        for (const auto j : jumps) program[j].x = here();
        break;
      }
      case Ast::Kind::repeat:
        emit_repeat(ast);
        break;
    }
  }

 private:
  Pattern::Instruction& add(Op op) {
    program.push_back({op, {}, 0, 0});
    return program.back();
  }
  int here() const { return static_cast<int>(program.size()); }
  void set_split(std::size_t at, std::size_t x, std::size_t y) {
    program[at].x = static_cast<int>(x);
    program[at].y = static_cast<int>(y);
  }

  void emit_repeat(const Ast& ast) {
    const Ast& body = ast.children.front();
    for (int i = 0; i < ast.min; ++i) emit(body);
    if (ast.max == -1) {  // L: split(L+1, end); body; jump L; end:
      const std::size_t loop = program.size();
      add(Op::split);
      emit(body);
      add(Op::jump).x = static_cast<int>(loop);
      set_split(loop, loop + 1, program.size());
      return;
    }
    std::vector<std::size_t> splits;
    for (int i = ast.min; i < ast.max; ++i) {
      splits.push_back(program.size());
      add(Op::split);
      emit(body);
    }
    for (const auto s : splits) set_split(s, s + 1, program.size());
  }
};

// A set of program counters with O(1) insert, membership and clear.
class ThreadList {
 public:
  explicit ThreadList(std::size_t size) : dense_(size), sparse_(size) {}
  bool contains(int pc) const {
    const auto i = sparse_[static_cast<std::size_t>(pc)];
    return i < count_ && dense_[i] == pc;
  }
  void insert(int pc) {
    sparse_[static_cast<std::size_t>(pc)] = count_;
    dense_[count_++] = pc;
  }
  void clear() { count_ = 0; }
  [[nodiscard]] std::size_t size() const { return count_; }
  [[nodiscard]] int operator[](std::size_t i) const { return dense_[i]; }

 private:
  std::vector<int> dense_;
  std::vector<std::size_t> sparse_;
  std::size_t count_ = 0;
};

}  // namespace

Pattern::Pattern(std::string_view pattern) {
  const Ast ast = Parser(pattern).parse();
  Compiler compiler;
  compiler.emit(ast);
  compiler.program.push_back({Op::match, {}, 0, 0});
  program_ = std::move(compiler.program);
  anchored_ = program_.front().op == Op::line_begin;
}

bool Pattern::search(std::string_view text) const {
  const std::size_t size = program_.size();
  ThreadList current(size), next(size), visited(size);
  std::vector<int> stack;
  stack.reserve(size);
  // Follows jumps, splits and anchors from `start` at `pos`; byte instructions land in `list`.
  const auto add = [&](ThreadList& list, int start, std::size_t pos) {
    visited.clear();
    stack.assign(1, start);
    while (!stack.empty()) {
      const int pc = stack.back();
      stack.pop_back();
      if (visited.contains(pc)) continue;
      visited.insert(pc);
      const Instruction& in = program_[static_cast<std::size_t>(pc)];
      switch (in.op) {
        case Op::match:
          return true;
        case Op::byte:
          if (!list.contains(pc)) list.insert(pc);
          break;
        case Op::jump:
          stack.push_back(in.x);
          break;
        case Op::split:
          stack.push_back(in.y);
          stack.push_back(in.x);
          break;
        case Op::line_begin:
          if (pos == 0) stack.push_back(pc + 1);
          break;
        case Op::line_end:
          if (pos == text.size()) stack.push_back(pc + 1);
          break;
      }
    }
    return false;
  };
  for (std::size_t pos = 0;; ++pos) {
    if ((!anchored_ || pos == 0) && add(current, 0, pos)) return true;
    if (pos == text.size() || (anchored_ && current.size() == 0)) return false;
    const auto byte = static_cast<unsigned char>(text[pos]);
    next.clear();
    for (std::size_t i = 0; i < current.size(); ++i) {
      const int pc = current[i];
      if (program_[static_cast<std::size_t>(pc)].bytes.test(byte) && add(next, pc + 1, pos + 1)) return true;
    }
    std::swap(current, next);
  }
}

}  // namespace fabricperf::results
