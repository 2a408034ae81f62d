// probe_hwloc_xml: hwloc's XML import in a child process, so that a crash inside libhwloc on a
// malformed export is a clear refusal rather than a signal that kills fp_topo.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fabricperf/error.hpp"
#include "fabricperf/topology/hwloc_reader.hpp"

namespace fabricperf::topology {
namespace {

constexpr unsigned kProbeSeconds = 60;  // a load of the largest real export takes ~20 ms
constexpr int kLoadFailed = 3;          // child exit code: hwloc refused the file without crashing

// The child: load and convert, then _exit (never return into the parent's code, never run its
// destructors or atexit handlers). hwloc's own warnings are left to the parent's load.
[[noreturn]] void child(const std::string& xml, const std::string& source) {
  const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null_fd >= 0) {
    ::dup2(null_fd, STDERR_FILENO);
    ::dup2(null_fd, STDOUT_FILENO);
  }
  // The parent may block signals (a sigwait thread): the child must die of SIGALRM.
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGALRM, SIG_DFL);
  ::alarm(kProbeSeconds);
  int code = 0;
  try {
    HwlocTopology h;
    h.keep_all_io();
    h.use_xml_buffer(xml);
    h.load();
    (void)topology_from_hwloc(h.get(), SourceKind::hwloc_xml, source);
  } catch (...) {
    code = kLoadFailed;
  }
  ::_exit(code);
}

}  // namespace

void probe_hwloc_xml(const std::string& xml, const std::string& source) {
  const pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork (to load " + source + " with hwloc)", errno);
  if (pid == 0) child(xml, source);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw_errno("waitpid (loading " + source + " with hwloc)", errno);
  }
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    if (sig == SIGALRM) {
      throw UsageError("hwloc XML " + source + ": libhwloc did not finish loading it within " +
                       std::to_string(kProbeSeconds) + " s: the file is malformed");
    }
    throw UsageError("hwloc XML " + source + ": libhwloc crashed while loading it (signal " + std::to_string(sig) +
                     "): the file is malformed");
  }
}

}  // namespace fabricperf::topology
