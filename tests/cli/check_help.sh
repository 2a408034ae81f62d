#!/usr/bin/env bash
# A tool must answer --help with exit 0 and usage text, and reject an unknown option with
# exit 2 and exactly one line on stderr naming the problem.
set -u
tool=$1
name=$(basename "$tool")
out=$("$tool" --help 2>&1); rc=$?
[ $rc -eq 0 ] || { echo "FAIL: $name --help exited $rc"; exit 1; }
echo "$out" | grep -qi "usage" || { echo "FAIL: $name --help printed no usage: $out"; exit 1; }
err=$("$tool" --no-such-option-xyz 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] || { echo "FAIL: $name --no-such-option-xyz exited $rc, want 2"; exit 1; }
lines=$(printf '%s\n' "$err" | grep -c .)
[ "$lines" -eq 1 ] || { echo "FAIL: $name printed $lines lines for a bad option, want 1: $err"; exit 1; }
echo "$err" | grep -q "no-such-option-xyz" || { echo "FAIL: error does not name the option: $err"; exit 1; }
echo "PASS: $name --help and bad-option handling"
