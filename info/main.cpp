// fp_info: prints this host's fingerprint, the same block every fabricperf document carries in
// hosts[], as a table and optionally as a result document.
#include <iomanip>
#include <iostream>

#include "fabricperf/cli.hpp"
#include "fabricperf/host_info.hpp"
#include "fabricperf/run_output.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Print this host's fingerprint: kernel, rdma-core, RDMA devices and ports, NVIDIA driver", "fp_info"};
  fabricperf::CommonOptions common;
  fabricperf::add_common_options(app, common, /*waits_on_peers=*/false);
  return fabricperf::run_main(app, argc, argv, [&] {
    fabricperf::RunOutput out("fp_info", fabricperf::command_line(argc, argv), common.json_path);
    const auto host = fabricperf::collect_host_info();
    out.add_host(host);
    auto& os = out.human();
    os << "host        " << host["hostname"].get<std::string>() << "\n"
       << "kernel      " << host["kernel"].get<std::string>() << "\n"
       << "os          " << host["os"].get<std::string>() << "\n"
       << "rdma-core   " << host["rdma_core_version"].get<std::string>() << "\n"
       << "nvidia      " << host.value("nvidia_driver", std::string("(no driver)")) << "\n";
    os << std::left << std::setw(12) << "device" << std::setw(6) << "port" << std::setw(10) << "state" << std::setw(12)
       << "link" << std::setw(24) << "rate"
       << "firmware\n";
    for (const auto& dev : host["rdma_devices"]) {
      for (const auto& port : dev["ports"]) {
        os << std::setw(12) << dev["name"].get<std::string>() << std::setw(6) << port["port"].get<int>()
           << std::setw(10) << port["state"].get<std::string>() << std::setw(12)
           << port["link_layer"].get<std::string>() << std::setw(24) << port["rate"].get<std::string>()
           << dev["fw_ver"].get<std::string>() << "\n";
      }
    }
    if (host["rdma_devices"].empty()) os << "(no RDMA devices)\n";
    return out.finish(fabricperf::RunStatus::ok);
  });
}
