#include "fabricperf/verbs/device.hpp"

#include <algorithm>
#include <cerrno>

#include "fabricperf/error.hpp"
#include "fabricperf/host_info.hpp"
#include "fabricperf/log.hpp"
#include "fabricperf/verbs/affinity.hpp"
#include "fabricperf/verbs/rate.hpp"

#include <rdma/rdma_cma.h>

namespace fabricperf::verbs {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "none" : out;
}

const char* port_state_name(ibv_port_state s) { return ibv_port_state_str(s); }

// "1 ::ffff:10.0.0.1 RoCE v2" (index, address, type).
std::string describe_gid(const GidEntry& e) {
  return std::to_string(e.index) + " " + format_gid(e.gid) + " " + std::string(to_string(e.type));
}

std::string describe_gids(const std::vector<GidEntry>& table) {
  std::string text;
  for (const auto& e : table) text += (text.empty() ? "" : "; ") + describe_gid(e);
  return text.empty() ? "empty" : text;
}

}  // namespace

nlohmann::json PortSelection::to_json() const {
  nlohmann::json j = {{"device", device},
                      {"port", port},
                      {"link_layer", ethernet ? "Ethernet" : "InfiniBand"},
                      {"gid_index", gid.index},
                      {"gid", format_gid(gid.gid)},
                      {"gid_type", verbs::to_string(gid.type)},
                      {"mtu_bytes", mtu_to_bytes(mtu)},
                      {"active_mtu_bytes", mtu_to_bytes(active_mtu)},
                      {"line_rate_gbps", line_rate_gbps},
                      {"rate", rate_name}};
  if (!ethernet) j["lid"] = lid;
  if (!gid.netdev.empty()) j["netdev"] = gid.netdev;
  if (numa_node >= 0) j["numa_node"] = numa_node;
  return j;
}

std::vector<std::string> available_devices() {
  try {
    return DeviceList().names();
  } catch (const Error&) {
    return {};
  }
}

std::vector<std::string> split_device_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item.empty()) throw UsageError("empty device name in '" + text + "'");
    out.push_back(std::move(item));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::vector<GidEntry> read_gid_table(ibv_context* ctx, int port, int table_len, const std::string& sys_root) {
  const std::string dev = ctx->device->name;
  auto sysfs = read_gid_table_sysfs(sys_root, dev, port);
  std::vector<GidEntry> table;
  for (int i = 0; i < table_len; ++i) {
    ibv_gid_entry entry{};
    if (ibv_query_gid_ex(ctx, static_cast<std::uint32_t>(port), static_cast<std::uint32_t>(i), &entry, 0) != 0)
      continue;  // ENODATA: empty slot
    GidEntry e;
    e.index = static_cast<std::uint32_t>(i);
    e.gid = to_bytes(entry.gid);
    if (is_zero(e.gid)) continue;
    switch (entry.gid_type) {
      case IBV_GID_TYPE_IB: e.type = GidType::ib; break;
      case IBV_GID_TYPE_ROCE_V1: e.type = GidType::roce_v1; break;
      case IBV_GID_TYPE_ROCE_V2: e.type = GidType::roce_v2; break;
      default: e.type = GidType::unknown;
    }
    for (const auto& s : sysfs)
      if (s.index == e.index) e.netdev = s.netdev;
    table.push_back(e);
  }
  if (table.empty()) {
    // Old kernels without the ioctl: fall back to ibv_query_gid + sysfs types.
    for (int i = 0; i < table_len; ++i) {
      ibv_gid gid{};
      if (ibv_query_gid(ctx, static_cast<std::uint8_t>(port), i, &gid) != 0) continue;
      GidEntry e;
      e.index = static_cast<std::uint32_t>(i);
      e.gid = to_bytes(gid);
      if (is_zero(e.gid)) continue;
      for (const auto& s : sysfs)
        if (s.index == e.index) {
          e.type = s.type;
          e.netdev = s.netdev;
        }
      table.push_back(e);
    }
  }
  return table;
}

Device open_device(const DeviceRequest& request) {
  DeviceList list;
  if (list.size() == 0) {
    if (!request.name.empty())
      throw UsageError("unknown RDMA device '" + request.name + "' (no RDMA devices on this host)");
    throw Error("no RDMA devices found (is an RDMA driver loaded? see ibv_devices)");
  }
  ibv_device* dev = request.name.empty() ? list[0] : list.find(request.name);
  if (dev == nullptr)
    throw UsageError("unknown RDMA device '" + request.name + "' (available: " + join(list.names()) + ")");
  FP_LOG(info, "verbs") << "device " << ibv_get_device_name(dev)
                        << (request.name.empty() ? " (the first of: " + join(list.names()) + ")" : std::string(" (-d)"))
                        << (request.rdma_cm ? ", through rdma_cm" : "");

  Device d;
  if (request.rdma_cm) {
    // rdma_cm ids carry librdmacm's own context of the device: PD, CQs and MRs must use it.
    int n = 0;
    ibv_context** cm = rdma_get_devices(&n);
    if (cm == nullptr) throw_errno("listing rdma_cm devices (rdma_get_devices)", errno ? errno : ENODEV);
    d.cm_devices_ = std::shared_ptr<ibv_context*>(cm, [](ibv_context** p) { rdma_free_devices(p); });
    for (int i = 0; i < n; ++i)
      if (std::string(ibv_get_device_name(cm[i]->device)) == ibv_get_device_name(dev)) d.ctx_ = Context::borrow(cm[i]);
    if (!d.ctx_) throw Error(std::string("rdma_cm does not know device ") + ibv_get_device_name(dev));
  } else {
    d.ctx_ = Context(dev);
  }
  PortSelection& s = d.sel_;
  s.device = ibv_get_device_name(dev);

  ibv_device_attr attr{};
  if (int rc = ibv_query_device(d.context(), &attr); rc != 0) throw_errno("querying device " + s.device, rc);
  if (request.port < 1 || request.port > attr.phys_port_cnt)
    throw UsageError("port " + std::to_string(request.port) + " does not exist on " + s.device + " (ports 1-" +
                     std::to_string(attr.phys_port_cnt) + ")");
  s.port = request.port;
  s.max_mr_size = attr.max_mr_size;
  s.max_qp_wr = attr.max_qp_wr;
  s.max_cqe = attr.max_cqe;
  s.max_rd_atomic = std::max(1, std::min(attr.max_qp_rd_atom, attr.max_qp_init_rd_atom));
  const std::string where = s.device + " port " + std::to_string(s.port);

  ibv_port_attr port{};
  if (int rc = ibv_query_port(d.context(), static_cast<std::uint8_t>(s.port), &port); rc != 0)
    throw_errno("querying " + where, rc);
  s.max_msg_sz = port.max_msg_sz;
  if (port.state != IBV_PORT_ACTIVE)
    throw Error(where + " is " + port_state_name(port.state) + ", not ACTIVE (check the cable / link)");
  s.ethernet = port.link_layer == IBV_LINK_LAYER_ETHERNET;
  s.lid = port.lid;
  s.active_mtu = port.active_mtu;
  s.line_rate_gbps = line_rate_gbps(port.active_speed, port.active_width);
  s.rate_name = rate_name(port.active_speed, port.active_width);
  s.lane_speed_gbps = lane_speed_gbps(port.active_speed);
  s.width_lanes = width_lanes(port.active_width);
  if (request.mtu_bytes) {
    auto mtu = mtu_from_bytes(*request.mtu_bytes);
    if (!mtu) throw UsageError("MTU must be 256, 512, 1024, 2048 or 4096 (got " + std::to_string(*request.mtu_bytes) + ")");
    if (*mtu > port.active_mtu)
      throw UsageError("MTU " + std::to_string(*request.mtu_bytes) + " is above the active MTU of " + where + " (" +
                       std::to_string(mtu_to_bytes(port.active_mtu)) + ")");
    s.mtu = *mtu;
  } else {
    s.mtu = port.active_mtu;
  }
  if (!s.ethernet && s.lid == 0 && !request.gid_index)
    throw Error(where + " has no LID (is a subnet manager running?)");

  const auto table = read_gid_table(d.context(), s.port, port.gid_tbl_len, request.sys_root);
  s.use_grh = s.ethernet || request.gid_index.has_value();
  if (s.use_grh) {
    s.gid = pick_gid(table, s.ethernet, request.gid_index, where);
  } else if (!table.empty()) {
    s.gid = table.front();
  }
  s.numa_node = device_numa_node(s.device, s.gid.netdev, request.sys_root);
  FP_LOG(trace, "verbs") << where << ": GID table: " << describe_gids(table);
  FP_LOG(info, "verbs") << where << ": " << (s.ethernet ? "Ethernet" : "InfiniBand") << ", "
                        << (s.rate_name.empty() ? "rate unknown" : s.rate_name) << " (" << s.line_rate_gbps
                        << " Gb/s), MTU " << mtu_to_bytes(s.mtu) << " (active " << mtu_to_bytes(s.active_mtu)
                        << "), LID " << s.lid << ", NUMA node " << s.numa_node << "; "
                        << (s.use_grh ? "GID " + describe_gid(s.gid) + (request.gid_index ? " (-x)" : " (picked)")
                                      : std::string("no GRH (LID routed)"));
  return d;
}

}  // namespace fabricperf::verbs
