#pragma once
// rdma_cm connection of an endpoint's data QPs (-R): the target listens on its device's IPv4
// address, the initiator resolves, creates each QP on its cm id and connects; rdma_cm does
// the INIT/RTR/RTS transitions and path MTU. Buffers and the control QP still go through the
// bootstrap exchange. Every wait for an event has a deadline and names the peer.
#include <cstdint>
#include <string>
#include <vector>

#include "fabricperf/verbs/connection.hpp"
#include "fabricperf/verbs/handles.hpp"

namespace fabricperf::verbs {

struct CmQpSetup {
  ibv_pd* pd = nullptr;
  ibv_cq* send_cq = nullptr;
  ibv_cq* recv_cq = nullptr;
  QpOptions options;
  std::uint32_t count = 1;
  double timeout_s = 30;
  std::string peer = "peer";
  // The listener's per-run key (random_secret(): 32 hex characters), shared over the run's
  // authenticated bootstrap. Every connect request carries it in its private data; the listener
  // rejects requests without it and keeps waiting, so a stranger can neither take a QP nor end
  // the run.
  std::string key;
};

class CmListener {
 public:
  // Binds to local_ip:port on the channel and listens (before the peer learns where).
  CmListener(const std::string& local_ip, std::uint16_t port);
  // Accepts setup.count connections (QP i = the one whose private data says i).
  [[nodiscard]] std::vector<CmId> accept(const CmQpSetup& setup);

 private:
  CmEventChannel channel_;
  CmId listener_;
  std::string where_;
};

// Connects setup.count QPs to remote_ip:port, binding to local_ip (selects the device).
[[nodiscard]] std::vector<CmId> cm_connect(const std::string& local_ip, const std::string& remote_ip,
                                           std::uint16_t port, const CmQpSetup& setup, CmEventChannel& channel);

}  // namespace fabricperf::verbs
