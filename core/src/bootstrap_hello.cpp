#include "fabricperf/bootstrap_hello.hpp"

#include <algorithm>
#include <utility>
#include <vector>

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

namespace {
// "tool k1=v1 k2=v2" -> tool and the key -> value pairs, in order.
std::vector<std::pair<std::string, std::string>> run_words(std::string_view run) {
  std::vector<std::pair<std::string, std::string>> words;
  std::size_t at = 0;
  while (at < run.size()) {
    const std::size_t end = std::min(run.find(' ', at), run.size());
    const std::string_view word = run.substr(at, end - at);
    const std::size_t eq = word.find('=');
    if (!word.empty()) {
      if (eq == std::string_view::npos)
        words.emplace_back(std::string(word), std::string());
      else
        words.emplace_back(std::string(word.substr(0, eq)), std::string(word.substr(eq + 1)));
    }
    at = end + 1;
  }
  return words;
}
}  // namespace

std::string run_difference(std::string_view server, std::string_view client) {
  if (server == client) return "";
  const auto mine = run_words(server);
  const auto theirs = run_words(client);
  if (mine.empty() || theirs.empty() || mine.front().first != theirs.front().first)
    return "the tool differs: server '" + (mine.empty() ? std::string() : mine.front().first) + "', client '" +
           (theirs.empty() ? std::string() : theirs.front().first) + "'";
  std::string out;
  const auto value_of = [](const auto& words, const std::string& key) -> std::string {
    for (const auto& [k, v] : words)
      if (k == key) return v;
    return "(not given)";
  };
  std::vector<std::string> keys;
  for (const auto& list : {mine, theirs})
    for (std::size_t i = 1; i < list.size(); ++i)
      if (std::find(keys.begin(), keys.end(), list[i].first) == keys.end()) keys.push_back(list[i].first);
  for (const auto& key : keys) {
    const std::string a = value_of(mine, key), b = value_of(theirs, key);
    if (a != b) out += (out.empty() ? "" : "; ") + key + ": server " + a + ", client " + b;
  }
  return out.empty() ? "the run descriptions differ" : out;
}

}  // namespace fabricperf
