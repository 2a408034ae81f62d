#include "fabricperf/bootstrap_hello.hpp"

#include <nlohmann/json.hpp>

#include "fabricperf/error.hpp"
#include "fabricperf/input_file.hpp"
#include "fabricperf/run_secret.hpp"

namespace fabricperf {
namespace {

std::string bounded_string(const nlohmann::json& hello, const char* key, std::size_t cap, const std::string& peer) {
  const auto it = hello.find(key);
  if (it == hello.end() || !it->is_string())
    throw PeerError(peer, peer + " sent a hello without the string \"" + key + "\"");
  const auto& text = it->get_ref<const std::string&>();
  if (text.size() > cap)
    throw PeerError(peer, peer + " sent a hello whose \"" + key + "\" is over " + std::to_string(cap) + " bytes");
  return text;
}

}  // namespace

std::string encode_hello(const Hello& hello) {
  if (hello.run.size() > kMaxRunDescriptionBytes)
    throw Error("the run description is over " + std::to_string(kMaxRunDescriptionBytes) +
                " bytes (too many options?)");
  if (hello.secret.size() > kMaxSecretBytes) throw UsageError("--token/FABRICPERF_TOKEN is too long");
  const nlohmann::json j = {{"protocol", hello.protocol},
                            {"run", hello.run},
                            {"secret", hello.secret},
                            {"host", hello.host.substr(0, kMaxHostnameBytes)}};
  std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > kMaxHelloBytes)
    throw Error("the bootstrap hello is over " + std::to_string(kMaxHelloBytes) + " bytes");
  return text;
}

Hello decode_hello(std::string_view payload, const std::string& peer) {
  if (payload.size() > kMaxHelloBytes) throw PeerError(peer, peer + " sent an oversized hello");
  nlohmann::json j;
  try {
    j = parse_json_bounded(payload, "hello", 1);
  } catch (const Error& e) {
    throw PeerError(peer, peer + " sent a malformed hello: " + e.what());
  }
  if (!j.is_object()) throw PeerError(peer, peer + " sent a hello that is not a JSON object");
  const auto protocol = j.find("protocol");
  if (protocol == j.end() || !protocol->is_number_integer())
    throw PeerError(peer, peer + " sent a hello without an integer \"protocol\"");
  Hello hello;
  const auto version = protocol->get<std::int64_t>();
  if (version != kBootstrapProtocol) {
    hello.protocol = version > 0 && version < 1000 ? static_cast<int>(version) : -1;
    return hello;
  }
  hello.run = bounded_string(j, "run", kMaxRunDescriptionBytes, peer);
  hello.secret = bounded_string(j, "secret", kMaxSecretBytes, peer);
  hello.host = bounded_string(j, "host", kMaxHostnameBytes, peer);
  if (j.size() != 4) throw PeerError(peer, peer + " sent a hello with unknown fields");
  return hello;
}

Hello decode_hello_frame(std::string_view frame, const std::string& peer) {
  if (frame.size() < wire::kHeaderBytes) throw PeerError(peer, peer + " sent a truncated hello");
  const auto header = wire::decode_header(frame.substr(0, wire::kHeaderBytes), kMaxHelloBytes, peer);
  if (header.type != wire::FrameType::hello) throw PeerError(peer, peer + " did not start with a hello");
  if (frame.size() - wire::kHeaderBytes != header.length)
    throw PeerError(peer, peer + " sent a hello whose length does not match its header");
  return decode_hello(frame.substr(wire::kHeaderBytes), peer);
}

}  // namespace fabricperf
