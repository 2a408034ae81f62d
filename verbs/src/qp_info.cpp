#include "fabricperf/verbs/qp_info.hpp"

#include <cstring>

#include "fabricperf/error.hpp"
#include "fabricperf/wire.hpp"

namespace fabricperf::verbs {
namespace {

constexpr std::uint32_t kMagic = 0x31515046;  // "FPQ1"
constexpr std::uint16_t kVersion = 2;
constexpr std::size_t kQpRecord = 4 + 4 + 2 + 16 + 1 + 4 + 8 + 8 + 1;
constexpr std::size_t kMaxName = 64;

class Writer {
 public:
  template <typename T>
  void put(T v) {
    for (std::size_t i = 0; i < sizeof(T); ++i) out_.push_back(static_cast<char>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xff));
  }
  void bytes(const void* p, std::size_t n) { out_.append(static_cast<const char*>(p), n); }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <typename T>
  T get() {
    need(sizeof(T));
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in_[pos_ + i])) << (8 * i);
    pos_ += sizeof(T);
    return static_cast<T>(v);
  }
  void bytes(void* p, std::size_t n) {
    need(n);
    std::memcpy(p, in_.data() + pos_, n);
    pos_ += n;
  }
  [[nodiscard]] std::size_t left() const { return in_.size() - pos_; }

 private:
  void need(std::size_t n) const {
    if (in_.size() - pos_ < n) throw Error("malformed QP info: truncated (" + std::to_string(in_.size()) + " bytes)");
  }
  std::string_view in_;
  std::size_t pos_ = 0;
};

void put_qp(Writer& w, const QpInfo& q) {
  w.put(q.qpn);
  w.put(q.psn);
  w.put(q.lid);
  w.bytes(q.gid.data(), q.gid.size());
  w.put(q.mtu);
  w.put(q.rkey);
  w.put(q.addr);
  w.put(q.length);
  w.put(q.rd_atomic);
}

QpInfo get_qp(Reader& r, const char* which) {
  QpInfo q;
  q.qpn = r.get<std::uint32_t>();
  q.psn = r.get<std::uint32_t>();
  q.lid = r.get<std::uint16_t>();
  r.bytes(q.gid.data(), q.gid.size());
  q.mtu = r.get<std::uint8_t>();
  q.rkey = r.get<std::uint32_t>();
  q.addr = r.get<std::uint64_t>();
  q.length = r.get<std::uint64_t>();
  q.rd_atomic = r.get<std::uint8_t>();
  const std::string what = std::string("malformed QP info: ") + which;
  if (q.qpn == 0 || q.qpn > 0xffffff) throw Error(what + " QP number " + std::to_string(q.qpn) + " out of range");
  if (q.psn > 0xffffff) throw Error(what + " PSN " + std::to_string(q.psn) + " out of range");
  if (q.mtu < IBV_MTU_256 || q.mtu > IBV_MTU_4096) throw Error(what + " MTU code " + std::to_string(q.mtu) + " invalid");
  if (q.length != 0 && q.addr + q.length < q.addr) throw Error(what + " buffer range wraps around");
  return q;
}

}  // namespace

std::string serialize(const EndpointInfo& info) {
  if (info.data.empty() || info.data.size() > kMaxQpsPerEndpoint)
    throw Error("cannot serialize an endpoint with " + std::to_string(info.data.size()) + " QPs");
  if (info.device.size() > kMaxName) throw Error("device name too long: " + info.device);
  Writer w;
  w.put(kMagic);
  w.put(kVersion);
  w.put(static_cast<std::uint16_t>(info.data.size()));
  w.put(static_cast<std::uint8_t>(info.device.size()));
  w.bytes(info.device.data(), info.device.size());
  put_qp(w, info.control);
  for (const auto& q : info.data) put_qp(w, q);
  return w.take();
}

EndpointInfo parse_endpoint_info(std::string_view bytes) {
  Reader r(bytes);
  if (r.get<std::uint32_t>() != kMagic) throw Error("malformed QP info: bad magic (not a fabricperf peer?)");
  if (const auto v = r.get<std::uint16_t>(); v != kVersion)
    throw Error("malformed QP info: version " + std::to_string(v) + " (this build speaks " + std::to_string(kVersion) + ")");
  const auto nqps = r.get<std::uint16_t>();
  if (nqps == 0 || nqps > kMaxQpsPerEndpoint) throw Error("malformed QP info: " + std::to_string(nqps) + " QPs");
  const auto name_len = r.get<std::uint8_t>();
  if (name_len > kMaxName) throw Error("malformed QP info: device name of " + std::to_string(name_len) + " bytes");
  EndpointInfo info;
  info.device.resize(name_len);
  r.bytes(info.device.data(), name_len);
  for (char c : info.device)
    if (c < 0x21 || c > 0x7e) throw Error("malformed QP info: unprintable device name");
  if (r.left() != kQpRecord * (1U + nqps))
    throw Error("malformed QP info: " + std::to_string(r.left()) + " bytes of QP records for " + std::to_string(nqps) + " QPs");
  info.control = get_qp(r, "control QP");
  info.data.reserve(nqps);
  for (unsigned i = 0; i < nqps; ++i) info.data.push_back(get_qp(r, "data QP"));
  return info;
}

std::string serialize(const std::vector<EndpointInfo>& infos) {
  std::vector<std::string> parts;
  parts.reserve(infos.size());
  for (const auto& i : infos) parts.push_back(serialize(i));
  return wire::pack_strings(parts);
}

std::vector<EndpointInfo> parse_endpoint_infos(std::string_view bytes) {
  std::vector<std::string> parts;
  try {
    parts = wire::unpack_strings(bytes);
  } catch (const std::exception& e) {
    throw Error(std::string("malformed QP info: ") + e.what());
  }
  std::vector<EndpointInfo> out;
  out.reserve(parts.size());
  for (const auto& p : parts) out.push_back(parse_endpoint_info(p));
  return out;
}

}  // namespace fabricperf::verbs
