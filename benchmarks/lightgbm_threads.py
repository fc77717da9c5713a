"""Why LightGBM fits on small data use one thread (``baselines.lightgbm_threads``).

Usage::

    python benchmarks/lightgbm_threads.py

Fits unstuck's gradient-boosting baseline (LightGBM, 300 trees) with 1 and with 2
threads in fresh processes, on two tables: the first 1,078 rows of scikit-learn's
digits (10 classes, 64 columns: the demo's training set) and 56,000 rows × 40 columns
of the diagnose_speed data (binary). Each is timed alone and with a second identical
process competing for the cores. Prints the wall-clock seconds of each fit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FIT = """
import sys, time
import pandas as pd
from unstuck.baselines import make_baseline
if {table!r} == "digits":
    from sklearn.datasets import load_digits
    x, y = load_digits(return_X_y=True)
    x, y = pd.DataFrame(x[:1078]), y[:1078]
else:
    sys.path.insert(0, {bench!r})
    from diagnose_speed import make_data
    data = make_data(57_000)
    x, y = data.iloc[:56_000].drop(columns="label"), data["label"].to_numpy()[:56_000]
model = make_baseline("gradient_boosting", "classification", x, seed=0, params={{"n_jobs": {threads}}})
started = time.perf_counter()
model.fit(x, y)
print(f"{{time.perf_counter() - started:.2f}}")
"""


def fits(table: str, threads: int, processes: int) -> list[float]:
    """Wall seconds of the fit in each of ``processes`` concurrent fresh processes."""
    code = FIT.format(table=table, bench=str(Path(__file__).parent), threads=threads)
    children = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(processes)
    ]
    return [float(child.communicate()[0].strip()) for child in children]


def main() -> None:
    print(f"cores: {os.cpu_count()}")
    print("| table | threads | alone (s) | beside a competing process (s, each) |")
    print("|---|---:|---:|---|")
    for table in ("digits", "56k"):
        for threads in (1, 2):
            alone = fits(table, threads, 1)[0]
            crowded = fits(table, threads, 2)
            print(f"| {table} | {threads} | {alone:.2f} | {', '.join(f'{s:.2f}' for s in crowded)} |", flush=True)


if __name__ == "__main__":
    main()
