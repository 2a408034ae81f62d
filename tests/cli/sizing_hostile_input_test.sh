#!/usr/bin/env bash
# fp_sizing against hostile and careless input (issue 14 rows 8-10): special files, oversize and
# deeply nested configs, numbers past every sane limit, negative counts and empty paths all exit 2
# with one line naming the problem -- never a hang, an exhausted memory or a wrong answer.
set -uo pipefail
: "${FP_BUILD_DIR:?}" "${FP_SOURCE_DIR:?}"
tool="$FP_BUILD_DIR/sizing/fp_sizing"
data="$FP_SOURCE_DIR/tests/data/sizing"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
failures=0
bad() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_refusal DESCRIPTION TEXT ARGS...: exit 2, exactly one line on stderr, containing TEXT.
expect_refusal() {
  local what=$1 want=$2; shift 2
  # 2 GB of address space: a config that makes fp_sizing allocate per layer fails fast, not the box.
  (ulimit -v 2000000; timeout 30 "$tool" "$@") >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ "$rc" -ne 2 ]; then bad "$what: exit $rc, want 2 ($(head -c 300 "$tmp/err"))"; return; fi
  local lines; lines=$(grep -c . "$tmp/err")
  if [ "$lines" -ne 1 ]; then bad "$what: $lines lines on stderr, want 1: $(cat "$tmp/err")"; return; fi
  if ! grep -qF -- "$want" "$tmp/err"; then bad "$what: stderr does not mention '$want': $(cat "$tmp/err")"; return; fi
  echo "PASS: $what"
}

# Row 8: special and oversize files.
expect_refusal "--config /dev/zero" "not a regular file" --config /dev/zero
mkfifo "$tmp/fifo"
expect_refusal "--config FIFO" "FIFO" --config "$tmp/fifo"
expect_refusal "--config directory" "directory" --config "$tmp"
truncate -s 5M "$tmp/huge.json"
expect_refusal "--config above the size cap" "more than the limit" --config "$tmp/huge.json"
/usr/bin/python3 -c 'print("[" * 100000 + "]" * 100000)' >"$tmp/deep.json"
expect_refusal "--config nested 100k deep" "nested deeper than" --config "$tmp/deep.json"
sed 's/"vocab_size": 100/"vocab_size": 1e400/' "$data/tiny_dense.json" >"$tmp/1e400.json"
expect_refusal "--config with 1e400" "invalid JSON" --config "$tmp/1e400.json"

# Row 9: numbers from the file past sane limits, naming file, field and value.
expect_refusal "num_hidden_layers 10^9" 'field "num_hidden_layers" is 1000000000' --config "$data/huge_layers.json"
grep -qF "huge_layers.json" "$tmp/err" || bad "the layers error does not name the file"
expect_refusal "n_routed_experts 2^64-1" 'field "n_routed_experts" is 18446744073709551615' --config "$data/huge_experts.json"
sed 's/"hidden_size": 64/"hidden_size": 4294967296/' "$data/tiny_dense.json" >"$tmp/hidden.json"
expect_refusal "hidden_size 2^32" 'field "hidden_size" is 4294967296' --config "$tmp/hidden.json"

# Row 9: negative values for unsigned options (CLI11 would turn -1 into 2^64-1).
expect_refusal "--sequences -1" "--sequences" --model DeepSeek-R1 --sequences -1
expect_refusal "--sequences ' -5'" "--sequences" --model DeepSeek-R1 --sequences ' -5'
expect_refusal "--sequences 2^64-1" "--sequences" --model DeepSeek-R1 --sequences 18446744073709551615
expect_refusal "--gpus-per-server -8" "--gpus-per-server" --model DeepSeek-R1 --server custom --gpu-mem-gb 80 --gpus-per-server -8
expect_refusal "--gpus-per-server 2^63" "--gpus-per-server" --model DeepSeek-R1 --server custom --gpu-mem-gb 80 \
  --gpus-per-server 9223372036854775808
expect_refusal "--gpu-mem-gb 1e300" "--gpu-mem-gb" --model DeepSeek-R1 --server custom --gpu-mem-gb 1e300 --gpus-per-server 8
expect_refusal "--context 2T" "--context" --model DeepSeek-R1 --context 2T

# Row 10: empty strings are refused, not taken as "not given".
expect_refusal "--config ''" "--config" --config ''
expect_refusal "--json ''" "--json" --model DeepSeek-R1 --json ''
expect_refusal "--weights-dtype ''" "--weights-dtype" --model DeepSeek-R1 --weights-dtype ''

# Sane values still work.
timeout 30 "$tool" --model DeepSeek-R1 --sequences 64 >/dev/null 2>&1 || bad "--sequences 64 no longer works"
timeout 30 "$tool" --config "$data/tiny_dense.json" >/dev/null 2>&1 || bad "tiny_dense.json no longer sizes"

[ $failures -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "PASS: fp_sizing hostile input"
