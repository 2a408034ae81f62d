#!/usr/bin/env bash
# Faithfulness of the test bed: rdma-core's own verbs suite (python3-pyverbs,
# shipped under /usr/share/doc/rdma-core/tests, partly gzipped) on node1's
# rxe0. Expected on kernel 6.1 rxe: ~86 pass, the rest skipped (vendor
# specific), at most the known error test_qp_ex_rc_atomic_write (rxe has no
# RDMA atomic write). Only for the virtual cluster.
source "$(dirname "$0")/lib.sh"

if [ -n "${FABRICPERF_TEST_HOSTS:-}" ]; then echo "real hosts: skipped"; exit 0; fi
[ -d /usr/share/doc/rdma-core/tests ] || fail "python3-pyverbs tests not installed"

out=$(fp_scratch)
fp_run_t 300 node1 bash -c '
  set -e
  cp -r /usr/share/doc/rdma-core/tests /tmp/pyverbs-tests
  gunzip -f /tmp/pyverbs-tests/*.gz
  cd /tmp && python3 pyverbs-tests/run_tests.py --dev rxe0 --gid 1 -v' >"$out/pyverbs.log" 2>&1
echo "run_tests.py exit code: $? (1 is expected: rxe lacks atomic write; log: $out/pyverbs.log)"

summary=$(grep -E '^Ran [0-9]+ tests' "$out/pyverbs.log") || fail "no unittest summary in $out/pyverbs.log"
passed=$(grep -cE ' \.\.\. ok$' "$out/pyverbs.log")
bad=$(grep -E ' \.\.\. (ERROR|FAIL)$' "$out/pyverbs.log" | grep -v 'test_qp_ex_rc_atomic_write' || true)
[ -z "$bad" ] || fail "unexpected failures: $bad"
((passed >= 60)) || fail "only $passed tests passed ($summary)"
pass "pyverbs on rxe0: $passed passed ($summary)"
