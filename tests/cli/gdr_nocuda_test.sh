#!/usr/bin/env bash
# fp_gdr on a host without a usable CUDA GPU (CI, the build machine, the testbed guests):
# every GPU memory kind ends at once with exit 1, one line saying which case applies ("no CUDA
# device", or "built without CUDA support" for a build without the toolkit), and a
# schema-valid document with a failed cuda_device check; usage errors are one line, exit 2;
# the binary does not link the CUDA driver or runtime dynamically (it loads libcuda lazily).
set -uo pipefail
tool=$FP_BUILD_DIR/gdr/fp_gdr
[ -x "$tool" ] || { echo "SKIP: fp_gdr is not built (no CUDA toolkit or verbs/topology libraries)"; exit 0; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
  echo "SKIP: this host has a GPU (scripts/device-check.sh covers it)"; exit 0
fi

if ldd "$tool" | grep -E 'libcuda\.so|libcudart\.so'; then fail "fp_gdr links libcuda/libcudart dynamically"; fi

# Which case applies: a build without the CUDA toolkit says so; a CUDA build on a host without
# a GPU says "no CUDA device" (with "no CUDA driver" when libcuda.so.1 is missing).
if [ "${FP_HAVE_CUDA:-1}" = 0 ]; then expect='fp_gdr was built without CUDA support'; else expect='no CUDA device'; fi

for mem in cuda cuda-dmabuf cuda-peermem cuda-host; do
  "$tool" --mem "$mem" --timeout 5 --json "$tmp/$mem.json" >"$tmp/out" 2>"$tmp/err" </dev/null
  rc=$?
  [ "$rc" -eq 1 ] || fail "--mem $mem: exit $rc, expected 1 ($(cat "$tmp/err"))"
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || { cat "$tmp/err"; fail "--mem $mem: not one line on stderr"; }
  grep -q "$expect" "$tmp/err" || fail "--mem $mem: message lacks '$expect': $(cat "$tmp/err")"
  grep -q -- "--mem $mem" "$tmp/err" || fail "--mem $mem: message does not name the option"
  [ ! -s "$tmp/out" ] || { cat "$tmp/out"; fail "--mem $mem: unexpected stdout"; }
  /usr/bin/python3 "$FP_SOURCE_DIR/tests/tools/validate_document.py" "$tmp/$mem.json" >/dev/null ||
    fail "--mem $mem: document does not validate"
  /usr/bin/python3 - "$tmp/$mem.json" "$mem" "$expect" <<'PY' || fail "--mem $mem: document content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["tool"] == "fp_gdr" and d["status"] == "failed", d["status"]
c = [c for c in d["checks"] if c["name"] == "cuda_device"]
assert len(c) == 1 and c[0]["status"] == "fail" and sys.argv[3] in c[0]["detail"], c
assert d["params"]["mem"] == sys.argv[2], d["params"]
assert d["hosts"] and d["errors"], d
PY
done
echo "PASS: GPU memory kinds exit 1 with one '$expect' line and a failed check"

# Usage errors: exit 2, one line, before any CUDA or network work.
usage() {
  "$tool" "$@" >/dev/null 2>"$tmp/err" </dev/null
  local rc=$?
  [ "$rc" -eq 2 ] || fail "fp_gdr $*: exit $rc, expected 2 ($(cat "$tmp/err"))"
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || { cat "$tmp/err"; fail "fp_gdr $*: not one line"; }
}
usage --mem gpu
usage --mem cuda --remote-mem vram
usage --test lat --op write --mem cuda
usage --mem cuda -I 64
usage --gpu 1 --all-gpus
usage --mem host --gpu 0
usage --op atomic_fa --mem host
usage --test bandwidth
grep -q "cuda-dmabuf" <("$tool" --mem gpu 2>&1) || fail "unknown --mem does not list the valid kinds"
echo "PASS: usage errors exit 2 with one line"
