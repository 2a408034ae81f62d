#include "setup.hpp"

#include "fabricperf/error.hpp"
#include "fabricperf/gdr/gpu_memory.hpp"
#include "fabricperf/verbs/message_size.hpp"

namespace fabricperf::gdr {

using namespace fabricperf::verbs;

GpuLanes::GpuLanes(MemoryKind mem, HostPlan plan, std::string host)
    : mem_(mem), plan_(std::move(plan)), host_(std::move(host)) {
  for (std::size_t i = 0; i < plan_.pairs.size(); ++i)
    caps_.push_back(probe_capabilities(plan_.pairs[i].gpu.ordinal, plan_.pairs[i].nic, plan_.topology_hints[i]));
}

std::vector<Check> GpuLanes::registration_checks() const {
  std::lock_guard lock(checks_mutex_);
  return checks_;
}

nlohmann::json GpuLanes::memory_description() const {
  return providers_.empty() ? nlohmann::json(std::string(to_string(mem_))) : providers_.front()->describe();
}

void GpuLanes::create_endpoints(Session& session, const EndpointConfig& config, std::uint64_t max_size) {
  auto& lanes = session.lanes();
  if (!session.role()) {
    lanes.clear();
    return;
  }
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    const auto& sel = lanes[i].device->selection();
    check_message_size(max_size, sel.max_msg_sz, port_name(sel));
    if (!needs_cuda(mem_)) {
      providers_.push_back(make_host_memory_provider());
    } else {
      GpuMemoryConfig g;
      g.kind = mem_;
      g.gpu = plan_.pairs.at(i).gpu.ordinal;
      g.caps = caps_.at(i);
      g.target = RegistrationTarget{g.gpu, plan_.pairs[i].gpu.pci, sel.device, host_};
      g.on_registration = [this](const Check& c) {
        std::lock_guard lock(checks_mutex_);
        checks_.push_back(c);
      };
      providers_.push_back(make_gpu_memory_provider(std::move(g)));
    }
    lanes[i].endpoint = std::make_unique<Endpoint>(*lanes[i].device, *providers_.back(), config);
  }
}

void GpuLanes::create_staging(Session& session) {
  if (!session.role()) return;
  auto& lanes = session.lanes();
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    if (is_device_memory(mem_)) {
      GpuMemoryConfig g;
      g.kind = MemoryKind::cuda_host;
      g.gpu = plan_.pairs.at(i).gpu.ordinal;
      g.caps = caps_.at(i);
      g.target = RegistrationTarget{g.gpu, plan_.pairs[i].gpu.pci, lanes[i].device->selection().device, host_};
      staging_providers_.push_back(make_gpu_memory_provider(std::move(g)));
      streams_.push_back(std::make_unique<cuda::Stream>(g.gpu));
    } else {
      staging_providers_.push_back(make_host_memory_provider());
    }
    staging_.push_back(
        std::make_unique<Endpoint>(*lanes[i].device, *staging_providers_.back(), lanes[i].endpoint->config()));
  }
}

void GpuLanes::connect_staging(Session& session) {
  std::string mine;
  if (session.role()) {
    std::vector<EndpointInfo> infos;
    for (const auto& e : staging_) infos.push_back(e->local_info());
    mine = serialize(infos);
  }
  const auto all = session.bootstrap().all_gather(mine);
  if (session.role()) {
    const std::string peer = session.peer_name();
    std::vector<EndpointInfo> theirs;
    try {
      theirs = parse_endpoint_infos(all.at(static_cast<std::size_t>(session.role()->peer)));
    } catch (const Error& e) {
      throw PeerError(peer, peer + " sent bad connection data for the host-staged baseline: " + e.what());
    }
    if (theirs.size() != staging_.size())
      throw PeerError(peer, peer + " has " + std::to_string(theirs.size()) + " host-staging endpoint(s), this side " +
                                std::to_string(staging_.size()));
    for (std::size_t i = 0; i < staging_.size(); ++i) staging_[i]->connect(theirs[i], peer);
  }
  session.barrier();
}

nlohmann::json GpuLanes::copy_costs(Session& session, std::size_t lane, std::uint64_t size, int iterations) const {
  double d2h = 0, h2d = 0;
  if (is_device_memory(mem_) && lane < streams_.size() && lane < staging_.size()) {
    void* device = session.lanes()[lane].endpoint->buffer().data();
    void* host = staging_[lane]->buffer().data();
    const auto bytes = static_cast<std::size_t>(size);
    d2h = cuda::time_copy_us(host, device, bytes, iterations, *streams_[lane]);
    h2d = cuda::time_copy_us(device, host, bytes, iterations, *streams_[lane]);
  }
  return {{"d2h_us", d2h}, {"h2d_us", h2d}};
}

}  // namespace fabricperf::gdr
