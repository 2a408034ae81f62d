#pragma once
// fp_bw: perftest-compatible RDMA bandwidth (ib_write_bw / ib_read_bw / ib_send_bw in one).
namespace fabricperf::bw {
int main(int argc, char** argv);
}  // namespace fabricperf::bw
