#!/usr/bin/python3
"""Regenerates the recorded fabricperf/1 documents in this folder (deterministic: fixed seed).

The numbers follow real hardware: 400G NDR InfiniBand (ConnectX-7, 8 rails per node, 8 H100 per
node), perftest-like bandwidth curves (half of the peak near 4 KiB messages), ~1.9 us RDMA write
latency, nccl-tests-like all-reduce bus bandwidth. Run: /usr/bin/python3 generate.py
"""
import copy
import json
import math
import pathlib
import random

HERE = pathlib.Path(__file__).resolve().parent
rng = random.Random(20260314)
SIZES_A = [2 ** k for k in range(1, 24)]  # perftest -a: 2 .. 8M


def host(name, fw="28.39.1002", rails=2, kernel="6.1.0-18-amd64", driver="550.54.15", down=()):
    devices = []
    for r in range(rails):
        devices.append({
            "name": f"mlx5_{r}", "node_type": "CA", "fw_ver": fw,
            "node_guid": f"b83f:d203:00{r:02x}:{sum(map(ord, name)) % 65536:04x}",
            "netdevs": [f"ibp{r * 16 + 24}s0"],
            "ports": [{"port": 1, "state": "DOWN" if r in down else "ACTIVE",
                       "phys_state": "DISABLED" if r in down else "LINK_UP", "link_layer": "InfiniBand",
                       "rate": "400 Gb/sec (4X NDR)", "rate_gbps": 400.0, "active_speed": "NDR", "active_width": "4X"}],
        })
    return {"hostname": name, "kernel": kernel, "os": "Debian GNU/Linux 12 (bookworm)", "rdma_core_version": "44.0",
            "nvidia_driver": driver, "cuda_version": "12.4", "rdma_devices": devices}


def doc(tool, command_line, started, finished, hosts, params, results, checks, errors=(), status="ok", partial=False):
    return {"schema": "fabricperf/1", "tool": tool, "version": "0.1.0", "started_at": started, "finished_at": finished,
            "status": status, "partial": partial, "command_line": command_line, "hosts": hosts, "params": params,
            "results": results, "checks": checks, "errors": list(errors)}


def check(name, status, expected, measured, detail, labels=None):
    c = {"name": name, "status": status, "expected": expected, "measured": measured, "detail": detail}
    if labels:
        c["labels"] = labels
    return c


def r2(x):
    return round(x, 2)


def bw_curve(size, peak=392.0, half=4096):
    return peak * size / (size + half)


def bw_rows(hostname, peer, devices, scale=None, jitter=0.004):
    """fp_bw -a rows for each device, plus an aggregate row per size."""
    scale = scale or (lambda dev, size: 1.0)
    rows = []
    for size in SIZES_A:
        total = 0.0
        for dev in devices:
            bw = bw_curve(size) * scale(dev, size) * (1 + rng.uniform(-jitter, jitter))
            total += bw
            rows.append({"host": hostname, "peer_host": peer, "device": dev, "port": 1, "op": "write",
                         "size_bytes": size, "iterations": 5000, "bw_avg_gbps": r2(bw),
                         "bw_peak_gbps": r2(min(bw * 1.012, 400.0)),
                         "msg_rate_mpps": round(bw * 1e9 / 8 / size / 1e6, 4), "line_rate_pct": r2(bw / 4.0)})
        rows.append({"host": hostname, "peer_host": peer, "aggregate": True, "devices": devices, "op": "write",
                     "size_bytes": size, "iterations": 5000, "bw_avg_gbps": r2(total),
                     "bw_peak_gbps": r2(total * 1.01), "msg_rate_mpps": round(total * 1e9 / 8 / size / 1e6, 4),
                     "line_rate_pct": r2(total / (4.0 * len(devices)))})
    return rows


def bw_doc(fw="28.39.1002", scale=None, started="2026-03-14T09:12:31.412Z", finished="2026-03-14T09:13:02.977Z"):
    devices = ["mlx5_0", "mlx5_1"]
    rows = bw_rows("gpu-node-01", "gpu-node-02", devices, scale)
    checks = []
    for dev in devices:
        big = [r for r in rows if r.get("device") == dev and r["size_bytes"] == SIZES_A[-1]][0]
        ok = big["line_rate_pct"] >= 90
        checks.append(check("bw_line_rate", "pass" if ok else "fail", {"min_pct": 90}, big["line_rate_pct"],
                            f"{dev}: {big['bw_avg_gbps']} Gbit/s at 8M is {big['line_rate_pct']}% of 400 Gbit/s",
                            {"host": "gpu-node-01", "device": dev, "port": 1}))
        checks.append(check("link_active", "pass", "ACTIVE 400 Gb/sec", "ACTIVE 400 Gb/sec", f"{dev} port 1",
                            {"host": "gpu-node-01", "device": dev, "port": 1}))
    return doc("fp_bw", ["fp_bw", "-a", "-d", "mlx5_0,mlx5_1", "--op", "write", "--json", "bw.json", "gpu-node-02"],
               started, finished, [host("gpu-node-01", fw), host("gpu-node-02", fw)],
               {"op": "write", "devices": devices, "sizes": "2..8M", "iterations": 5000, "qps": 1, "tx_depth": 128,
                "peer": "gpu-node-02"}, rows, checks)


def lat_rows(hostname, peer, device, sizes, base_us=1.91, stage=None):
    rows = []
    for size in sizes:
        typical = base_us + size * 8 / 390e3  # 390 Gbit/s = 390e3 bits per microsecond
        t_min = typical * 0.97
        p50 = typical * (1 + rng.uniform(-0.003, 0.003))
        p90, p99, p999, p9999 = p50 * 1.03, p50 * 1.12, p50 * 1.45, p50 * 2.6
        t_max = p50 * 6.8
        avg = p50 * 1.02
        iters = 1000
        # Log-bucketed histogram (bucket upper edges), counts sum to the iterations.
        edges = sorted({round(t_min * 0.999, 3), round(p50, 3), round(p90, 3), round(p99, 3), round(p999, 3),
                        round(t_max, 3)})
        counts = [1, 499, 400, 90, 9, 1][:len(edges)]
        counts[-1] += iters - sum(counts)
        row = {"host": hostname, "peer_host": peer, "device": device, "port": 1, "op": "write", "size_bytes": size,
               "iterations": iters, "t_min_us": round(t_min, 3), "t_max_us": round(t_max, 3),
               "t_typical_us": round(p50, 3), "t_avg_us": round(avg, 3), "t_stdev_us": round(p50 * 0.041, 3),
               "p50_us": round(p50, 3), "p90_us": round(p90, 3), "p99_us": round(p99, 3), "p99_9_us": round(p999, 3),
               "p99_99_us": round(p9999, 3), "histogram": [{"le": e, "count": c} for e, c in zip(edges, counts) if c > 0]}
        if stage:
            row = {"stage": stage, **row}
        rows.append(row)
    return rows


def lat_doc():
    rows = lat_rows("gpu-node-01", "gpu-node-02", "mlx5_0", SIZES_A)
    small = rows[0]
    checks = [check("latency_p99", "pass", {"max_us": 3.0}, small["p99_us"], "p99 at 2 bytes",
                    {"host": "gpu-node-01", "device": "mlx5_0"})]
    return doc("fp_lat", ["fp_lat", "-a", "-d", "mlx5_0", "--op", "write", "--json", "lat.json", "gpu-node-02"],
               "2026-03-14T09:14:10.020Z", "2026-03-14T09:14:41.503Z",
               [host("gpu-node-01"), host("gpu-node-02")],
               {"op": "write", "device": "mlx5_0", "sizes": "2..8M", "iterations": 1000}, rows, checks)


def coll_rows(ranks, colls=("allreduce", "allgather"), peak=340.0, stage=None, sizes=None, scale=1.0):
    sizes = sizes or [4 ** k * 1024 for k in range(0, 11)]  # 1K .. 1G
    rows = []
    for coll in colls:
        factor = 2 * (ranks - 1) / ranks if coll == "allreduce" else (ranks - 1) / ranks
        for size in sizes:
            for in_place in (False, True):
                busbw = peak * scale * size / (size + 8 * 2 ** 20) * (1 + rng.uniform(-0.01, 0.01))
                busbw = max(busbw, 0.05)
                algbw = busbw / factor
                row = {"coll": coll, "backend": "nccl", "ranks": ranks, "size_bytes": size, "count": size // 4,
                       "dtype": "float", "op": "sum" if coll == "allreduce" else "none", "in_place": in_place,
                       "time_us": round(size / (algbw * 1e3), 2), "algbw_GBps": r2(algbw), "busbw_GBps": r2(busbw),
                       "wrong": 0}
                if stage:
                    row = {"stage": stage, **row}
                rows.append(row)
    return rows


def coll_doc():
    rows = coll_rows(16)
    big = [r for r in rows if r["coll"] == "allreduce" and r["size_bytes"] == 2 ** 30 and not r["in_place"]][0]
    checks = [check("coll_correct", "pass", 0, 0, "no wrong elements in any collective"),
              check("busbw_min", "pass", {"min_GBps": 300}, big["busbw_GBps"], "allreduce busbw at 1G",
                    {"coll": "allreduce"})]
    return doc("fp_coll", ["mpirun", "-np", "16", "fp_coll", "-b", "1K", "-e", "1G", "-f", "4", "--json", "coll.json"],
               "2026-03-14T09:20:00.000Z", "2026-03-14T09:21:12.250Z",
               [host(f"gpu-node-0{i}", rails=8) for i in (1, 2)],
               {"colls": ["allreduce", "allgather"], "backend": "nccl", "ranks": 16, "minbytes": 1024,
                "maxbytes": 2 ** 30, "stepfactor": 4, "dtype": "float"}, rows, checks)


def topo_host(name, broken_rail=None):
    gpus, nics, matrix = [], [], []
    gpu_pci = ["0000:18:00.0", "0000:2a:00.0", "0000:3a:00.0", "0000:5d:00.0",
               "0000:9a:00.0", "0000:ab:00.0", "0000:ba:00.0", "0000:db:00.0"]
    nic_pci = ["0000:17:00.0", "0000:29:00.0", "0000:39:00.0", "0000:5c:00.0",
               "0000:99:00.0", "0000:aa:00.0", "0000:b9:00.0", "0000:da:00.0"]
    for n in range(8):
        nics.append({"id": f"mlx5_{n}", "pci": nic_pci[n], "numa": 0 if n < 4 else 1})
    for g in range(8):
        row = []
        for n in range(8):
            if g == n:
                row.append("PIX")
            elif (g < 4) == (n < 4):
                row.append("NODE")
            else:
                row.append("SYS")
        matrix.append(row)
        gpu = {"index": g, "pci": gpu_pci[g], "numa": 0 if g < 4 else 1, "model": "H100 80GB HBM3",
               "nearest_nics": [f"mlx5_{g}"], "nearest_path": "PIX", "nic": f"mlx5_{g}", "nics": [f"mlx5_{g}"],
               "uses": f"mlx5_{g}", "nic_path": "PIX"}
        if broken_rail == g:  # its NIC is down: no dedicated NIC, it shares its neighbour's
            gpu.update({"nic": None, "nics": [], "uses": f"mlx5_{g - 1}", "nic_path": "NODE"})
        gpus.append(gpu)
    return {"host": name, "gpus": gpus, "nics": nics, "matrix": matrix}


def topo_doc():
    rows = [topo_host("gpu-node-01"), topo_host("gpu-node-02", broken_rail=5)]
    checks = []
    for r in rows:
        for g in r["gpus"]:
            ok = g["uses"] in g["nearest_nics"]
            checks.append(check("gpu_nic_affinity", "pass" if ok else "warn", "PIX",
                                "PIX" if ok else "NODE",
                                f"GPU {g['index']} uses {g['uses']}" +
                                ("" if ok else f" (nearest {g['nearest_nics'][0]} is down)"),
                                {"host": r["host"], "gpu": g["index"]}))
    return doc("fp_topo", ["fp_topo", "--json", "topo.json"], "2026-03-14T09:05:00.100Z", "2026-03-14T09:05:01.900Z",
               [host("gpu-node-01", rails=8), host("gpu-node-02", rails=8, down=(5,))], {}, rows, checks)


NODES = ["gpu-node-01", "gpu-node-02", "gpu-node-03", "gpu-node-04"]


def suite_doc(fw="28.39.1002", weak=True, started="2026-03-14T10:00:00.000Z", finished="2026-03-14T10:41:17.540Z"):
    rows, checks = [], []
    for n in NODES:
        checks.append(check("preflight_ports_active", "pass", 8, 8, f"{n}: 8 of 8 ports ACTIVE at 400 Gb/sec",
                            {"host": n}))
    # Node-pair matrix: every ordered pair, 4 rails, 8M writes.
    for a in NODES:
        for b in NODES:
            if a == b:
                continue
            for rail in range(4):
                bw = bw_curve(8 * 2 ** 20) * (1 + rng.uniform(-0.004, 0.004))
                if weak and {a, b} == {"gpu-node-03", "gpu-node-04"} and rail == 2:
                    bw = 191.3 + rng.uniform(-0.5, 0.5)  # a link trained at half width (2X)
                rows.append({"stage": "verbs_bw", "host": a, "peer_host": b, "device": f"mlx5_{rail}",
                             "peer_device": f"mlx5_{rail}", "rail": rail, "port": 1, "op": "write",
                             "size_bytes": 8 * 2 ** 20, "iterations": 5000, "bw_avg_gbps": r2(bw),
                             "bw_peak_gbps": r2(min(bw * 1.01, 400)), "msg_rate_mpps": round(bw * 1e9 / 8 / 2 ** 23 / 1e6, 4),
                             "line_rate_pct": r2(bw / 4)})
                if bw < 360:
                    checks.append(check("pair_bw", "fail", {"min_gbps": 360}, r2(bw),
                                        f"{a} -> {b} rail {rail}: {r2(bw)} Gbit/s, below 90% of line rate",
                                        {"host": a, "peer_host": b, "rail": rail}))
    checks.append(check("pair_bw", "fail" if weak else "pass", {"min_gbps": 360},
                        None if not weak else 2, "pairs below 90% of line rate" if weak else "every pair at line rate"))
    # A sweep on one pair, rail 0 (bandwidth vs size).
    for size in [2 ** k for k in range(12, 24)]:
        bw = bw_curve(size) * (1 + rng.uniform(-0.004, 0.004))
        rows.append({"stage": "verbs_bw", "host": "gpu-node-01", "peer_host": "gpu-node-02", "device": "mlx5_0",
                     "peer_device": "mlx5_0", "rail": 0, "port": 1, "op": "read", "size_bytes": size,
                     "iterations": 5000, "bw_avg_gbps": r2(bw), "bw_peak_gbps": r2(min(bw * 1.01, 400)),
                     "msg_rate_mpps": round(bw * 1e9 / 8 / size / 1e6, 4), "line_rate_pct": r2(bw / 4)})
    # Latency between neighbours at 2 bytes.
    for a, b in zip(NODES, NODES[1:]):
        rows += lat_rows(a, b, "mlx5_0", [2], base_us=1.93 if b != "gpu-node-04" else 1.97, stage="verbs_lat")
    # GPUDirect RDMA: GPU memory on both sides, each GPU with its nearest NIC.
    for gpu in range(4):
        bw = bw_curve(2 ** 23, peak=389.0) * (1 + rng.uniform(-0.004, 0.004))
        rows.append({"stage": "gdr", "host": "gpu-node-01", "peer_host": "gpu-node-02", "gpu": gpu,
                     "device": f"mlx5_{gpu}", "op": "write", "size_bytes": 2 ** 23, "iterations": 5000,
                     "bw_avg_gbps": r2(bw), "bw_peak_gbps": r2(bw * 1.01),
                     "msg_rate_mpps": round(bw * 1e9 / 8 / 2 ** 23 / 1e6, 4), "line_rate_pct": r2(bw / 4)})
    rows += coll_rows(32, colls=("allreduce",), peak=335.0 if not weak else 301.0, stage="collectives",
                      sizes=[4 ** k * 1024 for k in range(0, 11)])
    rows.append({"stage": "stress", "host": "gpu-node-01", "peer_host": "gpu-node-02", "device": "mlx5_0",
                 "op": "write", "size_bytes": 2 ** 20, "duration_s": 600, "bw_avg_gbps": 389.7,
                 "line_rate_pct": 97.43})
    checks.append(check("stress_errors", "pass", 0, 0, "no port counter errors after 600 s"))
    return doc("fp_suite", ["fp_suite", "--hosts", ",".join(NODES), "--rails", "4", "--json", "suite.json"],
               started, finished, [host(n, fw, rails=4) for n in NODES],
               {"stages": ["preflight", "verbs_bw", "verbs_lat", "gdr", "collectives", "stress"], "hosts": NODES,
                "rails": 4}, rows, checks)


def escaping_doc():
    weird = "rack\"7\\node<script>alert(1)</script>&'x\nsecond line"
    rows = [{"host": weird, "device": "mlx5_0", "port": 1, "op": "write", "size_bytes": 65536, "iterations": 100,
             "bw_avg_gbps": 97.25, "bw_peak_gbps": 98.0, "msg_rate_mpps": 0.1855, "line_rate_pct": 97.25},
            {"host": "nöde-ü", "device": "mlx5_0", "port": 1, "op": "write", "size_bytes": 65536, "iterations": 100,
             "bw_avg_gbps": 96.5, "bw_peak_gbps": 97.0, "msg_rate_mpps": 0.1841, "line_rate_pct": 96.5}]
    checks = [check("link_active", "fail", "ACTIVE", "DOWN", "port is <down> & \"unplugged\"", {"host": weird})]
    h = host(weird)
    return doc("fp_bw", ["fp_bw", "-s", "64K"], "2026-03-14T11:00:00Z", "2026-03-14T11:00:05+00:00", [h],
               {}, rows, checks, errors=["peer <gpu-node-02> said: \"bye\""])


def main():
    out = {}
    out["bw_sweep.json"] = bw_doc()
    out["lat.json"] = lat_doc()
    out["coll.json"] = coll_doc()
    out["topo.json"] = topo_doc()
    out["suite.json"] = suite_doc()
    out["suite_baseline.json"] = suite_doc(fw="28.37.1014", weak=False, started="2026-02-02T10:00:00.000Z",
                                           finished="2026-02-02T10:40:55.112Z")
    # Upgrade check: the baseline before a firmware upgrade, the same fabric after it (mlx5_1 lost
    # ~12% at 64K and up, mlx5_0 small-message rate gained ~8%), and a rerun that only has noise.
    out["baseline_bw.json"] = bw_doc(fw="28.37.1014", started="2026-02-02T08:00:00.000Z",
                                     finished="2026-02-02T08:00:31.200Z")

    def regressed_scale(dev, size):
        if dev == "mlx5_1" and size >= 65536:
            return 0.88
        if dev == "mlx5_0" and size <= 256:
            return 1.08
        return 1.0
    out["regressed_bw.json"] = bw_doc(fw="28.41.1000", scale=regressed_scale)
    out["noisy_rerun_bw.json"] = bw_doc(fw="28.37.1014", scale=lambda dev, size: 1 + rng.uniform(-0.02, 0.02),
                                        started="2026-02-03T08:00:00.000Z", finished="2026-02-03T08:00:31.050Z")
    out["escaping.json"] = escaping_doc()
    for name, d in out.items():
        (HERE / name).write_text(json.dumps(d, indent=1, ensure_ascii=False) + "\n")
    # Bad input for validate/compare exit codes.
    (HERE / "invalid_not_json.json").write_text("fp_bw: this is a log file, not a result document\n")
    wrong_schema = copy.deepcopy(out["lat.json"])
    wrong_schema["schema"] = "fabricperf/0"
    (HERE / "invalid_wrong_schema.json").write_text(json.dumps(wrong_schema, indent=1) + "\n")
    bad_types = copy.deepcopy(out["bw_sweep.json"])
    bad_types["results"][3]["size_bytes"] = "64K"
    del bad_types["hosts"][0]["kernel"]
    bad_types["checks"][0]["status"] = "passed"
    (HERE / "invalid_types.json").write_text(json.dumps(bad_types, indent=1) + "\n")


if __name__ == "__main__":
    main()
