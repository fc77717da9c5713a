"""Time and peak memory of a full `unstuck diagnose` on synthetic tabular data.

Usage::

    python benchmarks/diagnose_speed.py            # 10k and 100k rows x 40 features
    python benchmarks/diagnose_speed.py --rows 10000
    python benchmarks/diagnose_speed.py --rows 100000 --budget quick standard --timings

Each size runs the real CLI in a fresh subprocess (so import time counts, as a user
sees it) on CSV files written to a temporary folder: 30 numeric and 10 categorical
features (5-50 levels, 5% missing values), a binary target from a noisy rule;
train / dev / test = 70 / 15 / 15 %. Peak memory is the child's maximum resident set
size. Target: 100k rows in under 60 s and 2 GiB on 2 cores. ``--budget`` runs each
size once per budget; ``--timings`` prints where the time went (the report's ``timings``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def make_data(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    numeric = rng.normal(size=(rows, 30))
    frame = pd.DataFrame(numeric, columns=[f"num_{i}" for i in range(30)])
    for i in range(10):
        levels = np.array([f"level_{j}" for j in range(5 + 5 * i)])
        frame[f"cat_{i}"] = levels[rng.integers(0, len(levels), size=rows)]
    for column in frame.columns[::4]:
        frame.loc[rng.random(rows) < 0.05, column] = np.nan
    logit = numeric[:, 0] - 0.8 * numeric[:, 1] + 0.5 * numeric[:, 2] * numeric[:, 3]
    logit += np.where(frame["cat_0"].isin(["level_0", "level_1"]), 1.0, 0.0)
    frame["label"] = (logit + rng.normal(scale=1.0, size=rows) > 0).astype(int)
    return frame


def run(rows: int, budget: str = "standard") -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        data = make_data(rows)
        cut1, cut2 = int(0.7 * rows), int(0.85 * rows)
        paths = {name: Path(folder) / f"{name}.csv" for name in ("train", "dev", "test")}
        data.iloc[:cut1].to_csv(paths["train"], index=False)
        data.iloc[cut1:cut2].to_csv(paths["dev"], index=False)
        data.iloc[cut2:].to_csv(paths["test"], index=False)
        command = [
            sys.executable,
            "-c",
            "from unstuck.cli import main; main()",
            "diagnose",
            str(paths["train"]),
            "--dev",
            str(paths["dev"]),
            "--test",
            str(paths["test"]),
            "--target",
            "label",
            "--quiet",
            "--json",
            str(Path(folder) / "report.json"),
        ]
        if budget != "standard":  # the default, so that the script also times versions before budgets
            command += ["--budget", budget]
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        subprocess.run(command, check=True)
        seconds = time.perf_counter() - started
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        report = json.loads((Path(folder) / "report.json").read_text(encoding="utf-8"))
    return {
        "rows": rows,
        "budget": budget,
        "seconds": seconds,
        "peak_mib": max(peak_kib, before) / 1024,
        "timings": report.get("timings", {}),
        "bottleneck": report["bottleneck"],
        "findings": sorted(f["id"] for f in report["findings"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--budget", nargs="*", default=["standard"], choices=["quick", "standard", "thorough"])
    parser.add_argument("--timings", action="store_true", help="print each run's timings, bottleneck and findings")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}")
    print("| rows | budget | seconds | peak memory (MiB) |")
    print("|---:|---|---:|---:|")
    results = []
    for rows in args.rows:
        for budget in args.budget:
            result = run(rows, budget)
            results.append(result)
            print(f"| {result['rows']:,} | {budget} | {result['seconds']:.1f} | {result['peak_mib']:.0f} |", flush=True)
    if args.timings:
        for result in results:
            timings = result["timings"]
            parts = {**timings.get("shared", {}), **timings.get("checks", {})}
            slowest = sorted(parts.items(), key=lambda item: -item[1])[:8]
            print(
                f"\n{result['rows']:,} rows, {result['budget']}: "
                f"in-process total {timings.get('total_seconds', 0):.1f} s; "
                + ", ".join(f"{name} {seconds:.1f}" for name, seconds in slowest)
            )
            print(f"  bottleneck {result['bottleneck']}; findings {', '.join(result['findings'])}")


if __name__ == "__main__":
    main()
