#!/usr/bin/env bash
# Renders fp_report HTML reports in headless Chromium (no network: the page's CSP forbids fetches
# and Chromium's background networking is off) and checks that
#   - the inline script ran to its end and drew every plot container as SVG (--dump-dom),
#   - no console message (error, uncaught exception) was logged,
#   - a 1280x2000 screenshot is a real page: decoded, mostly not blank, many colours,
#   - hostile text from the document stayed text (no injected element),
#   - at a narrow (500 px, the least headless Chromium makes) and a wide (1600 px) window, no text of a plot overlaps another or
#     runs past the plot's edge (clipped), and the page is no wider than the window: a checker
#     script, added to a copy of the page, measures every label's bounding box after the plots
#     are drawn and writes what it finds into the DOM that --dump-dom returns.
# Screenshots are kept in OUT_DIR for people to look at.
# Exit 77 (ctest SKIP_RETURN_CODE) only when Chromium is not installed.
# Usage: html_chromium.sh FP_REPORT SOURCE_DIR OUT_DIR
set -u
fp=${1:?fp_report binary}
src=${2:?source dir}
shots=${3:?screenshot dir}
data=$src/tests/data/results
py=/usr/bin/python3
chrome=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chrome" ] || { echo "SKIP: chromium is not installed (Debian: chromium)"; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$shots"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# chrome_run LOG ARGS...: one headless Chromium, bounded in time, fresh profile.
chrome_run() {
  local log=$1; shift
  local profile; profile=$(mktemp -d "$work/profile.XXXXXX")
  timeout -k 5 120 "$chrome" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --no-default-browser-check \
    --user-data-dir="$profile" --enable-logging=stderr --v=0 "$@" 2>"$log"
}

# geometry NAME HTML: the checker script in a copy of the page, at a narrow and a wide window.
geometry() {
  local name=$1 html=$2 width
  local checked=$work/$name.geometry.html
  $py - "$html" "$checked" <<'PY'
import sys
page = open(sys.argv[1]).read()
checker = r"""<script>
(function () {
  'use strict';
  var problems = [], slack = 0.5;
  function short(t) { return JSON.stringify(t.textContent.slice(0, 48)); }
  function over(a, b) {
    return a.left < b.right - slack && b.left < a.right - slack && a.top < b.bottom - slack && b.top < a.bottom - slack;
  }
  Array.prototype.forEach.call(document.querySelectorAll('svg.fp-svg'), function (svg) {
    var where = svg.getAttribute('data-kind') + ' "' + (svg.querySelector('title') || {}).textContent + '"';
    var sb = svg.getBoundingClientRect(), plain = [];
    Array.prototype.forEach.call(svg.querySelectorAll('text'), function (t) {
      var b = t.getBoundingClientRect();
      if (!b.width) return;
      if (b.left < sb.left - slack || b.right > sb.right + slack || b.top < sb.top - slack || b.bottom > sb.bottom + slack)
        problems.push('clipped: ' + short(t) + ' runs past the edge of ' + where);
      if (!t.hasAttribute('transform')) plain.push({t: t, b: b});
    });
    for (var i = 0; i < plain.length; i++)
      for (var j = i + 1; j < plain.length; j++)
        if (over(plain[i].b, plain[j].b))
          problems.push('overlap: ' + short(plain[i].t) + ' and ' + short(plain[j].t) + ' in ' + where);
  });
  var page = document.documentElement.scrollWidth;
  if (page > window.innerWidth + 1) problems.push('page ' + page + ' px wide in a ' + window.innerWidth + ' px window');
  var out = document.createElement('pre');
  out.id = 'fp-geometry';
  out.setAttribute('data-width', String(window.innerWidth));
  out.setAttribute('data-texts', String(document.querySelectorAll('svg.fp-svg text').length));
  out.textContent = problems.join('\n');
  document.body.appendChild(out);
})();
</script>
"""
assert page.count("</body>") == 1
open(sys.argv[2], "w").write(page.replace("</body>", checker + "</body>"))
PY
  for width in 500 1600; do
    chrome_run "$work/$name.geo$width.log" --virtual-time-budget=5000 --window-size=$width,1200 --dump-dom \
      "file://$checked" >"$work/$name.geo$width.dom" \
      || { fail "$name: chromium --dump-dom at $width px exited $?"; continue; }
    $py - "$work/$name.geo$width.dom" "$name" "$width" <<'PY' || fail "$name: layout at a $width px window"
import html, re, sys
dom, name, width = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
m = re.search(r'<pre id="fp-geometry" data-width="(\d+)" data-texts="(\d+)">(.*?)</pre>', dom, re.S)
assert m, "the geometry checker did not run"
problems = [p for p in html.unescape(m.group(3)).split("\n") if p]
print(f"{name} at {width} px (window {m.group(1)} px): {m.group(2)} plot texts measured, {len(problems)} problem(s)")
for p in problems:
    print("  " + p)
assert not problems
PY
  done
}

# The demo's node-pair matrix (two emulated nodes, ~0.1 Gbit/s): its key's labels once overlapped.
$py - "$data/suite.json" "$work/demo_pairs.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bw = {("node1", "node2"): 0.127, ("node2", "node1"): 0.1023}
rows = []
for r in d["results"]:
    if r.get("stage") == "verbs_bw" and r.get("host") == "gpu-node-01" and r.get("peer_host") == "gpu-node-02":
        for (a, b), v in bw.items():
            rows.append(dict(r, host=a, peer_host=b, bw_avg_gbps=v, bw_peak_gbps=v, line_rate_pct=0.13))
        break
d["results"], d["hosts"] = rows, []
json.dump(d, open(sys.argv[2], "w"))
PY

# name: DOC [--baseline BASE]  (DOC relative to tests/data/results unless absolute)
reports=(
  "demo_pairs|$work/demo_pairs.json"
  "suite|suite.json --baseline $data/suite_baseline.json"
  "regressed_bw|regressed_bw.json --baseline $data/baseline_bw.json"
  "lat|lat.json"
  "coll|coll.json"
  "topo|topo.json"
  "escaping|escaping.json"
)
for entry in "${reports[@]}"; do
  name=${entry%%|*}
  read -r -a args <<<"${entry#*|}"
  html=$work/$name.html
  doc=${args[0]}
  [ "${doc:0:1}" = / ] || doc=$data/$doc
  "$fp" html "$doc" "${args[@]:1}" -o "$html" || { fail "fp_report html $name"; continue; }
  # The wide window's DOM (the page plus the checker's <script> and <pre>) serves the checks below.
  geometry "$name" "$html"
  [ -s "$work/$name.geo1600.dom" ] || { fail "$name: no DOM from chromium"; continue; }
  cp "$work/$name.geo1600.dom" "$work/$name.dom"
  cp "$work/$name.geo1600.log" "$work/$name.dom.log"
  chrome_run "$work/$name.shot.log" --hide-scrollbars --window-size=1280,2000 --screenshot="$shots/$name.png" "file://$html" >/dev/null \
    || { fail "$name: chromium --screenshot exited $?: $(tail -3 "$work/$name.shot.log")"; continue; }
  if grep -h -E ':CONSOLE|Uncaught' "$work/$name.dom.log" "$work/$name.shot.log"; then
    fail "$name: console messages while rendering (above)"
  fi

  $py - "$html" "$work/$name.dom" "$shots/$name.png" "$name" <<'PY' || fail "$name: rendered page checks"
import re, struct, sys, zlib
html, dom, png, name = open(sys.argv[1]).read(), open(sys.argv[2]).read(), sys.argv[3], sys.argv[4]

containers = len(re.findall(r'class="fp-plot"', html))
m = re.search(r'<body[^>]*data-plots-rendered="(\d+)"', dom)
assert m, "the inline script did not finish (no body[data-plots-rendered])"
drawn = int(m.group(1))
svgs = len(re.findall(r'<svg[^>]*class="fp-svg"', dom))
rendered = len(re.findall(r'data-rendered="svg"', dom))
assert drawn == containers == svgs == rendered, f"containers {containers}, drawn {drawn}, svg {svgs}, marked {rendered}"
paths = len(re.findall(r'<path[^>]*class="series', dom))
rects = len(re.findall(r'<rect', dom))
visible = re.sub(r"<script.*?</script>", "", dom, flags=re.S)
assert "plot failed" not in visible, "a plot threw"
assert len(re.findall(r"<script", dom)) == 3, "an injected <script> element (2 of the page, 1 geometry checker)"
if name == "escaping":
    assert "<script>alert(1)" not in dom
    assert "rack\"7\\node&lt;script&gt;alert(1)" in dom
want_min = {"demo_pairs": 1, "suite": 4, "regressed_bw": 1, "lat": 1, "coll": 1, "topo": 0, "escaping": 0}[name]
assert containers >= want_min, f"{containers} plots, want at least {want_min}"

# Decode the PNG (8-bit RGB/RGBA, non-interlaced, as Chromium writes) and measure it.
data = open(png, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, width = 8, b"", 0
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
        bpp = 3 if ctype == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
assert (width, height) == (1280, 2000), (width, height)
raw, stride = zlib.decompress(idat), width * bpp
prev, colours, nonwhite, total = bytearray(stride), set(), 0, 0
for y in range(height):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    if y % 4 == 0:
        for x in range(0, width, 4):
            px = bytes(line[x * bpp:x * bpp + 3])
            colours.add(px)
            nonwhite += px != b"\xff\xff\xff"
            total += 1
    prev = line
frac = nonwhite / total
print(f"{name}: {containers} plots drawn as SVG ({paths} series paths, {rects} rects); "
      f"screenshot {width}x{height}, {len(colours)} colours, {frac:.0%} non-white")
assert len(colours) >= 40, f"only {len(colours)} colours: blank or broken page"
assert frac >= 0.05, f"only {frac:.1%} non-white pixels"
PY
done

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "PASS: HTML reports render in headless Chromium (screenshots in $shots)"
