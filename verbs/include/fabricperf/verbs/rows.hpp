#pragma once
// The measurement rows every verbs consumer writes: fp_bw, fp_lat, fp_gdr and fp_suite's link
// stages. One type per row kind, one function that turns a measurement into it, one to_json
// spelling of the field vocabulary (results/README.md "Field vocabulary and units"), so a
// quantity two tools report is computed once.
//
// Arithmetic every bandwidth row obeys: bytes = messages * size_bytes, bw_avg_gbps =
// bytes * 8 / duration_s / 1e9, msg_rate_mpps = messages / duration_s / 1e6,
// iterations = the initiator's messages per QP.
//
// Windowed bandwidth (windows.hpp): bw_window_ms, bw_windows (full windows), bw_min_gbps and
// bw_cv and bw_min_at_s (start of the slowest window; all three null with fewer than two full
// windows, so every row of a run has the same fields). With
// -b the row's minimum is the sum of both directions' minima, bw_cv and bw_min_at_s null: the two
// sides' windows are timed on two hosts' clocks, so their per-window sum is not known; the sum of the
// minima is a lower bound of it (never a flattering one).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fabricperf/stats.hpp"
#include "fabricperf/verbs/bandwidth_engine.hpp"
#include "fabricperf/verbs/device.hpp"
#include "fabricperf/verbs/latency_engine.hpp"
#include "fabricperf/verbs/metrics.hpp"
#include "fabricperf/verbs/validation.hpp"

namespace fabricperf::verbs {

// One side's bandwidth measurement on one device for one run, as gathered between ranks.
struct LaneMeasurement {
  std::string host;
  int rank = 0;
  std::string device;
  int port = 1;
  double line_rate_gbps = 0;
  bool transmitted = false;
  BandwidthFigures tx;
  WindowFigures windows;  // of tx
  std::uint64_t posted = 0, received = 0, peer_sent = 0;
  ValidationOutcome validation;

  [[nodiscard]] static LaneMeasurement of(const BandwidthResult& result, const std::string& host, int rank,
                                          const PortSelection& port);
  [[nodiscard]] nlohmann::json to_json() const;
  // Range-checked: a peer's message (PeerError naming `from` on a malformed one).
  [[nodiscard]] static LaneMeasurement from_json(const nlohmann::json& j, const std::string& from = "the peer");
};

// Who measured what: the same fields on every verbs row.
struct RowIdentity {
  std::string host, peer_host;
  int rank = 0, peer_rank = 0;
  std::string device, peer_device;
  int port = 1;
  std::optional<std::size_t> pair;  // fp_bw/fp_lat/fp_gdr: index of the rank pair
  std::string op;
  std::uint64_t size_bytes = 0;
  std::uint32_t qps = 1;
  bool bidirectional = false;

  void write(nlohmann::json& row) const;
  [[nodiscard]] static RowIdentity read(const nlohmann::json& row);
};

struct BwRow {
  RowIdentity id;
  std::uint64_t iterations = 0;  // the initiator's messages per QP (perftest's #iterations)
  std::uint64_t messages = 0;    // all QPs, both directions with bidirectional
  std::uint64_t bytes = 0;
  double duration_s = 0;  // first post -> last completion (the longer direction)
  double bw_avg_gbps = 0;
  double bw_peak_gbps = 0;
  double msg_rate_mpps = 0;
  double line_rate_gbps = 0;          // the slower end's; 0 unknown
  double window_ms = 0;               // bw_window_ms; 0: no windows recorded (the window fields are left out)
  std::uint64_t windows = 0;          // bw_windows: full windows (with -b: the fewer of both directions)
  std::optional<double> bw_min_gbps;  // the slowest full window; >= 2 full windows
  std::optional<double> bw_min_at_s;  // its start after the measurement's start (one direction only)
  std::optional<double> bw_cv;        // stdev / mean of the window rates; >= 2 full windows, one direction
  std::optional<std::uint64_t> received_messages;
  std::optional<ValidationOutcome> validation;

  [[nodiscard]] std::optional<double> line_rate_pct() const noexcept;
  [[nodiscard]] nlohmann::json to_json() const;
  // The window fields are range-checked (Error naming the field); older rows without them read.
  [[nodiscard]] static BwRow from_json(const nlohmann::json& row);
};

// The row of one device of one pair: the initiator's transmit figures (plus the target's with
// id.bidirectional), host/rank/device/port identity from the lanes, validation of both sides.
[[nodiscard]] BwRow make_bw_row(RowIdentity id, const LaneMeasurement& initiator, const LaneMeasurement& target);

// Several rows of one size run at the same time: {"aggregate": true, "devices": [...], sums of
// messages, bytes, bw and message rate, the longest duration_s, line rate over summed rates}.
// Windows: the members ran on different devices (and, in the suite, hosts) with windows that
// start at different ticks, so they are not summed window by window: bw_min_gbps is the sum of
// the members' minima (a lower bound of the slowest summed window; null unless every member has
// one and all use the same window), bw_windows the fewest, bw_cv left out.
[[nodiscard]] nlohmann::json aggregate_row(const std::vector<BwRow>& rows);

struct LatRow {
  RowIdentity id;
  Summary summary;              // microseconds; count = iterations
  nlohmann::json histogram;     // {"le", "count"} buckets in microseconds
  bool half_round_trip = true;  // write/send ping-pong; read/atomic: a full round trip
  std::optional<ValidationOutcome> validation;

  [[nodiscard]] nlohmann::json to_json() const;
  [[nodiscard]] static LatRow from_json(const nlohmann::json& row);
};

// From an engine's result: exact samples (iteration mode) or its histogram (duration mode).
[[nodiscard]] LatRow make_lat_row(RowIdentity id, const LatencyResult& result);

}  // namespace fabricperf::verbs
