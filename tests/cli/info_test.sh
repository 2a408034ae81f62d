#!/usr/bin/env bash
# fp_info writes a schema-valid document to a file and to stdout (then stdout is pure JSON).
set -euo pipefail
tool=$FP_BUILD_DIR/info/fp_info
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$tool" --json "$tmp/info.json" > "$tmp/human.txt"
grep -q '^kernel' "$tmp/human.txt" || { echo "FAIL: no human table"; exit 1; }
/usr/bin/python3 "$FP_SOURCE_DIR/tests/tools/validate_document.py" "$tmp/info.json"
"$tool" --json - 2>/dev/null | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["tool"]=="fp_info" and d["status"]=="ok", d'
# fp_info waits on no peer: --timeout is not one of its options (issue 17).
if "$tool" --timeout 5 2>"$tmp/err"; then echo "FAIL: --timeout accepted by a tool without peers"; exit 1; fi
grep -q -- "--timeout" "$tmp/err" || { echo "FAIL: the error does not name --timeout"; cat "$tmp/err"; exit 1; }
[ "$(wc -l < "$tmp/err")" -eq 1 ] || { echo "FAIL: multi-line usage error"; cat "$tmp/err"; exit 1; }
echo "PASS: fp_info"
