#pragma once
// Peer comparison: a NIC, link, node or rank whose value is a robust outlier among its peers
// (median absolute deviation) and worse than the median is flagged, so one slow cable among
// thousands of links is named without reading the rows.
//
// x is flagged when |x - median| > k * 1.4826 * MAD (1.4826 * MAD estimates the standard
// deviation of normal data) AND x is on the bad side of the median AND the deviation is at least
// min_deviation_pct of the median (so a perfectly uniform fabric with MAD ~ 0 does not turn
// 0.1 % wiggles into findings).
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace fabricperf::runners {

enum class Better { higher, lower };  // bandwidth: higher is better; latency: lower is better

struct OutlierOptions {
  double k = 5.0;                  // robust z-score threshold
  double min_deviation_pct = 5.0;  // ignore deviations smaller than this share of the median
  std::size_t min_samples = 5;     // fewer peers than this: no judgement (see OutlierReport)
};

struct Sample {
  std::string label;  // "node3 rail 2 <-> node9 rail 2", "node3/mlx5_2", "rank 17 on node5"
  double value = 0;
};

struct Outlier {
  std::size_t index = 0;  // into the samples
  std::string label;
  double value = 0;
  double robust_z = 0;       // (x - median) / (1.4826 * MAD), signed; +-inf when MAD is 0
  double deviation_pct = 0;  // (x - median) / median * 100, signed
};

struct OutlierReport {
  bool judged = false;  // false when there were fewer than min_samples samples
  std::size_t samples = 0;
  double median = 0;
  double mad = 0;                 // raw median absolute deviation
  double threshold = 0;           // the value beyond which a sample is flagged (on the bad side)
  std::vector<Outlier> outliers;  // worst first
};

// Median of the values (average of the middle two for an even count); 0 for none.
[[nodiscard]] double median_of(std::vector<double> values);

[[nodiscard]] OutlierReport find_outliers(std::span<const Sample> samples, Better better,
                                          const OutlierOptions& options = {});

// Median of each group's values: for rolling link values up to NICs or nodes. Groups are given
// as (group label, value) samples; the result holds one sample per distinct label, in order of
// first appearance.
[[nodiscard]] std::vector<Sample> group_medians(std::span<const Sample> samples);

}  // namespace fabricperf::runners
