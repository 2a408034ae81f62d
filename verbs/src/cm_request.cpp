#include "fabricperf/verbs/cm_request.hpp"

#include <cstring>
#include <string_view>

#include "fabricperf/error.hpp"
#include "fabricperf/run_secret.hpp"

namespace fabricperf::verbs {

ConnectRequestData connect_request_data(std::uint32_t index, const std::string& key) {
  ConnectRequestData data;
  if (key.size() != data.key.size()) throw Error("rdma_cm: the listener's key is not 32 characters");
  data.index = index;
  std::memcpy(data.key.data(), key.data(), data.key.size());
  return data;
}

std::optional<std::uint32_t> authenticated_request_index(const rdma_cm_event& event, const std::string& key) {
  ConnectRequestData data;
  if (event.param.conn.private_data == nullptr || event.param.conn.private_data_len < sizeof data) return std::nullopt;
  std::memcpy(&data, event.param.conn.private_data, sizeof data);
  if (!secrets_equal(std::string_view(data.key.data(), data.key.size()), key)) return std::nullopt;
  return data.index;
}

}  // namespace fabricperf::verbs
