#pragma once
// RLIMIT_MEMLOCK (ulimit -l) check before registering memory, with an error naming the size.
#include <cstdint>
#include <string>

namespace fabricperf::verbs {

struct MemlockLimit {
  bool unlimited = false;
  std::uint64_t bytes = 0;    // soft limit
  bool privileged = false;    // CAP_IPC_LOCK: the limit does not apply
};

[[nodiscard]] MemlockLimit current_memlock_limit();

// Pure decision: empty when `needed_bytes` may be locked; else the error message, e.g.
// "this run registers 64 MiB of memory but ulimit -l (RLIMIT_MEMLOCK) is 8192 KiB; ...".
[[nodiscard]] std::string memlock_problem(const MemlockLimit& limit, std::uint64_t needed_bytes);

// Throws Error with memlock_problem's message when the current limit is too small.
void check_memlock(std::uint64_t needed_bytes);

}  // namespace fabricperf::verbs
