// The node-pair heat map's colour key (issue 17: "≤ 0.076 Gbit/s" was drawn over "0.13 Gbit/s"
// and "host (rows) → peer host (co…" was cut off): labels side by side, nothing past the edge.
#include <gtest/gtest.h>

#include "fabricperf/results/html_report.hpp"
#include "fixtures.hpp"
#include "heatmap_key.hpp"

namespace fabricperf::results::detail {
namespace {

// The key's labels as the page script places them: low from the bar's left end, high ending at
// its right end; the axis text from the left end.
void expect_fits(const HeatmapKey& k, double grid_width) {
  const double low_right = text_width_px(k.low, kKeyFontPx);
  const double high_left = k.width - text_width_px(k.high, kKeyFontPx);
  EXPECT_LE(low_right + 8, high_left) << k.low << " runs into " << k.high;
  EXPECT_GE(k.span, k.width);
  EXPECT_GE(k.span, text_width_px(k.axis, kKeyFontPx)) << k.axis << " would be cut off";
  EXPECT_GE(k.width, std::min(240.0, grid_width));
}

TEST(HeatmapKey, TheDemoValuesDoNotOverlap) {
  // Two hosts of 64 px cells; the best pair 0.127 Gbit/s.
  const auto k = heatmap_key(0.127, "Gbit/s", "host", "peer host", 128);
  EXPECT_EQ(k.low, "\u2264 0.076 Gbit/s");
  EXPECT_EQ(k.high, "0.13 Gbit/s");
  EXPECT_EQ(k.axis, "host (rows) \u2192 peer host (columns)");
  expect_fits(k, 128);
}

TEST(HeatmapKey, ManyValuesAndWidths) {
  for (const double vmax : {0.0, 1e-4, 0.127, 3.3, 97.5, 396.2, 12345.0})
    for (const double grid : {60.0, 128.0, 400.0, 760.0}) {
      SCOPED_TRACE(std::to_string(vmax) + " " + std::to_string(grid));
      expect_fits(heatmap_key(vmax, "Gbit/s", "host", "peer host", grid), grid);
    }
}

TEST(HeatmapKey, NumbersAsThePageWritesThem) {
  EXPECT_EQ(short_number(0.0762), "0.076");
  EXPECT_EQ(short_number(0.127), "0.13");
  EXPECT_EQ(short_number(3.333), "3.33");
  EXPECT_EQ(short_number(97.54), "97.5");
  EXPECT_EQ(short_number(396.2), "396");
  EXPECT_EQ(short_number(0), "0");
}

TEST(HeatmapKey, SpecCarriesTheKey) {
  const auto specs = plot_specs(fabricperf::results::testing::load_fixture("suite.json"), nullptr);
  bool any = false;
  for (const auto& s : specs) {
    if (s["kind"] != "heatmap") continue;
    any = true;
    ASSERT_TRUE(s.contains("key"));
    EXPECT_GE(s["key"]["span"].get<double>(), s["key"]["width"].get<double>());
    EXPECT_GE(s["cell"].get<double>(), 30);
  }
  EXPECT_TRUE(any) << "suite.json has a node-pair matrix";
}

}  // namespace
}  // namespace fabricperf::results::detail
