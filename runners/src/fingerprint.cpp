#include "fabricperf/runners/fingerprint.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "fabricperf/host_info.hpp"

#ifdef FABRICPERF_HAVE_MPI
#include <mpi.h>
#endif

namespace fabricperf::runners {
namespace fs = std::filesystem;
namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string mpi_library_version() {
#ifdef FABRICPERF_HAVE_MPI
  // Allowed before MPI_Init (MPI 3.0). "Open MPI v4.1.4, package: ..." -> "Open MPI v4.1.4".
  char text[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0;
  if (MPI_Get_library_version(text, &length) != MPI_SUCCESS) return {};
  std::string version(text, static_cast<std::size_t>(std::max(length, 0)));
  const auto cut = version.find_first_of(",\n");
  if (cut != std::string::npos) version.resize(cut);
  while (!version.empty() && (version.back() == ' ' || version.back() == '\0')) version.pop_back();
  return version;
#else
  return {};
#endif
}

// Fixed order: the report reads top-down from OS to NIC.
const std::vector<std::string>& field_order() {
  static const std::vector<std::string> order = {"kernel",
                                                 "os",
                                                 "rdma_core_version",
                                                 "nic_firmware",
                                                 "active_rdma_ports",
                                                 "port_rate_gbps",
                                                 "nvidia_driver",
                                                 "nvidia_peermem",
                                                 "cuda_version",
                                                 "nccl_version",
                                                 "mpi_version"};
  return order;
}

std::string join(const std::set<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

std::string number_text(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

std::string cuda_toolkit_version(const std::string& cuda_root) {
  const std::string json_text = read_all(cuda_root + "/version.json");
  if (!json_text.empty()) {
    const auto doc = nlohmann::json::parse(json_text, nullptr, false);
    if (doc.is_object() && doc.contains("cuda") && doc["cuda"].contains("version") &&
        doc["cuda"]["version"].is_string())
      return doc["cuda"]["version"].get<std::string>();
  }
  std::smatch m;
  const std::string txt = read_all(cuda_root + "/version.txt");  // "CUDA Version 11.0.221"
  static const std::regex txt_re(R"(CUDA Version ([0-9.]+))");
  if (std::regex_search(txt, m, txt_re)) return m[1];
  std::error_code ec;
  const auto target = fs::canonical(cuda_root, ec);
  if (!ec) {
    const std::string name = target.filename().string();  // cuda-13.0
    static const std::regex dir_re(R"(cuda-([0-9]+\.[0-9]+))");
    if (std::regex_match(name, m, dir_re)) return m[1];
  }
  return {};
}

std::string nccl_header_version(const std::vector<std::string>& include_dirs) {
  static const std::regex re(R"(#define\s+NCCL_(MAJOR|MINOR|PATCH)\s+([0-9]+))");
  for (const auto& dir : include_dirs) {
    const std::string text = read_all(dir + "/nccl.h");
    if (text.empty()) continue;
    std::map<std::string, std::string> parts;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
      parts.try_emplace((*it)[1], (*it)[2]);
    if (parts.size() == 3) return parts["MAJOR"] + "." + parts["MINOR"] + "." + parts["PATCH"];
  }
  return {};
}

nlohmann::json collect_suite_fingerprint(const ToolchainRoots& roots) {
  nlohmann::json host = collect_host_info();
  if (auto v = cuda_toolkit_version(roots.cuda); !v.empty()) host["cuda_version"] = v;
  if (auto v = nccl_header_version(roots.nccl_include_dirs); !v.empty()) host["nccl_version"] = v;
  if (auto v = mpi_library_version(); !v.empty()) host["mpi_version"] = v;
  return host;
}

std::map<std::string, std::string> fingerprint_fields(const nlohmann::json& host) {
  std::map<std::string, std::string> fields;
  for (const char* key :
       {"kernel", "os", "rdma_core_version", "nvidia_driver", "cuda_version", "nccl_version", "mpi_version"}) {
    if (host.contains(key) && host[key].is_string() && !host[key].get<std::string>().empty())
      fields[key] = host[key].get<std::string>();
  }
  if (host.value("nvidia_peermem", false))
    fields["nvidia_peermem"] = "loaded";
  else if (fields.contains("nvidia_driver"))
    fields["nvidia_peermem"] = "not loaded";
  if (host.contains("rdma_devices") && host["rdma_devices"].is_array()) {
    std::set<std::string> firmware, rates;
    int active = 0;
    for (const auto& dev : host["rdma_devices"]) {
      if (dev.contains("fw_ver") && dev["fw_ver"].is_string() && !dev["fw_ver"].get<std::string>().empty())
        firmware.insert(dev["fw_ver"].get<std::string>());
      if (!dev.contains("ports") || !dev["ports"].is_array()) continue;
      for (const auto& port : dev["ports"]) {
        if (port.value("state", "").find("ACTIVE") == std::string::npos) continue;
        ++active;
        if (port.contains("rate_gbps") && port["rate_gbps"].is_number())
          rates.insert(number_text(port["rate_gbps"].get<double>()));
      }
    }
    if (!firmware.empty()) fields["nic_firmware"] = join(firmware);
    fields["active_rdma_ports"] = std::to_string(active);
    if (!rates.empty()) fields["port_rate_gbps"] = join(rates);
  }
  return fields;
}

std::vector<FieldVerdict> compare_fingerprints(const std::vector<nlohmann::json>& hosts) {
  std::vector<std::map<std::string, std::string>> flat;
  std::vector<std::string> names;
  std::set<std::string> present;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    flat.push_back(fingerprint_fields(hosts[i]));
    names.push_back(hosts[i].value("hostname", "host " + std::to_string(i)));
    for (const auto& [k, v] : flat.back()) present.insert(k);
  }
  std::vector<FieldVerdict> verdicts;
  for (const auto& field : field_order()) {
    if (!present.contains(field)) continue;
    FieldVerdict verdict;
    verdict.field = field;
    verdict.hosts = hosts.size();
    std::vector<std::string> values;
    std::map<std::string, std::size_t> counts;
    for (const auto& f : flat) {
      auto it = f.find(field);
      values.push_back(it == f.end() ? "(absent)" : it->second);
      ++counts[values.back()];
    }
    std::size_t best = 0, at_best = 0;
    for (const auto& [value, count] : counts) {
      if (count > best) {
        best = count;
        at_best = 1;
        verdict.majority = value;
      } else if (count == best) {
        ++at_best;
      }
    }
    verdict.no_majority = at_best > 1;
    if (verdict.no_majority) verdict.majority.clear();
    verdict.agreeing = verdict.no_majority ? 0 : best;
    if (counts.size() > 1) {
      for (std::size_t i = 0; i < values.size(); ++i)
        if (verdict.no_majority || values[i] != verdict.majority) verdict.differing.emplace_back(names[i], values[i]);
    }
    verdicts.push_back(std::move(verdict));
  }
  return verdicts;
}

Check fingerprint_check(const FieldVerdict& v, CheckStatus mismatch) {
  Check check;
  check.name = "preflight_same_" + v.field;
  check.labels = {{"stage", "preflight"}, {"field", v.field}};
  if (v.differing.empty()) {
    check.status = CheckStatus::pass;
    check.expected = "same on every host";
    check.measured = v.majority;
    check.detail = v.field + " is " + v.majority + " on all " + std::to_string(v.hosts) + " hosts";
    return check;
  }
  check.status = mismatch;
  nlohmann::json differing = nlohmann::json::object();
  std::string list;
  constexpr std::size_t kNamed = 8;
  for (std::size_t i = 0; i < v.differing.size(); ++i) {
    differing[v.differing[i].first] = v.differing[i].second;
    if (i < kNamed) list += (i ? ", " : "") + v.differing[i].first + " " + v.differing[i].second;
  }
  if (v.differing.size() > kNamed) list += ", and " + std::to_string(v.differing.size() - kNamed) + " more";
  check.measured = differing;
  if (v.no_majority) {
    check.expected = "same on every host";
    check.detail = v.field + " differs with no majority: " + list;
  } else {
    check.expected = v.majority;
    check.detail = std::to_string(v.differing.size()) + " of " + std::to_string(v.hosts) + " hosts differ from the " +
                   v.field + " of the other " + std::to_string(v.agreeing) + " (" + v.majority + "): " + list;
  }
  return check;
}

}  // namespace fabricperf::runners
