#pragma once
// An open NCCL group (ncclGroupStart) that is closed on every path: end() closes it and reports
// an error; if it was not ended (an exception between start and end), the destructor closes it,
// ignoring the result. An open group would otherwise turn a later ncclCommAbort into a queued
// no-op and leave buffers freed under live communicators.
#include <string>

#include "nccl_calls.hpp"

namespace fabricperf::collectives {

class NcclGroup {
 public:
  NcclGroup(NcclCalls& calls, const std::string& doing) : calls_(calls) { nccl_check(calls_.group_start(), doing); }
  ~NcclGroup() {
    if (!ended_) (void)calls_.group_end();
  }
  NcclGroup(const NcclGroup&) = delete;
  NcclGroup& operator=(const NcclGroup&) = delete;

  // Closes the group; returns ncclSuccess or ncclInProgress (non-blocking communicators), throws
  // Error on anything else.
  ncclResult_t end(const std::string& doing) {
    ended_ = true;
    const ncclResult_t rc = calls_.group_end();
    nccl_check(rc, doing);
    return rc;
  }

 private:
  NcclCalls& calls_;
  bool ended_ = false;
};

}  // namespace fabricperf::collectives
