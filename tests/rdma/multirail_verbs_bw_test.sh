#!/usr/bin/env bash
# fp_bw --all-devices on the multi-rail cluster (fixture testbed_multirail: 3 nodes x 2 rails x
# 2 NUMA nodes), node1 -> node2: one row per NIC (rxe0 -> rxe0, rxe1 -> rxe1) plus the aggregate,
# on both sides; each lane pinned to its NIC's NUMA node (rxe1's to node 1, whose only CPU is 1),
# as params.devices records. Never asserts on speed.
source "$(dirname "$0")/lib.sh"
if [ -n "${FABRICPERF_TEST_HOSTS:-}" ]; then echo "SKIP: needs the multi-rail virtual cluster"; exit 0; fi
BW=$FP_BUILD_DIR/bw/fp_bw
[ -x "$BW" ] || fail "$BW not built"
out=$(fp_scratch)

fp_pair "$BW" "$out" all --all-devices -x "$FP_GID" --timeout 60 -s 64K -n 200 --op write --validate
cat "$out/all.client.log"
for side in client server; do
  doc=$out/all.$side.json
  assert_json "$doc" "d['status'] == 'ok' and not d['partial'] and d['tool'] == 'fp_bw'"
  assert_json "$doc" "sorted((r['device'], r['peer_device']) for r in d['results'] if not r.get('aggregate')) == [('rxe0', 'rxe0'), ('rxe1', 'rxe1')]"
  assert_json "$doc" "all(r['bw_avg_gbps'] > 0 and r['size_bytes'] == 65536 for r in d['results'])"
  assert_json "$doc" "len([r for r in d['results'] if r.get('aggregate')]) == 1"
  # The aggregate is the sum of the NIC rows it stands for.
  assert_json "$doc" "abs(sum(r['bw_avg_gbps'] for r in d['results'] if not r.get('aggregate')) - [r for r in d['results'] if r.get('aggregate')][0]['bw_avg_gbps']) < 1e-6 * max(1, [r for r in d['results'] if r.get('aggregate')][0]['bw_avg_gbps'])"
  assert_json "$doc" "sorted((c['labels']['device'], c['status']) for c in d['checks'] if c['name'] == 'data_validation') == [('rxe0', 'pass'), ('rxe1', 'pass')]"
  assert_json "$doc" "[(x['device'], x.get('numa_node'), x.get('netdev')) for x in d['params']['devices']] == [('rxe0', 0, 'eth0'), ('rxe1', 1, 'eth1')]"
  assert_json "$doc" "[x.get('pinning') for x in d['params']['devices']] == ['numa node 0 (cpus 0)', 'numa node 1 (cpus 1)']"
done
grep -q "(aggregate)" "$out/all.client.log" || fail "the table has no aggregate line"
grep -q "node1:rxe1 -> node2:rxe1" "$out/all.client.log" || fail "the table has no rxe1 line"
pass "fp_bw --all-devices: rows rxe0 and rxe1 plus their aggregate; rxe0's lane on NUMA node 0, rxe1's on NUMA node 1"
