#pragma once
// Choosing how GPU memory is registered with the NIC, falling back when a path fails, and
// explaining every path that did not work. Pure logic over GpuCapabilities plus a callback
// that performs one registration attempt, so fallback order and messages are unit tested
// without a GPU or a NIC.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fabricperf/error.hpp"
#include "fabricperf/gdr/capabilities.hpp"
#include "fabricperf/gdr/memory_kind.hpp"
#include "fabricperf/result_document.hpp"

namespace fabricperf::gdr {

// Why a path cannot work, and what to do about it.
struct Blocker {
  std::string reason;
  std::string remedy;
};

// Why `path` cannot work on this host, judged from facts alone; nullopt when it may work
// (facts say yes or are unknown: then only trying tells).
[[nodiscard]] std::optional<Blocker> blocker_for(RegistrationPath path, const GpuCapabilities& caps);

// The registration paths for `kind`, in the order they are tried: host and cuda-host -> host;
// cuda -> dma-buf then nvidia-peermem; cuda-dmabuf -> dma-buf; cuda-peermem -> nvidia-peermem.
[[nodiscard]] std::vector<RegistrationPath> registration_paths(MemoryKind kind);

// A failed call during one attempt: {"ibv_reg_dmabuf_mr", EOPNOTSUPP, "Operation not supported"}.
// `code` is an errno for verbs calls and a CUresult/cudaError_t for CUDA calls.
struct AttemptError {
  std::string call;
  int code = 0;
  std::string text;
};

// Turns a failed attempt into a reason and a remedy, using the facts for context.
[[nodiscard]] Blocker explain_failure(RegistrationPath path, const AttemptError& error, const GpuCapabilities& caps);

// What happened to one path.
struct Attempt {
  RegistrationPath path = RegistrationPath::host;
  enum class Outcome { ok, failed, skipped } outcome = Outcome::skipped;
  std::optional<AttemptError> error;  // set when failed
  Blocker why;                        // set when failed or skipped
};

// Which GPU and NIC a registration is for (messages and check labels).
struct RegistrationTarget {
  int gpu = -1;            // -1 for host memory
  std::string gpu_bus_id;  // "0000:17:00.0" or ""
  std::string nic;         // "mlx5_0"
  std::string host;        // hostname, "" when not needed
};

// Why GPU memory could not be registered: every path's story, one message, one failed check.
struct Diagnosis {
  MemoryKind kind = MemoryKind::cuda;
  RegistrationTarget target;
  std::vector<Attempt> attempts;
  std::string topology_hint;

  // One line: which paths failed and why, then what to do.
  [[nodiscard]] std::string message() const;
  // {"name": "gpu_memory_registration", "status": "fail", ...} labelled with gpu and device.
  [[nodiscard]] Check to_check() const;
};

class RegistrationError : public Error {
 public:
  explicit RegistrationError(Diagnosis diagnosis) : Error(diagnosis.message()), diagnosis_(std::move(diagnosis)) {}
  [[nodiscard]] const Diagnosis& diagnosis() const noexcept { return diagnosis_; }

 private:
  Diagnosis diagnosis_;
};

// The path that worked and the attempts before it.
struct RegistrationOutcome {
  RegistrationPath used = RegistrationPath::host;
  std::vector<Attempt> attempts;  // including the successful one (last)

  // {"name": "gpu_memory_registration", "status": "pass", "measured": "dma-buf", ...}; the detail
  // names any path that failed before the fallback worked.
  [[nodiscard]] Check to_check(MemoryKind kind, const RegistrationTarget& target) const;
};

// One registration try: nullopt on success (the callee keeps the memory region), the failed
// call otherwise.
using AttemptFunction = std::function<std::optional<AttemptError>(RegistrationPath)>;

// Tries the paths of `kind` in order, skipping those the facts rule out. Returns the first that
// works; throws RegistrationError with the Diagnosis when none does.
[[nodiscard]] RegistrationOutcome register_with_fallback(MemoryKind kind, const GpuCapabilities& caps,
                                                         const RegistrationTarget& target,
                                                         const AttemptFunction& attempt);

// "no CUDA device" style precondition: nullopt when CUDA is usable, else one line saying why
// (built without CUDA / no CUDA driver / no CUDA device) and what to do.
[[nodiscard]] std::optional<Blocker> cuda_blocker(const GpuCapabilities& caps);

}  // namespace fabricperf::gdr
