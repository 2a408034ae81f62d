#pragma once
// A stand-in for the few GoogleTest macros the GPU tests use (TEST, EXPECT_*/ASSERT_*,
// GTEST_SKIP, FAIL, SUCCEED), so scripts/device-check.sh can build and run test_gpu_cuda.cpp
// on a GPU machine without GoogleTest. Same test source, same verdicts; output is one line per
// test ("[ OK ]", "[ SKIPPED ]", "[ FAILED ]") and main returns 1 when any test failed.
#include <exception>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace minigtest {

struct Test {
  std::string name;
  std::function<void()> body;
};

inline std::vector<Test>& registry() {
  static std::vector<Test> tests;
  return tests;
}

struct State {
  bool failed = false;
  bool skipped = false;
  std::string skip_reason;
};
inline State& state() {
  static State s;
  return s;
}

struct Registrar {
  Registrar(const char* suite, const char* name, std::function<void()> body) {
    registry().push_back({std::string(suite) + "." + name, std::move(body)});
  }
};

// Collects "<< extra" text and reports on destruction.
class Message {
 public:
  Message(const char* file, int line, std::string what, bool skip = false)
      : file_(file), line_(line), what_(std::move(what)), skip_(skip) {}
  Message(const Message&) = delete;
  ~Message() {
    if (skip_) {
      state().skipped = true;
      state().skip_reason = extra_.str();
      return;
    }
    state().failed = true;
    std::cout << file_ << ":" << line_ << ": Failure: " << what_ << (extra_.str().empty() ? "" : " ") << extra_.str()
              << "\n";
  }
  template <typename T>
  Message& operator<<(const T& v) {
    extra_ << v;
    return *this;
  }

 private:
  const char* file_;
  int line_;
  std::string what_;
  bool skip_;
  std::ostringstream extra_;
};

struct Voidify {
  void operator&(const Message&) const {}
};

template <typename T>
std::string show(const T& v) {
  if constexpr (requires(std::ostream& o, const T& x) { o << x; }) {
    std::ostringstream s;
    s << v;
    return s.str();
  } else {
    return "(value)";
  }
}

template <typename A, typename B>
std::string compare_text(const char* op, const char* a, const char* b, const A& va, const B& vb) {
  return std::string("expected ") + a + " " + op + " " + b + ", got " + show(va) + " vs " + show(vb);
}

inline int run_all() {
  int failed = 0, skipped = 0, passed = 0;
  for (const auto& t : registry()) {
    state() = State{};
    try {
      t.body();
    } catch (const std::exception& e) {
      state().failed = true;
      std::cout << t.name << ": unexpected exception: " << e.what() << "\n";
    } catch (...) {
      state().failed = true;
      std::cout << t.name << ": unexpected exception\n";
    }
    if (state().failed) {
      ++failed;
      std::cout << "[  FAILED  ] " << t.name << "\n";
    } else if (state().skipped) {
      ++skipped;
      std::cout << "[  SKIPPED ] " << t.name << (state().skip_reason.empty() ? "" : ": " + state().skip_reason) << "\n";
    } else {
      ++passed;
      std::cout << "[       OK ] " << t.name << "\n";
    }
  }
  std::cout << "[==========] " << registry().size() << " tests: " << passed << " passed, " << skipped << " skipped, "
            << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}

}  // namespace minigtest

#define MINIGTEST_CAT2(a, b) a##b
#define MINIGTEST_CAT(a, b) MINIGTEST_CAT2(a, b)
#define TEST(suite, name)                                                                          \
  static void MINIGTEST_CAT(minigtest_##suite##_##name, _body)();                                  \
  static ::minigtest::Registrar MINIGTEST_CAT(minigtest_##suite##_##name, _reg)(#suite, #name,     \
                                                                                 &MINIGTEST_CAT(minigtest_##suite##_##name, _body)); \
  static void MINIGTEST_CAT(minigtest_##suite##_##name, _body)()

#define MINIGTEST_FAIL_IF(cond, text, on_fail) \
  switch (0)                                   \
  case 0:                                      \
  default:                                     \
    if (!(cond)) {                             \
    } else                                     \
      on_fail ::minigtest::Voidify() & ::minigtest::Message(__FILE__, __LINE__, text)
#define MINIGTEST_CMP(a, b, op, on_fail)                                                                         \
  MINIGTEST_FAIL_IF(!((a)op(b)), ::minigtest::compare_text(#op, #a, #b, (a), (b)), on_fail)

#define EXPECT_TRUE(c) MINIGTEST_FAIL_IF(!(c), std::string("expected true: ") + #c, )
#define EXPECT_FALSE(c) MINIGTEST_FAIL_IF((c), std::string("expected false: ") + #c, )
#define ASSERT_TRUE(c) MINIGTEST_FAIL_IF(!(c), std::string("expected true: ") + #c, return)
#define ASSERT_FALSE(c) MINIGTEST_FAIL_IF((c), std::string("expected false: ") + #c, return)
#define EXPECT_EQ(a, b) MINIGTEST_CMP(a, b, ==, )
#define EXPECT_NE(a, b) MINIGTEST_CMP(a, b, !=, )
#define EXPECT_LT(a, b) MINIGTEST_CMP(a, b, <, )
#define EXPECT_LE(a, b) MINIGTEST_CMP(a, b, <=, )
#define EXPECT_GT(a, b) MINIGTEST_CMP(a, b, >, )
#define EXPECT_GE(a, b) MINIGTEST_CMP(a, b, >=, )
#define ASSERT_EQ(a, b) MINIGTEST_CMP(a, b, ==, return)
#define ASSERT_NE(a, b) MINIGTEST_CMP(a, b, !=, return)
#define ASSERT_LT(a, b) MINIGTEST_CMP(a, b, <, return)
#define ASSERT_LE(a, b) MINIGTEST_CMP(a, b, <=, return)
#define ASSERT_GT(a, b) MINIGTEST_CMP(a, b, >, return)
#define ASSERT_GE(a, b) MINIGTEST_CMP(a, b, >=, return)
#define EXPECT_THROW(stmt, type)                                      \
  do {                                                                \
    bool minigtest_caught = false;                                    \
    try {                                                             \
      stmt;                                                           \
    } catch (const type&) {                                           \
      minigtest_caught = true;                                        \
    } catch (...) {                                                   \
    }                                                                 \
    EXPECT_TRUE(minigtest_caught) << "(" #stmt " throws " #type ")"; \
  } while (0)
#define EXPECT_NO_THROW(stmt)                                                                     \
  do {                                                                                            \
    try {                                                                                         \
      stmt;                                                                                       \
    } catch (const std::exception& minigtest_e) {                                                 \
      ::minigtest::Message(__FILE__, __LINE__, std::string(#stmt " threw: ") + minigtest_e.what()); \
    }                                                                                             \
  } while (0)
#define ASSERT_NO_THROW(stmt) EXPECT_NO_THROW(stmt)
#define FAIL() return ::minigtest::Voidify() & ::minigtest::Message(__FILE__, __LINE__, "FAIL()")
#define ADD_FAILURE() ::minigtest::Message(__FILE__, __LINE__, "ADD_FAILURE()")
#define SUCCEED() (void)0
#define GTEST_SKIP() return ::minigtest::Voidify() & ::minigtest::Message(__FILE__, __LINE__, "", true)
