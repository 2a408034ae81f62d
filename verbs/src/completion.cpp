#include "fabricperf/verbs/completion.hpp"

namespace fabricperf::verbs {

std::string completion_problem(const ibv_wc& wc) {
  std::string s = ibv_wc_status_str(wc.status);
  if (wc.status == IBV_WC_RETRY_EXC_ERR || wc.status == IBV_WC_RNR_RETRY_EXC_ERR)
    s += ": the peer stopped answering (process gone, host down or link cut)";
  return s;
}

}  // namespace fabricperf::verbs
