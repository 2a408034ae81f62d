#!/usr/bin/env bash
# fp_sizing with built-in models: exit codes, the known H100 results, the JSON document (it must
# validate against the schema), --list-models and --table — run from a foreign working directory
# to show the catalogue is embedded in the binary.
set -u
: "${FP_BUILD_DIR:?}" "${FP_SOURCE_DIR:?}"
tool="$FP_BUILD_DIR/sizing/fp_sizing"
validate="$FP_SOURCE_DIR/tests/tools/validate_document.py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
field() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# DeepSeek-R1 at full context (FP8 as released): two 8xH100 servers.
"$tool" --model DeepSeek-R1 --json r1.json > r1.txt; rc=$?
[ $rc -eq 0 ] || fail "--model DeepSeek-R1 exited $rc"
/usr/bin/python3 "$validate" r1.json || fail "r1.json does not validate"
[ "$(field r1.json "d['results'][0]['min_servers']")" = 2 ] || fail "DeepSeek-R1 on H100: want 2 servers"
[ "$(field r1.json "d['results'][0]['weights_dtype']")" = fp8 ] || fail "DeepSeek-R1 native dtype is not fp8"
[ "$(field r1.json "d['results'][0]['context_tokens']")" = 163840 ] || fail "DeepSeek-R1 default context is not its maximum"
[ "$(field r1.json "d['results'][0]['kv_bytes_per_token']")" = 70272 ] || fail "DeepSeek-R1 MLA KV bytes per token"
[ "$(field r1.json "sorted(d['results'][0]['layout'])[:0] == [] and all(k in d['results'][0]['layout'] for k in ('tp','pp','ep'))")" = True ] \
  || fail "layout lacks tp/pp/ep"
[ "$(field r1.json "all(k in d['results'][0]['per_gpu_bytes'] for k in ('weights','kv_cache','reserve','free'))")" = True ] \
  || fail "per_gpu_bytes lacks a field"
[ "$(field r1.json "d['status']")" = ok ] || fail "status is not ok"
grep -q "2 servers" r1.txt || fail "the human table does not say 2 servers: $(cat r1.txt)"

# Llama-3.1-405B at full context (BF16): two 8xH100 servers, one 8xH200 server.
"$tool" --model llama-3.1-405b --json l405.json > /dev/null || fail "--model llama-3.1-405b failed"
[ "$(field l405.json "d['results'][0]['min_servers']")" = 2 ] || fail "Llama-3.1-405B on H100: want 2 servers"
"$tool" --model llama-3.1-405b --server h200 --json l405h200.json > /dev/null || fail "405B on h200 failed"
[ "$(field l405h200.json "d['results'][0]['min_servers']")" = 1 ] || fail "Llama-3.1-405B on H200: want 1 server"

# Overrides: FP8 weights, FP8 KV, a shorter context, several sequences, custom server.
"$tool" --model Llama-3.1-405B-Instruct --weights-dtype fp8 --kv-dtype fp8 --context 32K --sequences 4 \
  --gpu-util 0.85 --reserve-gb 6 --json over.json > /dev/null || fail "overrides failed"
/usr/bin/python3 "$validate" over.json || fail "over.json does not validate"
[ "$(field over.json "d['results'][0]['context_tokens']")" = 32768 ] || fail "--context 32K"
[ "$(field over.json "d['results'][0]['sequences']")" = 4 ] || fail "--sequences 4"
[ "$(field over.json "d['results'][0]['kv_dtype']")" = fp8 ] || fail "--kv-dtype fp8"
"$tool" --model Llama-3.1-70B --server custom --gpu-mem-gb 48 --gpus-per-server 4 --json custom.json > /dev/null \
  || fail "custom server failed"
[ "$(field custom.json "d['results'][0]['gpus_per_server']")" = 4 ] || fail "custom gpus per server"

# --json - puts the document on stdout and the table on stderr.
"$tool" --model Qwen3-235B-A22B --json - > stdout.json 2> stderr.txt || fail "--json - failed"
/usr/bin/python3 "$validate" stdout.json || fail "stdout document does not validate"
grep -q "Qwen3-235B-A22B" stderr.txt || fail "human output not on stderr with --json -"

# --list-models names every model and writes a valid document.
"$tool" --list-models --json list.json > list.txt || fail "--list-models failed"
/usr/bin/python3 "$validate" list.json || fail "list.json does not validate"
for m in Llama-3.1-405B-Instruct Llama-3.1-70B DeepSeek-R1 DeepSeek-V3 Qwen3-235B-A22B Kimi-K2-Instruct \
         Llama-4-Scout-17B-16E-Instruct Llama-4-Maverick-17B-128E-Instruct; do
  grep -q "^$m " list.txt || fail "--list-models lacks $m"
done

# --table: every model against h100/h200/b200.
"$tool" --table --json table.json > table.txt || fail "--table failed"
/usr/bin/python3 "$validate" table.json || fail "table.json does not validate"
[ "$(field table.json "len(d['results'])")" = 24 ] || fail "--table: want 8 models x 3 servers"
grep -Eq "^DeepSeek-R1 .* 2 +1 +1$" table.txt || fail "--table DeepSeek-R1 row: $(grep DeepSeek-R1 table.txt)"
grep -Eq "^Llama-3.1-405B-Instruct .* 2 +1 +1$" table.txt || fail "--table 405B row: $(grep 405B table.txt)"

# A request that fits nowhere: exit 1, the reason in the document's errors.
"$tool" --model Llama-3.1-70B --sequences 100000 --json nofit.json > nofit.txt; rc=$?
[ $rc -eq 1 ] || fail "an impossible request exited $rc, want 1"
/usr/bin/python3 "$validate" nofit.json || fail "nofit.json does not validate"
[ "$(field nofit.json "d['status']")" = failed ] || fail "impossible request: status is not failed"
[ "$(field nofit.json "len(d['errors'])")" = 1 ] || fail "impossible request: no error recorded"

echo "PASS: fp_sizing built-in models, known results, JSON, --list-models, --table"
