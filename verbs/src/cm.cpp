#include "fabricperf/verbs/cm.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "fabricperf/error.hpp"
#include "fabricperf/verbs/cm_request.hpp"

namespace fabricperf::verbs {
namespace {

using Clock = std::chrono::steady_clock;

sockaddr_in ipv4(const std::string& ip, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  if (inet_pton(AF_INET, ip.c_str(), &a.sin_addr) != 1) throw UsageError("-R needs IPv4 addresses (got '" + ip + "')");
  return a;
}

void make_nonblocking(rdma_event_channel* ch) {
  const int flags = ::fcntl(ch->fd, F_GETFL);
  ::fcntl(ch->fd, F_SETFL, flags | O_NONBLOCK);
}

// Next event of `expected` type; throws PeerError naming what was awaited otherwise. The caller
// acks the returned event.
rdma_cm_event* wait_event(rdma_event_channel* ch, rdma_cm_event_type expected, Clock::time_point deadline,
                          const std::string& what, const std::string& peer) {
  while (true) {
    rdma_cm_event* ev = nullptr;
    if (rdma_get_cm_event(ch, &ev) == 0) {
      if (ev->event == expected) return ev;
      const std::string got = rdma_event_str(ev->event);
      const int status = ev->status;
      rdma_ack_cm_event(ev);
      throw PeerError(peer, what + " with " + peer + ": rdma_cm reported " + got + " (status " +
                                std::to_string(status) + ") instead of " + rdma_event_str(expected));
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) throw_errno(what + ": rdma_get_cm_event", errno);
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) throw PeerError(peer, "no rdma_cm answer from " + peer + " while " + what);
    pollfd pfd{ch->fd, POLLIN, 0};
    ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left, 1000)));
  }
}

ibv_qp_init_attr init_attr(const CmQpSetup& s) {
  ibv_qp_init_attr a{};
  a.send_cq = s.send_cq;
  a.recv_cq = s.recv_cq;
  a.qp_type = IBV_QPT_RC;
  a.cap.max_send_wr = s.options.send_depth;
  a.cap.max_recv_wr = s.options.recv_depth;
  a.cap.max_send_sge = s.options.max_sge;
  a.cap.max_recv_sge = s.options.max_sge;
  a.cap.max_inline_data = s.options.max_inline;
  return a;
}

rdma_conn_param conn_param(const CmQpSetup& s, const ConnectRequestData* request) {
  rdma_conn_param p{};
  p.responder_resources = s.options.max_rd_atomic;
  p.initiator_depth = s.options.max_rd_atomic;
  p.retry_count = s.options.retry_count;
  p.rnr_retry_count = s.options.rnr_retry;
  p.private_data = request;
  p.private_data_len = request ? sizeof *request : 0;
  return p;
}

void create_qp_on(rdma_cm_id* id, const CmQpSetup& s) {
  if (id->verbs != s.pd->context)
    throw Error(std::string("rdma_cm routed the connection over ") + ibv_get_device_name(id->verbs->device) +
                ", not the selected " + ibv_get_device_name(s.pd->context->device));
  ibv_qp_init_attr a = init_attr(s);
  if (rdma_create_qp(id, s.pd, &a) != 0) throw_errno("creating a QP on an rdma_cm id", errno);
}

}  // namespace

CmListener::CmListener(const std::string& local_ip, std::uint16_t port)
    : listener_(channel_.get()), where_(local_ip + ":" + std::to_string(port)) {
  make_nonblocking(channel_.get());
  sockaddr_in a = ipv4(local_ip, port);
  if (rdma_bind_addr(listener_.get(), reinterpret_cast<sockaddr*>(&a)) != 0)
    throw_errno("binding rdma_cm to " + where_, errno);
  if (rdma_listen(listener_.get(), 64) != 0) throw_errno("listening with rdma_cm on " + where_, errno);
}

std::vector<CmId> CmListener::accept(const CmQpSetup& setup) {
  const auto deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(setup.timeout_s));
  std::vector<CmId> ids(setup.count);
  for (std::uint32_t n = 0; n < setup.count;) {
    rdma_cm_event* ev = wait_event(channel_.get(), RDMA_CM_EVENT_CONNECT_REQUEST, deadline,
                                   "waiting for rdma_cm connection requests on " + where_, setup.peer);
    CmId id = CmId::adopt(ev->id);
    const auto authenticated = authenticated_request_index(*ev, setup.key);
    rdma_ack_cm_event(ev);
    if (!authenticated) {  // not from this run: turn it away, keep waiting for the peer
      rdma_reject(id.get(), nullptr, 0);
      continue;
    }
    const std::uint32_t index = *authenticated;
    if (index >= setup.count || ids[index].get() != nullptr)
      throw PeerError(setup.peer,
                      setup.peer + " asked for QP " + std::to_string(index) + " of " + std::to_string(setup.count));
    create_qp_on(id.get(), setup);
    rdma_conn_param p = conn_param(setup, nullptr);
    if (rdma_accept(id.get(), &p) != 0) throw_errno("accepting an rdma_cm connection from " + setup.peer, errno);
    rdma_ack_cm_event(wait_event(channel_.get(), RDMA_CM_EVENT_ESTABLISHED, deadline,
                                 "establishing rdma_cm connection " + std::to_string(index), setup.peer));
    ids[index] = std::move(id);
    ++n;
  }
  return ids;
}

std::vector<CmId> cm_connect(const std::string& local_ip, const std::string& remote_ip, std::uint16_t port,
                             const CmQpSetup& setup, CmEventChannel& channel) {
  make_nonblocking(channel.get());
  const auto deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(setup.timeout_s));
  const std::string where = remote_ip + ":" + std::to_string(port);
  std::vector<CmId> ids;
  for (std::uint32_t i = 0; i < setup.count; ++i) {
    while (true) {
      CmId id(channel.get());
      sockaddr_in src = ipv4(local_ip, 0);
      sockaddr_in dst = ipv4(remote_ip, port);
      if (rdma_resolve_addr(id.get(), reinterpret_cast<sockaddr*>(&src), reinterpret_cast<sockaddr*>(&dst), 5000) != 0)
        throw_errno("resolving " + where + " with rdma_cm", errno);
      rdma_ack_cm_event(
          wait_event(channel.get(), RDMA_CM_EVENT_ADDR_RESOLVED, deadline, "resolving " + where, setup.peer));
      if (rdma_resolve_route(id.get(), 5000) != 0) throw_errno("resolving the route to " + where, errno);
      rdma_ack_cm_event(
          wait_event(channel.get(), RDMA_CM_EVENT_ROUTE_RESOLVED, deadline, "routing to " + where, setup.peer));
      create_qp_on(id.get(), setup);
      const ConnectRequestData request = connect_request_data(i, setup.key);
      rdma_conn_param p = conn_param(setup, &request);
      if (rdma_connect(id.get(), &p) != 0) throw_errno("connecting to " + where + " with rdma_cm", errno);
      rdma_cm_event* ev = nullptr;
      try {
        ev = wait_event(channel.get(), RDMA_CM_EVENT_ESTABLISHED, deadline,
                        "connecting QP " + std::to_string(i) + " to " + where, setup.peer);
      } catch (const PeerError&) {
        // The target may not listen yet (it listens before the exchange, but be lenient): retry
        // on REJECTED until the deadline.
        if (Clock::now() >= deadline) throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        continue;
      }
      rdma_ack_cm_event(ev);
      ids.push_back(std::move(id));
      break;
    }
  }
  return ids;
}

}  // namespace fabricperf::verbs
