#pragma once
// fp_lat: perftest-compatible RDMA latency (ib_write_lat / ib_send_lat / ib_read_lat /
// ib_atomic_lat in one).
namespace fabricperf::latency {
int main(int argc, char** argv);
}  // namespace fabricperf::latency
