"""How a full `unstuck diagnose` scales with rows: time and peak memory from 10k to 1M rows.

Usage::

    python benchmarks/scaling.py --rows 10000 100000 1000000 --json benchmarks/scaling.json \\
        --plot benchmarks/scaling.svg
    python benchmarks/scaling.py --from-json benchmarks/scaling.json --plot benchmarks/scaling.svg

The table is ``diagnose_speed``'s (30 numeric and 10 categorical features with 5-50 levels,
5 % missing values, a binary target from a noisy rule; train/dev/test 70/15/15), or with
``--table peers`` ``peers.py``'s (40 numeric features, 5 classes), written to Parquet. Beside
each diagnosis, in the same run, one 100-round LightGBM fit on the same train (one thread: the
count that does not starve on a shared machine) is timed, so that the diagnosis's cost in
fits can be read even when the load makes seconds incomparable. Each size runs the real CLI
(standard budget unless ``--budget``) in a fresh
process, measured as ``peers.py`` measures a tool: wall seconds and the largest single
process's peak resident memory, worker processes included. The report's ``timings`` say
where the time went. Then a least-squares line through (log rows, log seconds) and
(log rows, log MiB) gives the scaling exponents (time ∝ rows^b), and ``--plot`` draws both
against rows on log-log axes. ``--from-json`` re-draws from saved measurements without
running anything (the 1M-row run is heavy: run it once).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from diagnose_speed import make_data
from peers import ROUNDS, generate, measure

#: One LightGBM fit of ``ROUNDS`` rounds on one thread on train: the yardstick each diagnosis is priced in.
ONE_FIT_CHILD = r"""
import json, sys, time
import pandas as pd
from lightgbm import LGBMClassifier
train = pd.read_parquet(f"{sys.argv[1]}/train.parquet")
x, y = train.drop(columns="label"), train["label"]
for column in x.columns:
    if x[column].dtype == object:
        x[column] = x[column].astype("category")
started = time.perf_counter()
LGBMClassifier(n_estimators=int(sys.argv[2]), n_jobs=1, verbose=-1).fit(x, y)
print(json.dumps({"fit_seconds": time.perf_counter() - started}))
"""


def write_table(rows: int, table: str, folder: Path) -> None:
    """The ``table`` (``speed`` or ``peers``) at ``rows`` rows as train/dev/test Parquet files in ``folder``."""
    if table == "peers":
        generate(rows, folder)
        return
    data = make_data(rows)
    cuts = {"train": (0, int(0.7 * rows)), "dev": (int(0.7 * rows), int(0.85 * rows)), "test": (int(0.85 * rows), rows)}
    for split, (start, stop) in cuts.items():
        data.iloc[start:stop].reset_index(drop=True).to_parquet(folder / f"{split}.parquet")


def run(rows: int, budget: str, table: str = "speed") -> dict[str, Any]:
    """One diagnosis of ``rows`` rows: wall seconds, peak MiB, the report's timings, and one fit's seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_table(rows, table, folder)
        fit_load = os.getloadavg()[0]
        one_fit = measure([sys.executable, "-c", ONE_FIT_CHILD, tmp, str(ROUNDS)])
        report = folder / "report.json"
        command = [sys.executable, "-c", "from unstuck.cli import main; main()", "diagnose"]
        command += [str(folder / "train.parquet"), "--dev", str(folder / "dev.parquet")]
        command += ["--test", str(folder / "test.parquet"), "--target", "label", "--quiet", "--json", str(report)]
        load_before = os.getloadavg()[0]
        result = measure([*command, "--budget", budget])
        document = json.loads(report.read_text(encoding="utf-8"))
    timings = document.get("timings", {})
    return {
        "rows": rows,
        "budget": budget,
        "table": table,
        "seconds": result["wall_seconds"],
        "one_fit_seconds": one_fit["fit_seconds"],
        "one_fit_load_before": fit_load,
        "peak_mib": result["peak_mib"],
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "in_process_seconds": timings.get("total_seconds"),
        "parts": {**timings.get("shared", {}), **timings.get("checks", {})},
        "bottleneck": document["bottleneck"],
        "findings": sorted(f["id"] for f in document["findings"]),
    }


def exponent(rows: list[float], values: list[float]) -> float:
    """The slope of the least-squares line through (log rows, log values): values ∝ rows^slope."""
    slope, _ = np.polyfit(np.log(rows), np.log(values), 1)
    return float(slope)


def plot(points: list[dict[str, Any]], path: Path) -> None:
    """Seconds and peak MiB against rows, log-log, with each fitted power law."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [p["rows"] for p in points]
    figure, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    for ax, key, label in ((axes[0], "seconds", "wall seconds"), (axes[1], "peak_mib", "peak memory (MiB)")):
        values = [p[key] for p in points]
        b = exponent(rows, values)
        a = float(np.exp(np.mean(np.log(values)) - b * np.mean(np.log(rows))))
        grid = np.geomspace(min(rows), max(rows), 50)
        ax.loglog(rows, values, "o", color="C0")
        ax.loglog(grid, a * grid**b, "-", color="C1", label=f"∝ rows^{b:.2f}")
        for r, v in zip(rows, values, strict=True):
            ax.annotate(f"{v:,.0f}", (r, v), textcoords="offset points", xytext=(4, -10), fontsize=8)
        ax.set_xlabel("rows (train + dev + test)")
        ax.set_ylabel(label)
        ax.legend(loc="upper left", fontsize=8)
        ax.grid(True, which="both", alpha=0.3)
    figure.suptitle("unstuck diagnose, 40 features, 2 cores (shared machine)", fontsize=10)
    figure.tight_layout()
    figure.savefig(path, metadata={"Date": None} if path.suffix == ".svg" else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--budget", default="standard", choices=["quick", "standard", "thorough"])
    parser.add_argument("--table", default="speed", choices=["speed", "peers"], help="diagnose_speed's or peers.py's")
    parser.add_argument("--json", type=Path, help="write the measurements here")
    parser.add_argument("--from-json", type=Path, help="read measurements from here instead of running")
    parser.add_argument("--plot", type=Path, help="draw time and memory against rows (SVG or PNG)")
    args = parser.parse_args()
    if args.from_json:
        points = json.loads(args.from_json.read_text(encoding="utf-8"))["points"]
    else:
        points = []
        for rows in args.rows:
            points.append(run(rows, args.budget, args.table))
            p = points[-1]
            print(
                f"{rows:,} rows: {p['seconds']:.1f} s, {p['peak_mib']:.0f} MiB (load {p['load_before']:.1f}); "
                f"one {ROUNDS}-round fit {p['one_fit_seconds']:.1f} s (load {p['one_fit_load_before']:.1f})",
                flush=True,
            )
            if args.json:  # after every size: the largest is heavy, keep what was measured
                args.json.write_text(json.dumps({"points": points}, indent=2), encoding="utf-8")
    print("| rows | seconds | peak MiB | load avg before / after | one fit (s) | fits | slowest parts (s) |")
    print("|---:|---:|---:|---|---:|---:|---|")
    for p in points:
        slow = ", ".join(f"{k} {v:.1f}" for k, v in sorted(p["parts"].items(), key=lambda kv: -kv[1])[:5])
        fit = p.get("one_fit_seconds")
        ratio = f"{p['seconds'] / fit:.1f}" if fit else ""
        print(
            f"| {p['rows']:,} | {p['seconds']:.1f} | {p['peak_mib']:.0f} | "
            f"{p['load_before']:.1f} / {p['load_after']:.1f} | {fit or 0:.1f} | {ratio} | {slow} |"
        )
    if len(points) >= 2:
        rows = [p["rows"] for p in points]
        print(
            f"exponents (log-log least squares): time ∝ rows^{exponent(rows, [p['seconds'] for p in points]):.2f}, "
            f"memory ∝ rows^{exponent(rows, [p['peak_mib'] for p in points]):.2f}"
        )
        if args.plot:
            plot(points, args.plot)


if __name__ == "__main__":
    main()
