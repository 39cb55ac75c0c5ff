#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The table of make bench, from the guests' output.

    scripts/bench-report.py DIR ROUNDS

DIR holds KERNEL-ROUND.txt, the output of the bench program in each round
on the stock and the patched kernel.  Prints the table, and writes
DIR/results.json and the plots' data: DIR/faults.dat (median page faults
per second per mode) and DIR/wait-METHOD-KERNEL.dat (the target's longest
wait over the time of the move, from each kernel's last round).

The ratio says how much better ours is: ours/stock where higher is better
(bandwidths, rates), stock/ours where lower is better (times).  Each round
gives one ratio; the spread is their minimum and maximum.
"""
import json
import os
import statistics
import sys

LOWER_IS_BETTER = {"ns", "us", "ms"}
# page_migrate is new: it is held to stock's migrate_pages, and to a wait
# bound that migrate_pages(2) cannot give.
REFERENCE = "move.migrate_pages."
NEW = "move.page_migrate."
WAIT_BOUND_MS = 10.0
# The target's waits while nothing moves: the floor of the others, no goal.
FLOOR = "move.no_move."


def parse(path):
    """Rows {name: (value or None, unit, description)}, wait series, notes."""
    rows, waits, notes = {}, {}, []
    with open(path) as f:
        for line in f:
            words = line.split()
            if not words:
                continue
            if words[0] == "row" and len(words) >= 4:
                value = None if words[2] == "n/a" else float(words[2])
                rows[words[1]] = (value, words[3], " ".join(words[4:]))
            elif words[0] == "wait" and len(words) == 4:
                waits.setdefault(words[1], []).append((words[2], words[3]))
            elif words[0] in ("error", "note", "info"):
                notes.append(line.strip())
    return rows, waits, notes


def ratio(stock, ours, unit):
    if stock is None or ours is None or stock == 0 or ours == 0:
        return None
    return stock / ours if unit in LOWER_IS_BETTER else ours / stock


def fmt(x):
    if x is None:
        return "n/a"
    if abs(x) >= 100:
        return "%.0f" % x
    if abs(x) >= 1:
        return "%.2f" % x
    return "%.3g" % x


def main():
    out, rounds = sys.argv[1], int(sys.argv[2])
    runs = {"stock": [], "patched": []}
    notes = []
    for kernel in runs:
        for r in range(1, rounds + 1):
            path = os.path.join(out, "%s-%d.txt" % (kernel, r))
            if not os.path.exists(path):
                continue
            rows, waits, n = parse(path)
            runs[kernel].append((r, rows, waits))
            notes += ["%s round %d: %s" % (kernel, r, x) for x in n if not x.startswith("info")]

    names = []
    for kernel in runs:
        for _, rows, _ in runs[kernel]:
            names += [n for n in rows if n not in names]

    def values(kernel, name):
        return {r: rows[name][0] for r, rows, _ in runs[kernel]
                if name in rows and rows[name][0] is not None}

    def med(v):
        return statistics.median(v.values()) if v else None

    results = []
    for name in names:
        unit, desc = next(rows[name][1:] for k in runs for _, rows, _ in runs[k] if name in rows)
        stock, ours = values("stock", name), values("patched", name)
        ref = stock
        if name.startswith(NEW):
            ref = values("stock", REFERENCE + name[len(NEW):])
        per_round = [ratio(ref[r], ours[r], unit) for r in sorted(ours) if r in ref]
        per_round = [x for x in per_round if x is not None]
        res = {
            "name": name, "description": desc, "unit": unit,
            "better": "lower" if unit in LOWER_IS_BETTER else "higher",
            "stock": {"median": med(stock), "rounds": list(stock.values())},
            "ours": {"median": med(ours), "rounds": list(ours.values())},
            "ratio": statistics.median(per_round) if per_round else None,
            "spread": [min(per_round), max(per_round)] if per_round else None,
        }
        if name.startswith(FLOOR):
            res["goal"], res["verdict"] = "(floor)", ""
        elif name.startswith(NEW) and unit == "ms":
            res["goal"] = "<= %g ms" % WAIT_BOUND_MS
            worst = max(ours.values()) if ours else None
            res["verdict"] = ("n/a" if worst is None else
                              "ok" if worst <= WAIT_BOUND_MS else "OVER 10 ms")
        else:
            res["goal"] = ">= stock migrate_pages" if name.startswith(NEW) else ">= 1.00"
            if not per_round:
                res["verdict"] = "n/a"
            elif res["ratio"] >= 1.0:
                res["verdict"] = "ok"
            elif res["spread"][1] >= 1.0:
                res["verdict"] = "ok, within spread"
            else:
                res["verdict"] = "SLOWER"
        results.append(res)

    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"rounds": rounds,
                   "runs": {k: [r for r, _, _ in runs[k]] for k in runs},
                   "rows": results, "notes": notes}, f, indent=1)
        f.write("\n")

    # The plots' data: faults per mode, and each method's wait series.
    with open(os.path.join(out, "faults.dat"), "w") as f:
        f.write("# mode stock ours (faults/s, medians)\n")
        for res in results:
            if res["name"].startswith("fault."):
                f.write("%s %s %s\n" % (res["name"][6:], res["stock"]["median"] or 0,
                                        res["ours"]["median"] or 0))
    for kernel in runs:
        if not runs[kernel]:
            continue
        for method, series in runs[kernel][-1][2].items():
            with open(os.path.join(out, "wait-%s-%s.dat" % (method, kernel)), "w") as f:
                f.write("# ms since the move began, longest wait (ms) of calls begun then\n")
                f.writelines("%s %s\n" % p for p in series)

    head = ("metric", "stock", "ours", "ratio", "spread", "goal", "")
    lines = [head]
    for res in results:
        spread = res["spread"]
        lines.append(("%s (%s)" % (res["description"], res["unit"]),
                      fmt(res["stock"]["median"]), fmt(res["ours"]["median"]),
                      "%.2f" % res["ratio"] if res["ratio"] is not None else "n/a",
                      "%.2f-%.2f" % tuple(spread) if spread else "n/a",
                      res["goal"], res["verdict"]))
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    for line in lines:
        print("  ".join(c.ljust(w) if i in (0, 5, 6) else c.rjust(w)
                        for i, (c, w) in enumerate(zip(line, widths))).rstrip())
    print("\nMedians of %d round(s).  ratio > 1: ours is better (ours/stock for rates, "
          "stock/ours for times);\npage_migrate rows are compared with stock's migrate_pages."
          % rounds)
    for n in notes:
        print(n)


if __name__ == "__main__":
    main()
