#pragma once
// Internal to fpresults: the colour key under the node-pair heat map. Its texts and widths are
// decided here (not in the page script) so that a unit test can hold the layout to "no label
// over another, nothing past the picture's edge" for any values.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace fabricperf::results::detail {

// Width of `text` in px at `font_px`, from above: every character as wide as a wide digit
// (0.62 em; the page's sans-serif digits are 0.55 em), counted in UTF-8 code points.
[[nodiscard]] double text_width_px(std::string_view text, double font_px);

// As the page script writes numbers: 0.076, 0.13, 1.5, 12.3, 250.
[[nodiscard]] std::string short_number(double v);

struct HeatmapKey {
  std::string low, high, axis;  // "≤ 0.076 Gbit/s", "0.13 Gbit/s", "host (rows) → peer host (columns)"
  double width = 0;             // the colour bar; the low label under its left end, the high under its right
  double span = 0;              // what the key needs from its left edge: bar, labels and axis text
};

inline constexpr double kKeyFontPx = 11;
inline constexpr double kKeyLabelGap = 16;

// `vmax`: the best pair; the bar runs from 60 % of it to it. `grid_width`: cells x cell size.
[[nodiscard]] HeatmapKey heatmap_key(double vmax, const std::string& unit, const std::string& row_label,
                                     const std::string& col_label, double grid_width);

[[nodiscard]] nlohmann::json to_json(const HeatmapKey& key);

}  // namespace fabricperf::results::detail
