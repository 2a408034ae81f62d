#pragma once
// Everything fp_gdr learns about this host before it touches the network: whether CUDA is
// usable, the GPUs as CUDA numbers them, the pairing with NICs from the topology library, and
// per pair the GPUDirect capability facts (including the ACS/ATS hint from fp_topo's checks).
#include <optional>
#include <string>
#include <vector>

#include "fabricperf/gdr/capabilities.hpp"
#include "fabricperf/gdr/memory_kind.hpp"
#include "fabricperf/gdr/pairing.hpp"
#include "fabricperf/result_document.hpp"

namespace fabricperf::gdr {

// "cuda_device" check and one-line message when `kind` needs CUDA and CUDA is not usable;
// nullopt otherwise. `caps` comes from cuda::fill_capabilities.
struct CudaUnavailable {
  std::string message;  // "--mem cuda needs a CUDA GPU: no CUDA device: no CUDA driver (...); install ..."
  Check check;
};
[[nodiscard]] std::optional<CudaUnavailable> check_cuda_usable(MemoryKind kind, const GpuCapabilities& caps);

// The GPUs CUDA sees (ordinal, name, PCI address).
[[nodiscard]] std::vector<GpuIdentity> list_gpus();

struct HostPlan {
  std::vector<GpuNicPair> pairs;
  std::vector<std::string> topology_hints;  // per pair: ACS/ATS problems on its path ("" none)
  std::vector<std::string> warnings;        // e.g. the topology could not be read (with -d given)
};
// Live topology (hwloc + sysfs) -> pairing -> the pairs for `request`. With -d the topology is
// optional (paths then unknown); without it a topology failure is an Error.
[[nodiscard]] HostPlan plan_pairs(const std::vector<GpuIdentity>& gpus, const PairRequest& request);

// Facts for registering memory of `gpu` with `nic`: system facts, CUDA attributes, the NIC's
// dma-buf support (probed by opening it) and the topology hint.
[[nodiscard]] GpuCapabilities probe_capabilities(int gpu, const std::string& nic, const std::string& topology_hint);

}  // namespace fabricperf::gdr
