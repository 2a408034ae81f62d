#include "fabricperf/verbs/rate.hpp"

namespace fabricperf::verbs {

double lane_speed_gbps(unsigned active_speed) noexcept {
  switch (active_speed) {
    case 1: return 2.5;    // SDR
    case 2: return 5.0;    // DDR
    case 4: return 10.0;   // QDR
    case 8: return 10.0;   // FDR10
    case 16: return 14.0;  // FDR
    case 32: return 25.0;  // EDR
    case 64: return 50.0;  // HDR
    case 128: return 100.0;  // NDR
    default: return 0.0;
  }
}

unsigned width_lanes(unsigned active_width) noexcept {
  switch (active_width) {
    case 1: return 1;
    case 2: return 4;
    case 4: return 8;
    case 8: return 12;
    case 16: return 2;
    default: return 0;
  }
}

double line_rate_gbps(unsigned active_speed, unsigned active_width) noexcept {
  return lane_speed_gbps(active_speed) * width_lanes(active_width);
}

std::string rate_name(unsigned active_speed, unsigned active_width) {
  const char* speed = nullptr;
  switch (active_speed) {
    case 1: speed = "SDR"; break;
    case 2: speed = "DDR"; break;
    case 4: speed = "QDR"; break;
    case 8: speed = "FDR10"; break;
    case 16: speed = "FDR"; break;
    case 32: speed = "EDR"; break;
    case 64: speed = "HDR"; break;
    case 128: speed = "NDR"; break;
    default: return "";
  }
  const unsigned lanes = width_lanes(active_width);
  if (lanes == 0) return "";
  return std::to_string(lanes) + "X " + speed;
}

std::optional<ibv_mtu> mtu_from_bytes(int bytes) noexcept {
  switch (bytes) {
    case 256: return IBV_MTU_256;
    case 512: return IBV_MTU_512;
    case 1024: return IBV_MTU_1024;
    case 2048: return IBV_MTU_2048;
    case 4096: return IBV_MTU_4096;
    default: return std::nullopt;
  }
}

int mtu_to_bytes(ibv_mtu mtu) noexcept {
  switch (mtu) {
    case IBV_MTU_256: return 256;
    case IBV_MTU_512: return 512;
    case IBV_MTU_1024: return 1024;
    case IBV_MTU_2048: return 2048;
    case IBV_MTU_4096: return 4096;
    default: return 0;
  }
}

}  // namespace fabricperf::verbs
