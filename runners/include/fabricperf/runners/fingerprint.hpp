#pragma once
// Preflight fingerprints: core's collect_host_info() plus the CUDA, NCCL and MPI versions the
// suite runs with, flattened to comparable fields, and each field compared across hosts so the
// hosts that differ from the majority are named (one check per field).
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fabricperf/result_document.hpp"

namespace fabricperf::runners {

struct ToolchainRoots {
  std::string cuda = "/usr/local/cuda";  // version.json / version.txt / cuda-X.Y link target
  std::vector<std::string> nccl_include_dirs = {"/usr/local/cuda/include", "/usr/include"};
};

// collect_host_info() plus "cuda_version", "nccl_version", "mpi_version" where found.
[[nodiscard]] nlohmann::json collect_suite_fingerprint(const ToolchainRoots& roots = {});

// Version of the CUDA toolkit under `cuda_root` ("13.0.88", or "13.0" from a cuda-13.0 link); "".
[[nodiscard]] std::string cuda_toolkit_version(const std::string& cuda_root);
// "2.28.9" from NCCL_MAJOR/MINOR/PATCH in the first nccl.h found; "".
[[nodiscard]] std::string nccl_header_version(const std::vector<std::string>& include_dirs);

// The fields compared across hosts, from one host's fingerprint. Absent values are absent keys.
// kernel, os, rdma_core_version, nvidia_driver, nvidia_peermem, cuda_version, nccl_version,
// mpi_version, nic_firmware (distinct fw_ver of the host's devices, sorted, comma-joined),
// active_rdma_ports (count), port_rate_gbps (distinct rates of active ports, sorted).
[[nodiscard]] std::map<std::string, std::string> fingerprint_fields(const nlohmann::json& host);

struct FieldVerdict {
  std::string field;
  std::string majority;                                        // the most common value ("" when there is no single one)
  std::size_t hosts = 0;                                       // hosts compared
  std::size_t agreeing = 0;                                    // hosts with the majority value
  bool no_majority = false;                                    // a tie at the top (e.g. 1 vs 1)
  std::vector<std::pair<std::string, std::string>> differing;  // (host, its value), host order
};

// One verdict per field present on at least one host, in a fixed field order. A host missing a
// field that others have counts as the value "(absent)".
[[nodiscard]] std::vector<FieldVerdict> compare_fingerprints(const std::vector<nlohmann::json>& hosts);

// The check for one verdict: "preflight_same_<field>", pass when every host agrees, else
// `mismatch` (fail or warn) naming the hosts that differ and their values.
[[nodiscard]] Check fingerprint_check(const FieldVerdict& verdict, CheckStatus mismatch);

}  // namespace fabricperf::runners
