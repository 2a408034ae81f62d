#pragma once
// What a failed work completion means, in words an operator can act on.
#include <infiniband/verbs.h>

#include <string>

namespace fabricperf::verbs {

// "transport retry counter exceeded: the peer stopped answering (process gone, host down or
// link cut)"; other statuses as ibv_wc_status_str gives them.
[[nodiscard]] std::string completion_problem(const ibv_wc& wc);

}  // namespace fabricperf::verbs
