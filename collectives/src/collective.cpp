#include "fabricperf/collectives/collective.hpp"

#include <algorithm>
#include <string>

#include "fabricperf/collectives/types.hpp"
#include "fabricperf/error.hpp"

namespace fabricperf::collectives {

std::string_view to_string(Collective coll) noexcept {
  switch (coll) {
    case Collective::all_reduce: return "all_reduce";
    case Collective::all_gather: return "all_gather";
    case Collective::reduce_scatter: return "reduce_scatter";
    case Collective::alltoall: return "alltoall";
    case Collective::broadcast: return "broadcast";
    case Collective::reduce: return "reduce";
    case Collective::sendrecv: return "sendrecv";
    case Collective::gather: return "gather";
    case Collective::scatter: return "scatter";
  }
  return "?";
}

Collective parse_collective(std::string_view text) {
  std::string key;
  for (const char c : text) {
    if (c == '-' || c == '_') continue;
    key += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  for (const Collective coll : kAllCollectives) {
    std::string name;
    for (const char c : to_string(coll))
      if (c != '_') name += c;
    if (name == key) return coll;
  }
  if (key == "bcast") return Collective::broadcast;
  if (key == "alltoallv" || key == "a2a") return Collective::alltoall;
  std::string names;
  for (const Collective coll : kAllCollectives) names += (names.empty() ? "" : ", ") + std::string(to_string(coll));
  throw UsageError("unknown collective '" + std::string(text) + "' (use " + names + " or all)");
}

std::vector<Collective> parse_collectives(std::string_view text) {
  if (text == "all") return {std::begin(kAllCollectives), std::end(kAllCollectives)};
  std::vector<Collective> out;
  for (const auto& item : split_list(text)) {
    const Collective coll = parse_collective(item);
    if (std::find(out.begin(), out.end(), coll) == out.end()) out.push_back(coll);
  }
  if (out.empty()) throw UsageError("empty collective list '" + std::string(text) + "'");
  return out;
}

bool uses_reduction(Collective coll) noexcept {
  return coll == Collective::all_reduce || coll == Collective::reduce_scatter || coll == Collective::reduce;
}

bool is_rooted(Collective coll) noexcept {
  return coll == Collective::broadcast || coll == Collective::reduce || coll == Collective::gather ||
         coll == Collective::scatter;
}

CollShape coll_shape(Collective coll, std::uint64_t bytes, std::size_t element_bytes, int nranks) {
  const std::size_t n = static_cast<std::size_t>(std::max(nranks, 1));
  const std::size_t count = static_cast<std::size_t>(bytes / element_bytes);
  const std::size_t align_mask = ~(16 / element_bytes - 1);
  const std::size_t base = (count / n) & align_mask;
  CollShape s;
  s.element_bytes = element_bytes;
  switch (coll) {
    case Collective::all_reduce:
    case Collective::broadcast:
    case Collective::reduce:
    case Collective::sendrecv:
      s.send_count = s.recv_count = s.param_count = count;
      break;
    case Collective::all_gather:
    case Collective::gather:  // every rank's block lands in the receive buffer (gather: the root's)
      s.send_count = base;
      s.recv_count = base * n;
      s.param_count = base;
      s.send_inplace_offset = base;
      break;
    case Collective::reduce_scatter:
    case Collective::scatter:  // each rank receives its own block of one n-block buffer
      s.send_count = base * n;
      s.recv_count = base;
      s.param_count = base;
      s.recv_inplace_offset = base;
      break;
    case Collective::alltoall:
      s.param_count = base;
      s.send_count = s.recv_count = base * n;
      break;
  }
  return s;
}

double bus_factor(Collective coll, int nranks) noexcept {
  const double n = nranks;
  switch (coll) {
    case Collective::all_reduce: return 2.0 * (n - 1) / n;
    case Collective::all_gather:
    case Collective::reduce_scatter:
    case Collective::alltoall:
    case Collective::gather:
    case Collective::scatter: return (n - 1) / n;
    case Collective::broadcast:
    case Collective::reduce:
    case Collective::sendrecv: return 1.0;
  }
  return 1.0;
}

Bandwidth bandwidth(Collective coll, std::uint64_t size_bytes, double seconds, int nranks) noexcept {
  Bandwidth bw;
  if (seconds <= 0) return bw;
  bw.algbw_GBps = static_cast<double>(size_bytes) / 1.0e9 / seconds;
  bw.busbw_GBps = bw.algbw_GBps * bus_factor(coll, nranks);
  return bw;
}

bool in_place_result_defined(Collective coll, bool backend_copies_in_place) noexcept {
  if (coll == Collective::alltoall || coll == Collective::sendrecv) return backend_copies_in_place;
  return true;
}

}  // namespace fabricperf::collectives
