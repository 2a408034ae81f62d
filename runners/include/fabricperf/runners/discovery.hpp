#pragma once
// Start-up: every rank's fingerprint and its node's topology reach rank 0 (hosts[] and the
// preflight checks come from them); the shape every stage plans with (rails, GPUs, line rate)
// is agreed and sent back to everyone.
#include <nlohmann/json.hpp>

#include "fabricperf/runners/comm.hpp"
#include "fabricperf/runners/plan.hpp"
#include "fabricperf/runners/stage.hpp"

namespace fabricperf::runners {

// This host's topology for the suite: {"gpus": [{gpu, pci, nic, nic_port}], "checks": [...],
// "result": fp_topo's row} or {"error": "why not"}.
[[nodiscard]] nlohmann::json local_topology();

// GPU-NIC pairs out of local_topology()'s JSON.
[[nodiscard]] std::vector<GpuNic> gpus_from_topology(const nlohmann::json& topology);

// Collective. Throws PeerError (a rank did not report) or UsageError (bad verbs.devices).
[[nodiscard]] Discovery discover(Comm& comm, const Plan& plan, bool per_node, double wait_s);

}  // namespace fabricperf::runners
