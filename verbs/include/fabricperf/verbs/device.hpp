#pragma once
// Device, port, GID and MTU selection (perftest's -d -i -x -m), and the opened device.
#include <infiniband/verbs.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fabricperf/verbs/gid.hpp"
#include "fabricperf/verbs/handles.hpp"

namespace fabricperf::verbs {

struct DeviceRequest {
  std::string name;                 // "" = the first device
  int port = 1;                     // -i
  std::optional<int> gid_index;     // -x; unset = auto-pick (RoCE v2, IPv4-mapped)
  std::optional<int> mtu_bytes;     // -m; unset = the port's active MTU
  std::string sys_root = "/sys";    // for sysfs fallbacks (GID types, NUMA node)
  bool rdma_cm = false;             // use librdmacm's context (QPs connected with rdma_cm, -R)
};

// What was chosen, ready for connection setup and for the result document's params.
struct PortSelection {
  std::string device;
  int port = 1;
  bool ethernet = false;            // RoCE: a GRH is required
  bool use_grh = false;             // Ethernet, or -x given on InfiniBand
  std::uint16_t lid = 0;
  GidEntry gid;
  ibv_mtu mtu = IBV_MTU_1024;       // the MTU the QPs use
  ibv_mtu active_mtu = IBV_MTU_1024;
  double line_rate_gbps = 0;        // active speed x width; 0 when unknown
  std::string rate_name;            // "4X EDR"
  double lane_speed_gbps = 0;       // active speed per lane; 0 when unknown
  unsigned width_lanes = 0;         // active width in lanes; 0 when unknown
  int numa_node = -1;               // -1 when unknown (virtual devices)
  std::uint32_t max_inline_hint = 0;
  std::uint64_t max_mr_size = 0;
  std::uint64_t max_msg_sz = 0;  // ibv_port_attr.max_msg_sz (0 when unknown)
  int max_qp_wr = 0;
  int max_cqe = 0;
  int max_rd_atomic = 16;           // min(max_qp_rd_atom, max_qp_init_rd_atom)

  [[nodiscard]] nlohmann::json to_json() const;
};

// The opened device with its selected port.
class Device {
 public:
  [[nodiscard]] ibv_context* context() const noexcept { return ctx_.get(); }
  [[nodiscard]] const PortSelection& selection() const noexcept { return sel_; }

 private:
  friend Device open_device(const DeviceRequest& request);
  std::shared_ptr<ibv_context*> cm_devices_;  // rdma_get_devices list kept alive (-R)
  Context ctx_;
  PortSelection sel_;
};

// Opens the device and selects port, GID and MTU. UsageError (exit 2, one line) for an
// unknown device (the message lists the available ones), a bad port, GID index or MTU;
// Error for a port that is not ACTIVE or no RDMA devices at all.
[[nodiscard]] Device open_device(const DeviceRequest& request);

// Names of the RDMA devices present, in ibv_get_device_list order.
[[nodiscard]] std::vector<std::string> available_devices();

// Reads the GID table of an open device (ibv_query_gid_ex; sysfs for types when that fails).
[[nodiscard]] std::vector<GidEntry> read_gid_table(ibv_context* ctx, int port, int table_len,
                                                   const std::string& sys_root);

// Splits "-d mlx5_0,mlx5_1" into names (empty entries rejected with UsageError).
[[nodiscard]] std::vector<std::string> split_device_list(const std::string& text);

}  // namespace fabricperf::verbs
