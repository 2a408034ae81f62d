#!/usr/bin/env bash
# The self-contained GPU bundle (scripts/device-check.sh --bundle DIR, issue 20) built from
# FP_BUILD_DIR (reused: only missing targets are built) and run on this machine, which has no
# GPU: it is under 64 MiB, every library its binaries need resolves inside it (glibc aside),
# DIR/run ends within a minute with exit 3, "no CUDA device" for every GPU step, no missing
# library, the summary line last and a schema-valid fp_gpu_check document; NCCL carries GPU code
# for sm_90 only; bad options are one line and exit 2.
set -uo pipefail
root=${FP_SOURCE_DIR:?}
build=${FP_BUILD_DIR:?}
fail() { echo "FAIL: $*"; exit 1; }
[ "${FP_HAVE_CUDA:-1}" != 0 ] || { echo "SKIP: built without CUDA"; exit 0; }
grep -q '^NCCL_LIBRARY:FILEPATH=/' "$build/CMakeCache.txt" 2>/dev/null || { echo "SKIP: built without NCCL"; exit 0; }
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
  echo "SKIP: this host has a GPU (run the bundle's DIR/run instead)"; exit 0
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# Bad input: one line, exit 2.
for args in "--bundle" "--bundle $tmp/x --gpu-arch sm90" "--bundle $tmp/x --nccl-tests $tmp" "--bundle $tmp/x --bogus"; do
  # shellcheck disable=SC2086
  "$root/scripts/device-check.sh" $args >"$tmp/o" 2>"$tmp/e"
  rc=$?
  [ "$rc" -eq 2 ] || fail "device-check.sh $args: exit $rc, expected 2"
  [ "$(wc -l <"$tmp/e")" -eq 1 ] || fail "device-check.sh $args: not one line: $(cat "$tmp/e")"
done

b=$tmp/bundle
"$root/scripts/device-check.sh" --bundle "$b" --build-dir "$build" --jobs 2 >"$tmp/build.out" 2>"$tmp/build.err" ||
  { tail -20 "$tmp/build.err"; fail "building the bundle failed"; }
size=$(du -sb "$b" | cut -f1)
[ "$size" -lt $((64 * 1024 * 1024)) ] || fail "bundle is $size bytes, over 64 MiB"
for f in run lib.sh BUNDLE_INFO GLIBC_NEEDED GLIBCXX_NEEDED bin/fp_gdr bin/fp_coll bin/fp_report bin/test_gdr_gpu \
         bin/test_collectives_gpu lib/libnccl.so.2.gz lib/libibverbs.so.1 lib/compat/libstdc++.so.6; do
  [ -e "$b/$f" ] || fail "bundle lacks $f"
done
ls "$b"/lib/libibverbs/lib*-rdmav*.so >/dev/null 2>&1 || fail "bundle lacks rdma-core's providers"

start=$(date +%s)
timeout 120 "$b/run" --out "$tmp/out" >"$tmp/run.out" 2>&1
rc=$?
elapsed=$(($(date +%s) - start))
[ "$rc" -eq 3 ] || { cat "$tmp/run.out"; fail "DIR/run: exit $rc, expected 3 (no CUDA device)"; }
[ "$elapsed" -lt 60 ] || fail "DIR/run took $elapsed s without a GPU (limit 60)"
tail -1 "$tmp/run.out" | grep -Eq '^gpu-check: [0-9]+ passed, 0 failed, [0-9]+ skipped$' ||
  { cat "$tmp/run.out"; fail "last line is not the summary"; }
for step in cuda test_gdr_gpu test_collectives_gpu fp_gdr fp_coll; do
  grep -q "^== $step: skip no CUDA device" "$tmp/run.out" || { cat "$tmp/run.out"; fail "$step: not skipped with 'no CUDA device'"; }
done
grep -q '^== libraries: pass' "$tmp/run.out" || fail "libraries step did not pass"
if grep -Eiq 'not found|error while loading shared libraries|cannot open shared object' "$tmp/out/gpu-check.log"; then
  grep -Ei 'not found|error while loading|cannot open shared' "$tmp/out/gpu-check.log" | head -5
  fail "a missing library"
fi

# Self-contained: with the bundle's paths, every library but glibc's resolves inside the bundle.
export LD_LIBRARY_PATH=$b/lib:$b/lib/libibverbs:$b/lib/compat
for f in "$b"/bin/* "$b"/lib/libibverbs/*.so; do
  outside=$(ldd "$f" | awk '$2 == "=>" { print $1, $3 }' |
    grep -Ev '^(libc|libm|libdl|libpthread|librt|libresolv|libutil)\.so' | grep -v " $b/")
  [ -z "$outside" ] || fail "$(basename "$f") loads from outside the bundle: $outside"
done
unset LD_LIBRARY_PATH
# NCCL travels gzipped and pruned to sm_90: pruning it again must change no byte.
gunzip -c "$b/lib/libnccl.so.2.gz" >"$tmp/nccl.so" || fail "lib/libnccl.so.2.gz does not unpack"
/usr/bin/python3 "$root/scripts/gpu-bundle/prune_fatbin.py" "$tmp/nccl.so" "$tmp/nccl.pruned" 90 >/dev/null ||
  fail "prune_fatbin.py failed on the bundled NCCL"
cmp -s "$tmp/nccl.so" "$tmp/nccl.pruned" || fail "libnccl.so.2 in the bundle still has GPU code of other architectures"
rm -f "$tmp/nccl.so" "$tmp/nccl.pruned"

doc=$tmp/out/gpu-check.json
/usr/bin/python3 "$root/tests/tools/validate_document.py" "$doc" >/dev/null || fail "gpu-check.json does not validate"
/usr/bin/python3 - "$doc" <<'PY' || fail "document content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["tool"] == "fp_gpu_check" and d["status"] == "ok", (d["tool"], d["status"])
steps = {c["labels"]["step"]: c for c in d["checks"] if c["name"].startswith("step_")}
for s in ("unpack", "libraries", "cuda", "test_gdr_gpu", "test_collectives_gpu", "fp_gdr", "fp_coll", "nccl_tests"):
    assert s in steps, s
for s in ("cuda", "test_gdr_gpu", "test_collectives_gpu", "fp_gdr", "fp_coll"):
    assert steps[s]["status"] == "skip" and "no CUDA device" in steps[s]["detail"], steps[s]
tests = [c for c in d["checks"] if c["name"] == "gpu_test"]
assert tests and all(c["status"] == "skip" for c in tests), tests
assert {c["labels"]["binary"] for c in tests} == {"test_gdr_gpu", "test_collectives_gpu"}, tests
p = d["params"]
assert p["cuda_runtime_version"] and p["nccl_version"] and "no CUDA device" in p["no_gpu_reason"], p
assert d["hosts"][0]["nccl_version"] == p["nccl_version"], d["hosts"]
PY
echo "PASS: bundle $((size / 1024 / 1024)) MiB, DIR/run $elapsed s without a GPU: $(tail -1 "$tmp/run.out")"
