#!/usr/bin/env bash
# Renders fp_report HTML reports in headless Chromium (no network: the page's CSP forbids fetches
# and Chromium's background networking is off) and checks that
#   - the inline script ran to its end and drew every plot container as SVG (--dump-dom),
#   - no console message (error, uncaught exception) was logged,
#   - a 1280x2000 screenshot is a real page: decoded, mostly not blank, many colours,
#   - hostile text from the document stayed text (no injected element).
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

# name: DOC [--baseline BASE]
reports=(
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
  "$fp" html "$data/${args[0]}" "${args[@]:1}" -o "$html" || { fail "fp_report html $name"; continue; }

  chrome_run "$work/$name.dom.log" --virtual-time-budget=5000 --dump-dom "file://$html" >"$work/$name.dom" \
    || { fail "$name: chromium --dump-dom exited $?: $(tail -3 "$work/$name.dom.log")"; continue; }
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
assert len(re.findall(r"<script", dom)) == 2, "an injected <script> element"
if name == "escaping":
    assert "<script>alert(1)" not in dom
    assert "rack\"7\\node&lt;script&gt;alert(1)" in dom
want_min = {"suite": 4, "regressed_bw": 1, "lat": 1, "coll": 1, "topo": 0, "escaping": 0}[name]
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
