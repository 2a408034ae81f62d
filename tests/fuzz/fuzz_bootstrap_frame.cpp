// Fuzz target: bytes as what a stranger sends the TCP bootstrap's rank 0 before it is trusted
// (a hello frame: header, then a JSON payload of at most 4 KiB), through the same pure functions
// the server uses (decode_hello_frame: wire::decode_header + decode_hello), plus the parsers a
// rank applies to what its peers send later: the packed all_gather reply and host info.
// Refusals (PeerError, Error) are expected; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fabricperf/bootstrap_hello.hpp"
#include "fabricperf/error.hpp"
#include "fabricperf/peer_json.hpp"
#include "fabricperf/run_secret.hpp"
#include "fabricperf/wire.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const auto hello = fabricperf::decode_hello_frame(bytes, "fuzz peer");
    (void)fabricperf::secrets_equal(hello.secret, "0123456789abcdef0123456789abcdef");
    if (hello.protocol == fabricperf::kBootstrapProtocol) (void)fabricperf::encode_hello(hello);
  } catch (const fabricperf::Error&) {
  }
  if (size > fabricperf::wire::kHeaderBytes) {
    try {
      (void)fabricperf::wire::unpack_strings(bytes.substr(fabricperf::wire::kHeaderBytes));
    } catch (const fabricperf::Error&) {
    }
    try {
      (void)fabricperf::parse_peer_host_info(bytes.substr(fabricperf::wire::kHeaderBytes), "fuzz peer").dump();
    } catch (const fabricperf::Error&) {
    }
  }
  return 0;
}
