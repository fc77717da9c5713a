"""Why ``import unstuck`` sets ``OMP_WAIT_POLICY=PASSIVE`` (unless the user set it).

Usage::

    python benchmarks/omp_wait_policy.py            # 56k rows, 1 and 2 concurrent processes

Fits unstuck's gradient-boosting baseline (LightGBM, 300 trees, ``n_jobs=2``) on 56,000
rows of the diagnose_speed data in fresh processes, with OpenMP's wait policy ACTIVE
(spinning threads, LightGBM's default) or PASSIVE, alone and with a second identical
process competing for the cores. Prints the wall-clock seconds of each fit.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

FIT = """
import sys, time
sys.path.insert(0, {bench!r})
from diagnose_speed import make_data
from unstuck.baselines import make_baseline
data = make_data({rows} + 1000)
features = [c for c in data.columns if c != "label"]
train = data.iloc[:{rows}]
model = make_baseline("gradient_boosting", "classification", train[features], seed=1)
started = time.perf_counter()
model.fit(train[features], train["label"].to_numpy())
print(f"{{time.perf_counter() - started:.2f}}")
"""


def fits(policy: str, processes: int, rows: int) -> list[float]:
    """Wall seconds of the fit in each of ``processes`` concurrent fresh processes."""
    code = FIT.format(bench=str(Path(__file__).parent), rows=rows)
    env = {**os.environ, "OMP_WAIT_POLICY": policy}
    children = [
        subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    return [float(child.communicate()[0].strip()) for child in children]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=56_000)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, rows: {args.rows:,}")
    print("| wait policy | concurrent processes | fit seconds (each process) |")
    print("|---|---:|---|")
    for processes in (1, 2):
        for policy in ("ACTIVE", "PASSIVE"):
            seconds = fits(policy, processes, args.rows)
            print(f"| {policy} | {processes} | {', '.join(f'{s:.1f}' for s in seconds)} |", flush=True)


if __name__ == "__main__":
    main()
