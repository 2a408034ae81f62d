#pragma once
// Internal to fpresults: the HTML report's inline stylesheet and script.
#include <string_view>

namespace fabricperf::results::detail {

extern const std::string_view kReportCss;
// Draws every <div class="fp-plot" data-plot-id=ID> from the JSON in
// <script type="application/json" id="fp-plots">, as SVG; sets body[data-plots-rendered] to the
// number of plots drawn. Text goes in through textContent only (no HTML from data).
extern const std::string_view kReportJs;

}  // namespace fabricperf::results::detail
