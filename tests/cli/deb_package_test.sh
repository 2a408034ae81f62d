#!/usr/bin/env bash
# The Debian package (cmake/Packaging.cmake): configures a build with only what the package needs
# (no tests, no benchmarks; NCCL off: the "fabricperf" flavour that installs on any machine, CUDA
# as the machine has it), builds it, runs `cpack -G DEB`, and inspects the .deb:
#   name fabricperf_<version>_<arch>.deb; the nine tools in /usr/bin; the schemas in
#   /usr/share/fabricperf; a man page per tool (help2man, naming the tool's options); copyright
#   and changelog; Depends computed by dpkg-shlibdeps (libc6, libibverbs1, ...) and no CUDA/NCCL
#   library unless the build linked NCCL; lintian clean but for the overrides, each explained in
#   cmake/debian/lintian-overrides. Label "package" (a full tool build: minutes on 2 cores).
# Exit 77 (skip) only when dpkg-deb, dpkg-shlibdeps, help2man or lintian is missing.
set -u
src=${FP_SOURCE_DIR:?}
build=${FP_BUILD_DIR:?}
for bin in dpkg-deb dpkg-shlibdeps help2man lintian cpack; do
  command -v "$bin" >/dev/null || { echo "SKIP: $bin is not installed (Debian: dpkg-dev help2man lintian)"; exit 77; }
done
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# A sibling of the test's build folder, so ccache (base_dir) reuses the objects of that build.
pkg=${FP_PACKAGE_BUILD_DIR:-$(dirname "$build")/$(basename "$build")-deb}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
start=$SECONDS
cmake -S "$src" -B "$pkg" "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" -DFABRICPERF_TESTBED=OFF \
  -DFABRICPERF_BUILD_TESTS=OFF -DFABRICPERF_BUILD_BENCH=OFF -DFABRICPERF_WITH_NCCL=OFF >"$pkg.configure.log" 2>&1 ||
  { tail -20 "$pkg.configure.log"; echo "FAIL: configure"; exit 1; }
cmake --build "$pkg" -j "$(nproc)" >"$pkg.build.log" 2>&1 || { tail -30 "$pkg.build.log"; echo "FAIL: build"; exit 1; }
rm -f "$pkg"/*.deb
(cd "$pkg" && cpack -G DEB) >"$pkg.cpack.log" 2>&1 || { tail -30 "$pkg.cpack.log"; echo "FAIL: cpack"; exit 1; }
echo "package built in $((SECONDS - start)) s"

version=$(sed -n 's/^project(fabricperf VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
arch=$(dpkg --print-architecture)
name=fabricperf
deb=$pkg/${name}_${version}_${arch}.deb
[ -f "$deb" ] || { ls "$pkg"/*.deb; echo "FAIL: no $deb"; exit 1; }

dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$pkg/contents.txt"
tools="fp_bw fp_lat fp_gdr fp_coll fp_topo fp_info fp_suite fp_sizing fp_report"
for t in $tools; do
  grep -qx "/usr/bin/$t" "$pkg/contents.txt" || fail "/usr/bin/$t is not in the package"
  grep -qx "/usr/share/man/man1/$t.1.gz" "$pkg/contents.txt" || fail "no man page for $t"
done
[ "$(grep -c '^/usr/bin/.' "$pkg/contents.txt")" -eq 9 ] || fail "want 9 files in /usr/bin: $(grep '^/usr/bin/.' "$pkg/contents.txt" | tr '\n' ' ')"
for f in /usr/share/fabricperf/fabricperf-1.schema.json /usr/share/doc/$name/copyright /usr/share/doc/$name/changelog.gz; do
  grep -qx "$f" "$pkg/contents.txt" || fail "$f is not in the package"
done
grep -q '^/usr/share/fabricperf/fabricperf-2.schema.json$' "$pkg/contents.txt" || [ ! -f "$src/results/schema/fabricperf-2.schema.json" ] ||
  fail "fabricperf-2.schema.json is not in the package"
grep -q 'testbed\|fp-testbed' "$pkg/contents.txt" && fail "the testbed is packaged (it is the CI harness, not a cluster tool)"

# Man pages: generated from --help, so they name real options.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$deb" "$work/root"
zcat "$work/root/usr/share/man/man1/fp_bw.1.gz" | grep -q -- '--size\|\\-\\-size\|\\fB\\-s\\fR' || fail "fp_bw.1 does not document -s/--size"
zcat "$work/root/usr/share/man/man1/fp_report.1.gz" | grep -qi 'compare' || fail "fp_report.1 does not mention compare"
"$work/root/usr/bin/fp_info" --help >/dev/null || fail "the packaged fp_info does not run"

# Depends: computed by shlibdeps (versioned libc6 and the verbs libraries), no CUDA runtime.
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in 'libc6 (>= ' libibverbs1 'libstdc++6 (>= '; do
  case $depends in *"$lib"*) ;; *) fail "Depends lacks $lib (not computed?): $depends" ;; esac
done
case $depends in *cudart* | *libcuda* | *nccl*) fail "Depends names CUDA or NCCL (must stay optional): $depends" ;; esac
readelf -d "$work/root/usr/bin/"* 2>/dev/null | grep -E 'NEEDED.*(cudart|libcuda|nccl)' &&
  fail "a packaged tool needs a CUDA/NCCL shared library at start-up"

# lintian: no error or warning beyond the explained overrides.
lintian --no-tag-display-limit "$deb" >"$pkg/lintian.txt" 2>&1
if grep -E '^(E|W): ' "$pkg/lintian.txt"; then
  fail "lintian reports the lines above (fix them or explain an override in cmake/debian/lintian-overrides)"
fi
grep -q '^#' "$src/cmake/debian/lintian-overrides" || fail "lintian-overrides lost its explanations"
awk '/^[^#]/ && prev !~ /^#/ {print "unexplained override: " $0; bad=1} {prev=$0} END {exit bad}' \
  "$src/cmake/debian/lintian-overrides" || fail "every override needs a comment line above it"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "PASS: $(basename "$deb"): 9 tools, man pages, schemas; Depends computed; lintian clean"
