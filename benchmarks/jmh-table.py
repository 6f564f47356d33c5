#!/usr/bin/env python3
"""Markdown table of JMH JSON results (-rf json, -prof gc): ns/op with error and gc.alloc.rate.norm in B/op.
usage: jmh-table.py RESULT.json [RESULT2.json ...]   (several files: one column pair per file, side by side)"""
import json
import sys


def load(path):
    rows = {}
    for r in json.load(open(path)):
        name = r["benchmark"].rsplit(".", 2)
        key = (name[-2] + "." + name[-1], ", ".join("%s=%s" % kv for kv in sorted(r.get("params", {}).items())))
        m = r["primaryMetric"]
        alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        rows[key] = (m["score"], m.get("scoreError"), alloc)
    return rows


def fmt(v, err):
    if v is None:
        return "-"
    s = "%.1f" % v if v < 100 else "%.0f" % v
    if err is not None and err == err:  # not NaN
        s += " ± %.1f" % err if err < 100 else " ± %.0f" % err
    return s


files = sys.argv[1:]
tables = [load(f) for f in files]
keys = sorted(set(k for t in tables for k in t))
head = "| benchmark | params |" + "".join(" ns/op (%d) | B/op (%d) |" % (i + 1, i + 1) for i in range(len(files)))
print(head)
print("|" + " --- |" * (2 + 2 * len(files)))
for k in keys:
    cells = []
    for t in tables:
        score, err, alloc = t.get(k, (None, None, None))
        cells.append(fmt(score, err))
        cells.append("-" if alloc is None else "%.1f" % alloc)
    print("| %s | %s | %s |" % (k[0], k[1], " | ".join(cells)))
