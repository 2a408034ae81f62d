#pragma once
// The GPUDirect readiness checks, as core Checks (pass/fail/warn/skip with detail):
//   gpu_nic_one_to_one  every GPU has a dedicated NIC at PIX (the headline)
//   gpu_nic_numa        each GPU and its NIC on the same NUMA node
//   pcie_link           current PCIe speed/width of GPUs and NICs not below their maximum   (live)
//   acs_redirect        no ACS P2P request/completion redirect on switch ports between a GPU
//                       and its NIC (needs root to read extended config space)             (live)
//   nic_ats             ATS capability present and enabled on the NICs GPUs use           (live)
//   peer_memory         nvidia_peermem loaded, or dma-buf possible (kernel, driver, rdma-core) (live)
//   ib_port             RDMA ports ACTIVE; link layer and rate consistent                  (live)
// Live checks report "skip" for file inputs; checks that need a GPU report "skip" without one.
#include <string>
#include <vector>

#include "fabricperf/host_info.hpp"
#include "fabricperf/result_document.hpp"
#include "fabricperf/topology/model.hpp"
#include "fabricperf/topology/pairing.hpp"

namespace fabricperf::topology {

struct CheckOptions {
  bool live = false;              // run the live-only checks (else they skip)
  SystemRoots roots;              // sysfs/procfs roots for them
  std::string boot_dir = "/boot"; // where config-<kernel> lives
};

[[nodiscard]] std::vector<Check> run_checks(const Topology& topo, const Pairing& pairing,
                                            const CheckOptions& options = {});

[[nodiscard]] Check check_gpu_nic_one_to_one(const Topology& topo, const Pairing& pairing);
[[nodiscard]] Check check_gpu_nic_numa(const Topology& topo, const Pairing& pairing);
[[nodiscard]] Check check_pcie_link(const Topology& topo, const CheckOptions& options);
[[nodiscard]] Check check_acs_redirect(const Topology& topo, const Pairing& pairing, const CheckOptions& options);
[[nodiscard]] Check check_nic_ats(const Topology& topo, const Pairing& pairing, const CheckOptions& options);
[[nodiscard]] Check check_peer_memory(const Topology& topo, const CheckOptions& options);
[[nodiscard]] Check check_ib_port(const Topology& topo, const Pairing& pairing, const CheckOptions& options);

}  // namespace fabricperf::topology
