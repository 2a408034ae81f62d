#include "html_assets.hpp"

namespace fabricperf::results::detail {

const std::string_view kReportCss = R"css(
:root { --ok: #1a7f37; --fail: #cf222e; --warn: #9a6700; --skip: #6e7781; --muted: #57606a;
        --border: #d0d7de; --bg: #f6f8fa; --text: #1f2328; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--text); background: #fff;
       font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
header.verdict { padding: 20px 28px 16px; color: #fff; }
.verdict-pass { background: var(--ok); }
.verdict-warn { background: #bf8700; }
.verdict-fail { background: var(--fail); }
.verdict-word { font-size: 34px; font-weight: 700; letter-spacing: .5px; }
.verdict-why { font-size: 16px; margin-top: 2px; }
.verdict-why li { margin: 1px 0; }
.verdict .meta { margin-top: 8px; opacity: .92; font-size: 13px; }
.verdict code { background: rgba(255,255,255,.18); padding: 1px 5px; border-radius: 4px; color: #fff; }
nav { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--border); padding: 8px 28px;
      z-index: 2; font-size: 13px; }
nav a { margin-right: 14px; color: #0969da; text-decoration: none; }
main { max-width: 1180px; margin: 0 auto; padding: 4px 28px 40px; }
section { margin-top: 26px; }
h2 { font-size: 20px; margin: 0 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--border); }
h3 { font-size: 15px; margin: 16px 0 4px; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0; }
th, td { border: 1px solid var(--border); padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.pill { display: inline-block; padding: 0 8px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; }
.pill.pass, .pill.ok, .pill.improved { background: var(--ok); }
.pill.fail, .pill.regression { background: var(--fail); }
.pill.warn { background: var(--warn); }
.pill.skip, .pill.only_in_base, .pill.only_in_new { background: var(--skip); }
tr.regression td { background: #ffebe9; }
tr.improved td { background: #dafbe1; }
.summary { color: var(--muted); margin: 4px 0 8px; }
.muted { color: var(--muted); }
.plot { border: 1px solid var(--border); border-radius: 6px; padding: 8px 10px 6px; margin: 10px 0 16px; }
.plot h3 { margin: 0 0 4px; }
.fp-svg { width: 100%; height: auto; display: block; }
.fp-svg .grid { stroke: #e6e8eb; stroke-width: 1; }
.fp-svg .axis { stroke: #57606a; stroke-width: 1; }
.fp-svg .tick { font-size: 11px; fill: #57606a; }
.fp-svg .label { font-size: 12px; fill: #1f2328; }
.fp-svg .series { fill: none; stroke-width: 2; }
.fp-svg .series.dashed { stroke-dasharray: 6 4; stroke-width: 1.5; opacity: .75; }
.fp-svg .bar.regressed { stroke: #cf222e; stroke-width: 3; }
.fp-svg .cell-text { font-size: 11px; fill: #1f2328; }
.legend { font-size: 12px; display: flex; flex-wrap: wrap; gap: 2px 14px; margin-top: 4px; }
.legend .swatch { display: inline-block; width: 18px; height: 3px; vertical-align: middle; margin-right: 5px; }
.legend .swatch.dashed { background: none !important; border-top: 2px dashed; height: 0; }
.topo td.path { text-align: center; font-weight: 600; min-width: 52px; }
.topo td.assigned { outline: 3px solid #0969da; outline-offset: -3px; }
.path-PIX, .path-PXB, .path-NV { background: #aceebb; }
.path-PHB { background: #fff8c5; }
.path-NODE { background: #ffd8b5; }
.path-SYS { background: #ffcecb; }
details > summary { cursor: pointer; color: #0969da; margin: 6px 0; }
.scroll { overflow-x: auto; }
footer { color: var(--muted); font-size: 12px; margin: 30px 28px 20px; }
)css";

const std::string_view kReportJs = R"js(
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  // Red is kept for regressions.
  var COLORS = ['#0969da', '#bf5700', '#1a7f37', '#8250df', '#1b7c83', '#bf3989', '#6e7781', '#4d2d00',
                '#0550ae', '#116329', '#953800', '#3e1f79'];
  var RED = '#cf222e';

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(e);
    return e;
  }
  function label(parent, x, y, str, attrs) {
    var t = el('text', Object.assign({x: x, y: y}, attrs || {}), parent);
    t.textContent = str;
    return t;
  }
  function tip(node, str) { el('title', {}, node).textContent = str; }
  function fmtSize(b) {
    var units = ['', 'K', 'M', 'G', 'T'], i = 0;
    while (b >= 1024 && b % 1024 === 0 && i < 4) { b /= 1024; i++; }
    return b + units[i];
  }
  function fmtNum(v) {
    var a = Math.abs(v);
    if (a === 0) return '0';
    if (a >= 100) return v.toFixed(0);
    if (a >= 10) return v.toFixed(1);
    if (a >= 1) return v.toFixed(2);
    return v.toPrecision(2);
  }
  function fmtTick(v) { return String(parseFloat(v.toPrecision(4))); }
  function niceStep(range, n) {
    var raw = range / n, p = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / p;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
  }
  function legendItem(legend, color, name, dashed) {
    var item = document.createElement('span');
    var sw = document.createElement('span');
    sw.className = 'swatch' + (dashed ? ' dashed' : '');
    sw.style.background = color;
    sw.style.borderColor = color;
    item.appendChild(sw);
    item.appendChild(document.createTextNode(name));
    legend.appendChild(item);
  }

  function lineChart(box, spec) {
    var W = 880, H = 340, L = 66, R = 18, T = 14, B = 50;
    var xs = [], ys = [];
    spec.series.forEach(function (s) { s.points.forEach(function (p) { xs.push(p[0]); ys.push(p[1]); }); });
    if (!xs.length) return false;
    var cat = spec.x_kind === 'category', xpos, lmin = 0, lmax = 1;
    if (cat) {
      var n = spec.categories.length;
      xpos = function (i) { return L + (i + 0.5) * (W - L - R) / n; };
    } else {
      lmin = Math.log2(Math.max(Math.min.apply(null, xs), 1));
      lmax = Math.log2(Math.max(Math.max.apply(null, xs), 1));
      if (lmax - lmin < 1) { lmin -= 1; lmax += 1; }
      xpos = function (x) { return L + (Math.log2(Math.max(x, 1)) - lmin) / (lmax - lmin) * (W - L - R); };
    }
    var ymax = Math.max.apply(null, ys), ymin = Math.min.apply(null, ys), yticks = [], ypos;
    var ylog = (spec.y_log === true || (spec.y_log === 'auto' && ymax / ymin > 30)) && ymin > 0;
    if (ylog) {
      var a = Math.floor(Math.log10(ymin)), b = Math.ceil(Math.log10(ymax));
      if (a === b) b++;
      ypos = function (y) { return T + (1 - (Math.log10(y) - a) / (b - a)) * (H - T - B); };
      for (var e = a; e <= b; e++) [1, 2, 5].forEach(function (m) {
        var v = m * Math.pow(10, e);
        if (v <= Math.pow(10, b) * 1.0001) yticks.push(v);
      });
    } else {
      var step = niceStep(ymax > 0 ? ymax * 1.05 : 1, 5), top = Math.ceil(ymax * 1.05 / step) * step || step;
      ypos = function (y) { return T + (1 - y / top) * (H - T - B); };
      for (var v = 0; v <= top + step / 2; v += step) yticks.push(v);
    }
    var svg = el('svg', {viewBox: '0 0 ' + W + ' ' + H, 'class': 'fp-svg', role: 'img', 'data-kind': 'line'}, box);
    tip(svg, spec.title);
    yticks.forEach(function (v) {
      var y = ypos(v);
      el('line', {x1: L, x2: W - R, y1: y, y2: y, 'class': 'grid'}, svg);
      label(svg, L - 6, y + 4, fmtTick(v), {'class': 'tick', 'text-anchor': 'end'});
    });
    if (cat) {
      spec.categories.forEach(function (c, i) {
        label(svg, xpos(i), H - B + 20, c, {'class': 'tick', 'text-anchor': 'middle'});
      });
    } else {
      var lo = Math.ceil(lmin), hi = Math.floor(lmax), every = Math.max(1, Math.ceil((hi - lo + 1) / 12));
      for (var k = lo; k <= hi; k++) {
        if ((k - lo) % every) continue;
        var x = xpos(Math.pow(2, k));
        el('line', {x1: x, x2: x, y1: T, y2: H - B, 'class': 'grid'}, svg);
        label(svg, x, H - B + 20, fmtSize(Math.pow(2, k)), {'class': 'tick', 'text-anchor': 'middle'});
      }
    }
    el('line', {x1: L, x2: W - R, y1: H - B, y2: H - B, 'class': 'axis'}, svg);
    el('line', {x1: L, x2: L, y1: T, y2: H - B, 'class': 'axis'}, svg);
    label(svg, (L + W - R) / 2, H - 12, spec.x_label, {'class': 'label', 'text-anchor': 'middle'});
    var my = (T + H - B) / 2;
    label(svg, 16, my, spec.y_label, {'class': 'label', 'text-anchor': 'middle', transform: 'rotate(-90 16 ' + my + ')'});

    var legend = document.createElement('div');
    legend.className = 'legend';
    var next = 0;
    spec.series.forEach(function (s) {
      var color = s.color || (s.baseline_of !== undefined ? spec.series[s.baseline_of].color : COLORS[next++ % COLORS.length]);
      s.color = color;
      var d = s.points.map(function (p, j) {
        return (j ? 'L' : 'M') + xpos(p[0]).toFixed(1) + ' ' + ypos(p[1]).toFixed(1);
      }).join(' ');
      el('path', {d: d, 'class': 'series' + (s.dashed ? ' dashed' : ''), stroke: color}, svg);
      s.points.forEach(function (p) {
        var c = el('circle', {cx: xpos(p[0]).toFixed(1), cy: ypos(p[1]).toFixed(1), r: p[2] ? 6 : (s.dashed ? 2 : 3),
                              'class': p[2] ? 'pt regressed' : 'pt', fill: color}, svg);
        if (p[2]) { c.setAttribute('stroke', RED); c.setAttribute('stroke-width', '3'); }
        tip(c, s.name + ': ' + (cat ? spec.categories[p[0]] : fmtSize(p[0]) + 'B') + ' \u2192 ' + fmtNum(p[1]) + ' ' +
               spec.y_label + (p[2] ? ' (REGRESSION)' : ''));
      });
      legendItem(legend, color, s.name, s.dashed);
    });
    box.appendChild(legend);
    return true;
  }

  // Grouped bars: one group per category (series name), one bar per dataset (this run, baseline).
  function barChart(box, spec) {
    var n = spec.categories.length, sets = spec.series.length, ymax = 0;
    spec.series.forEach(function (s) { s.points.forEach(function (p) { ymax = Math.max(ymax, p[1]); }); });
    var longest = 0;
    spec.categories.forEach(function (c) { longest = Math.max(longest, c.length); });
    var band0 = 800 / Math.max(n, 1), slanted = longest * 6.5 > band0 - 8;
    var W = 880, L = 66, R = 18, T = 14, B = slanted ? Math.min(190, 30 + 5 * longest) : 34, H = 260 + B;
    var step = niceStep(ymax > 0 ? ymax * 1.05 : 1, 5), top = Math.ceil(ymax * 1.05 / step) * step || step;
    var ypos = function (y) { return T + (1 - y / top) * (H - T - B); };
    var band = (W - L - R) / Math.max(n, 1), bw = Math.min(48, band * 0.8 / sets);
    var svg = el('svg', {viewBox: '0 0 ' + W + ' ' + H, 'class': 'fp-svg', role: 'img', 'data-kind': 'bar'}, box);
    tip(svg, spec.title);
    for (var v = 0; v <= top + step / 2; v += step) {
      var y = ypos(v);
      el('line', {x1: L, x2: W - R, y1: y, y2: y, 'class': 'grid'}, svg);
      label(svg, L - 6, y + 4, fmtTick(v), {'class': 'tick', 'text-anchor': 'end'});
    }
    el('line', {x1: L, x2: W - R, y1: H - B, y2: H - B, 'class': 'axis'}, svg);
    el('line', {x1: L, x2: L, y1: T, y2: H - B, 'class': 'axis'}, svg);
    var my = (T + H - B) / 2;
    label(svg, 16, my, spec.y_label, {'class': 'label', 'text-anchor': 'middle', transform: 'rotate(-90 16 ' + my + ')'});
    spec.categories.forEach(function (c, i) {
      var x = L + (i + 0.5) * band, y = H - B + 18;
      label(svg, x, y, c, slanted ? {'class': 'tick', 'text-anchor': 'end', transform: 'rotate(-35 ' + x + ' ' + y + ')'}
                                  : {'class': 'tick', 'text-anchor': 'middle'});
    });
    var legend = document.createElement('div');
    legend.className = 'legend';
    spec.series.forEach(function (s, k) {
      var color = s.dashed ? '#afb8c1' : COLORS[0];
      s.points.forEach(function (p) {
        var x = L + (p[0] + 0.5) * band - sets * bw / 2 + k * bw;
        var r = el('rect', {x: x.toFixed(1), y: ypos(p[1]).toFixed(1), width: (bw - 2).toFixed(1),
                            height: Math.max(0, H - B - ypos(p[1])).toFixed(1), fill: color,
                            'class': p[2] ? 'bar regressed' : 'bar'}, svg);
        tip(r, spec.categories[p[0]] + ' (' + s.name + '): ' + fmtNum(p[1]) + ' ' + spec.y_label + (p[2] ? ' (REGRESSION)' : ''));
      });
      legendItem(legend, color, s.name, false);
    });
    box.appendChild(legend);
    return true;
  }

  function heatColor(t) {
    // t = value / best value: 60% and below red, 100% green.
    var hue = Math.max(0, Math.min(120, (t - 0.6) / 0.4 * 120));
    return 'hsl(' + hue.toFixed(0) + ',70%,62%)';
  }

  function heatmap(box, spec) {
    var rows = spec.rows, cols = spec.cols, vmax = 0;
    spec.values.forEach(function (r) { r.forEach(function (v) { if (v !== null && v > vmax) vmax = v; }); });
    var longest = 0;
    rows.concat(cols).forEach(function (h) { longest = Math.max(longest, h.length); });
    var lw = Math.min(180, 14 + 7 * longest), lh = Math.min(130, 14 + 5 * longest);
    var cell = spec.cell, key = spec.key;
    // Column names lean right (-40 degrees) from their cell's centre: room for the last one.
    var reach = Math.max(20, 7 * longest * Math.cos(40 * Math.PI / 180) - cell / 2 + 8);
    var W = Math.ceil(lw + Math.max(cols.length * cell + reach, key.span + 20)), H = lh + rows.length * cell + 82;
    var svg = el('svg', {viewBox: '0 0 ' + W + ' ' + H, 'class': 'fp-svg', role: 'img', 'data-kind': 'heatmap'}, box);
    svg.style.maxWidth = W + 'px';
    tip(svg, spec.title);
    cols.forEach(function (c, j) {
      var x = lw + j * cell + cell / 2, y = lh - 6;
      label(svg, x, y, c, {'class': 'tick', transform: 'rotate(-40 ' + x + ' ' + y + ')'});
    });
    rows.forEach(function (r, i) {
      label(svg, lw - 6, lh + i * cell + cell / 2 + 4, r, {'class': 'tick', 'text-anchor': 'end'});
      cols.forEach(function (c, j) {
        var v = spec.values[i][j], x = lw + j * cell, y = lh + i * cell;
        var rect = el('rect', {x: x, y: y, width: cell - 2, height: cell - 2, rx: 3,
                               fill: v === null ? '#eaeef2' : heatColor(vmax > 0 ? v / vmax : 1)}, svg);
        tip(rect, r + ' \u2192 ' + c + (v === null ? ': not measured' : ': ' + fmtNum(v) + ' ' + spec.unit +
                  (spec.tips[i][j] ? '\n' + spec.tips[i][j] : '')));
        label(svg, x + (cell - 2) / 2, y + (cell - 2) / 2 + 4, v === null ? '\u2013' : fmtNum(v),
              {'class': 'cell-text', 'text-anchor': 'middle', 'pointer-events': 'none'});
      });
    });
    // Colour key: 60% .. 100% of the best pair. Texts and widths come from the spec
    // (results/src/heatmap_key.cpp): the axis text on its own line, then the bar, then the
    // low and high labels under its two ends, never over each other.
    var ky = lh + rows.length * cell + 40, kx = lw, kw = key.width;
    label(svg, kx, ky - 8, key.axis, {'class': 'tick'});
    for (var s = 0; s < 20; s++)
      el('rect', {x: kx + s * kw / 20, y: ky, width: kw / 20 + 0.5, height: 10, fill: heatColor(0.6 + 0.4 * s / 19)}, svg);
    label(svg, kx, ky + 24, key.low, {'class': 'tick'});
    label(svg, kx + kw, ky + 24, key.high, {'class': 'tick', 'text-anchor': 'end'});
    return true;
  }

  var specs = JSON.parse(document.getElementById('fp-plots').textContent);
  var byId = {};
  specs.forEach(function (s) { byId[s.id] = s; });
  var drawn = 0;
  Array.prototype.forEach.call(document.querySelectorAll('.fp-plot'), function (box) {
    var spec = byId[box.getAttribute('data-plot-id')];
    try {
      var draw = spec && {heatmap: heatmap, bar: barChart, line: lineChart}[spec.kind];
      if (draw && draw(box, spec)) {
        box.setAttribute('data-rendered', 'svg');
        drawn++;
      }
    } catch (err) {
      box.appendChild(document.createTextNode('plot failed: ' + err));
      console.error('fabricperf: plot ' + (spec && spec.id) + ' failed: ' + err);
    }
  });
  document.body.setAttribute('data-plots-rendered', String(drawn));
})();
)js";

}  // namespace fabricperf::results::detail
