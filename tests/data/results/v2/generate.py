#!/usr/bin/python3
"""Writes the fabricperf/2 readings of recorded fabricperf/1 documents (deterministic).

* suite_golive.json: tests/data/runners/golive-baseline.json (a real fp_suite go-live run on the
  virtual cluster, fabricperf/1) with the same measurements as fabricperf/2 rows: bandwidth rows
  count their messages (`messages`, the old total `iterations`), `iterations` per QP, `bytes`,
  `duration_s` and rates that obey bytes x 8 / duration_s; latency rows say `latency` instead
  of `round_trip`, carry `qps`/`bidirectional`, `p99_99_us`, a histogram and no line rate.
* bw.json, lat.json: ../bw_sweep.json and ../lat.json (fp_bw -a over two NICs + aggregate,
  fp_lat) with the fabricperf/2 fields.
Run: /usr/bin/python3 generate.py
"""
import copy
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parent


def load(path):
    return json.loads(path.read_text())


def v2_document(doc):
    out = copy.deepcopy(doc)
    out["schema"] = "fabricperf/2"
    return out


def bandwidth(row, messages, qps, line_rate_gbps):
    """Fills messages, bytes, duration_s and the rates from bw_avg_gbps, as the tools do."""
    row["qps"] = qps
    row.setdefault("bidirectional", False)
    row["iterations"] = messages // qps
    row["messages"] = messages
    row["bytes"] = messages * row["size_bytes"]
    row["duration_s"] = row["bytes"] * 8 / (row["bw_avg_gbps"] * 1e9)
    row["bw_avg_gbps"] = row["bytes"] * 8 / row["duration_s"] / 1e9
    row["bw_peak_gbps"] = max(row.get("bw_peak_gbps", 0), row["bw_avg_gbps"])
    row["msg_rate_mpps"] = messages / row["duration_s"] / 1e6
    row["line_rate_gbps"] = line_rate_gbps
    row["line_rate_pct"] = 100 * row["bw_avg_gbps"] / line_rate_gbps if line_rate_gbps > 0 else None
    return row


def latency(row, qps_one=True):
    flag = row.pop("round_trip", None)
    row["latency"] = "round_trip" if flag else "half_round_trip"
    row.pop("line_rate_gbps", None)
    row["qps"] = 1
    row["bidirectional"] = False
    row.setdefault("p99_99_us", row["t_max_us"])
    if "histogram" not in row:
        row["histogram"] = [{"le": row["p50_us"], "count": row["iterations"] // 2},
                            {"le": row["t_max_us"], "count": row["iterations"] - row["iterations"] // 2}]
    return row


def suite():
    doc = v2_document(load(DATA.parent / "runners" / "golive-baseline.json"))
    for row in doc["results"]:
        stage = row["stage"]
        if stage in ("verbs_bw", "stress") and not row.get("aggregate"):
            bandwidth(row, row.pop("iterations"), row["qps"], row["line_rate_gbps"])
        elif stage == "verbs_lat":
            latency(row)
    return doc


def tool_rows(name, fix):
    doc = v2_document(load(DATA / name))
    hosts = sorted({r["host"] for r in doc["results"]} | {r.get("peer_host", "") for r in doc["results"]} - {""})
    for row in doc["results"]:
        if not row.get("aggregate"):
            row["rank"], row["peer_rank"] = 0, 1
            row["peer_device"] = row["device"]
            row["pair"] = int(row["device"].rsplit("_", 1)[1])
        fix(row)
    return doc, hosts


def bw():
    def fix(row):
        if not row.get("aggregate"):
            bandwidth(row, row["iterations"], 1, 400.0)
    doc, _ = tool_rows("bw_sweep.json", fix)
    singles = [r for r in doc["results"] if not r.get("aggregate")]
    for agg in doc["results"]:
        if not agg.get("aggregate"):
            continue
        parts = [r for r in singles if r["size_bytes"] == agg["size_bytes"]]
        agg.pop("iterations")
        for key in ("messages", "bytes", "bw_avg_gbps", "bw_peak_gbps", "msg_rate_mpps", "line_rate_gbps"):
            agg[key] = sum(r[key] for r in parts)
        agg["duration_s"] = max(r["duration_s"] for r in parts)
        agg["line_rate_pct"] = 100 * agg["bw_avg_gbps"] / agg["line_rate_gbps"]
    return doc


def lat():
    doc, _ = tool_rows("lat.json", latency)
    return doc


for name, make in (("suite_golive.json", suite), ("bw.json", bw), ("lat.json", lat)):
    (HERE / name).write_text(json.dumps(make(), indent=1) + "\n")
