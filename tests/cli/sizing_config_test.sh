#!/usr/bin/env bash
# fp_sizing --config FILE: a good config sizes and validates; malformed ones (missing field, wrong
# type, not JSON) and bad options exit 2 with exactly one line naming the problem.
set -u
: "${FP_BUILD_DIR:?}" "${FP_SOURCE_DIR:?}"
tool="$FP_BUILD_DIR/sizing/fp_sizing"
validate="$FP_SOURCE_DIR/tests/tools/validate_document.py"
data="$FP_SOURCE_DIR/tests/data/sizing"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail() { echo "FAIL: $*"; exit 1; }

# A config.json copied out of the catalogue's shape: sizes, validates, default context = its maximum.
"$tool" --config "$data/tiny_mla_moe.json" --json tiny.json > tiny.txt || fail "--config tiny_mla_moe.json failed"
/usr/bin/python3 "$validate" tiny.json || fail "tiny.json does not validate"
/usr/bin/python3 - tiny.json <<'PY' || fail "tiny.json content"
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
assert r["min_servers"] == 1, r["min_servers"]
assert r["params"]["total"] == 29848, r["params"]["total"]
assert r["kv_bytes_per_token"] == 60, r["kv_bytes_per_token"]
assert r["context_tokens"] == 128
assert r["weights_dtype"] == "fp8"
PY
"$tool" --config "$data/tiny_llama4.json" > /dev/null || fail "--config tiny_llama4.json failed"

# One line on stderr, exit 2, containing $2.
expect_usage_error() {
  local want=$1; shift
  local err rc lines
  err=$("$tool" "$@" 2>&1 >/dev/null); rc=$?
  [ $rc -eq 2 ] || fail "fp_sizing $* exited $rc, want 2 ($err)"
  lines=$(printf '%s\n' "$err" | grep -c .)
  [ "$lines" -eq 1 ] || fail "fp_sizing $* printed $lines lines, want 1: $err"
  printf '%s' "$err" | grep -qF -- "$want" || fail "fp_sizing $*: error does not mention '$want': $err"
}

expect_usage_error 'missing field "hidden_size"' --config "$data/missing_field.json"
expect_usage_error 'missing field "moe_intermediate_size"' --config "$data/moe_missing_field.json"
expect_usage_error 'field "num_hidden_layers" must be a positive integer' --config "$data/wrong_type.json"
expect_usage_error 'invalid JSON' --config "$data/not_json.json"
expect_usage_error 'must be a JSON object' --config "$data/not_object.json"
expect_usage_error 'No such file' --config "$work/no-such-config.json"
expect_usage_error 'unknown model' --model no-such-model
expect_usage_error '--gpu-mem-gb' --model DeepSeek-R1 --server custom
expect_usage_error 'unknown server type' --model DeepSeek-R1 --server a100
expect_usage_error 'go with --server custom' --model DeepSeek-R1 --gpu-mem-gb 80
expect_usage_error 'not supported' --model DeepSeek-R1 --kv-dtype int4
expect_usage_error 'unknown data type' --model DeepSeek-R1 --weights-dtype fp6
expect_usage_error 'give --model' --server h100
expect_usage_error 'excludes' --model DeepSeek-R1 --config "$data/tiny_dense.json"
expect_usage_error 'gpu-util' --model DeepSeek-R1 --gpu-util 1.5

# A missing field does not leave a document claiming success.
"$tool" --config "$data/missing_field.json" --json bad.json 2>/dev/null
[ ! -e bad.json ] || fail "a malformed config still wrote a document"

echo "PASS: fp_sizing --config and malformed input"
