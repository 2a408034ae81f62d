#pragma once
// fp_gdr: GPUDirect RDMA per GPU-NIC pair, on the fp_bw/fp_lat engines with GPU memory.
namespace fabricperf::gdr {
int main(int argc, char** argv);
}  // namespace fabricperf::gdr
