#include "heatmap_key.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace fabricperf::results::detail {

double text_width_px(std::string_view text, double font_px) {
  std::size_t code_points = 0;
  for (const char c : text)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++code_points;
  return static_cast<double>(code_points) * 0.62 * font_px;
}

std::string short_number(double v) {
  const double a = std::fabs(v);
  char buffer[64];
  if (a == 0 || !std::isfinite(v)) return a == 0 ? "0" : "?";
  if (a >= 100)
    std::snprintf(buffer, sizeof buffer, "%.0f", v);
  else if (a >= 10)
    std::snprintf(buffer, sizeof buffer, "%.1f", v);
  else if (a >= 1)
    std::snprintf(buffer, sizeof buffer, "%.2f", v);
  else
    std::snprintf(buffer, sizeof buffer, "%.2g", v);
  return buffer;
}

HeatmapKey heatmap_key(double vmax, const std::string& unit, const std::string& row_label, const std::string& col_label,
                       double grid_width) {
  HeatmapKey k;
  k.low = "\u2264 " + short_number(0.6 * vmax) + " " + unit;
  k.high = short_number(vmax) + " " + unit;
  k.axis = row_label + " (rows) \u2192 " + col_label + " (columns)";
  const double labels = text_width_px(k.low, kKeyFontPx) + kKeyLabelGap + text_width_px(k.high, kKeyFontPx);
  k.width = std::max(std::min(240.0, grid_width), labels);
  k.span = std::max(k.width, text_width_px(k.axis, kKeyFontPx));
  return k;
}

nlohmann::json to_json(const HeatmapKey& key) {
  return {{"low", key.low}, {"high", key.high}, {"axis", key.axis}, {"width", key.width}, {"span", key.span}};
}

}  // namespace fabricperf::results::detail
