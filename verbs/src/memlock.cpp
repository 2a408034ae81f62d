#include "fabricperf/verbs/memlock.hpp"

#include <sys/resource.h>

#include <fstream>
#include <sstream>

#include "fabricperf/error.hpp"

namespace fabricperf::verbs {
namespace {

bool has_cap_ipc_lock() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("CapEff:", 0) == 0) {
      try {
        const auto caps = std::stoull(line.substr(7), nullptr, 16);
        return (caps >> 14) & 1ULL;  // CAP_IPC_LOCK = 14
      } catch (const std::exception&) {
        return false;
      }
    }
  }
  return false;
}

std::string human_bytes(std::uint64_t b) {
  std::ostringstream out;
  if (b >= (1ULL << 30) && b % (1ULL << 20) == 0)
    out << b / (1ULL << 30) << '.' << (b % (1ULL << 30)) * 10 / (1ULL << 30) << " GiB";
  else if (b >= (1ULL << 20))
    out << (b + (1ULL << 20) - 1) / (1ULL << 20) << " MiB";
  else
    out << (b + 1023) / 1024 << " KiB";
  return out.str();
}

}  // namespace

MemlockLimit current_memlock_limit() {
  MemlockLimit limit;
  rlimit rl{};
  if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0) {
    limit.unlimited = rl.rlim_cur == RLIM_INFINITY;
    limit.bytes = limit.unlimited ? 0 : rl.rlim_cur;
  } else {
    limit.unlimited = true;
  }
  limit.privileged = has_cap_ipc_lock();
  return limit;
}

std::string memlock_problem(const MemlockLimit& limit, std::uint64_t needed_bytes) {
  if (limit.unlimited || limit.privileged || needed_bytes <= limit.bytes) return "";
  return "this run registers " + human_bytes(needed_bytes) + " (" + std::to_string(needed_bytes) +
         " bytes) of memory but ulimit -l (RLIMIT_MEMLOCK) is " + std::to_string(limit.bytes / 1024) +
         " KiB; raise it (ulimit -l unlimited, or memlock in /etc/security/limits.conf) or use smaller sizes/fewer QPs";
}

void check_memlock(std::uint64_t needed_bytes) {
  const std::string problem = memlock_problem(current_memlock_limit(), needed_bytes);
  if (!problem.empty()) throw Error(problem);
}

}  // namespace fabricperf::verbs
