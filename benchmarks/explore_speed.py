"""Speed and memory of all data checks (``unstuck explore``) on generated tables.

The table: ``--rows`` rows × 40 columns (30 numeric, some predictive and some
with missing values; 8 categorical with 5–200 levels; one id-like code; one text
column with a few e-mail addresses), a binary label from a noisy logit, split
70/15/15 train/dev/test at random, with 0.5 % of dev rows copied from train
(leakage) and 1 % of train rows duplicated. Written once to Parquet so that every
tool reads the same data.

Each run happens in a fresh child process; its wall time and peak resident memory
(``ru_maxrss`` of the child) are reported, plus unstuck's own step timings.

Usage::

    python benchmarks/explore_speed.py --rows 100000                 # unstuck only
    python benchmarks/explore_speed.py --rows 100000 --datalab       # + cleanlab Datalab (defaults)
    python benchmarks/explore_speed.py --rows 100000 --deepchecks /tmp/dcvenv/bin/python   # + full_suite

Datalab gets the numeric columns and the categorical codes as ``features`` and
the label (its defaults otherwise: label, outlier, near-duplicate, non-IID, class
imbalance, ... issue types). Deepchecks' tabular ``full_suite`` runs without a
model on train vs test (data integrity and train-test validation checks); it is
run from a separate virtual environment (``--deepchecks PYTHON``) because its pins
would downgrade the main environment.
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

import numpy as np

N_NUMERIC = 30
N_CATEGORICAL = 8


def generate(rows: int, seed: int = 0) -> dict[str, object]:
    """The benchmark table split into train/dev/test DataFrames (see the module docstring)."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, N_NUMERIC))
    logit = x[:, :5] @ np.array([1.0, -0.8, 0.6, 0.5, -0.4])
    frame = pd.DataFrame(x, columns=[f"num_{j}" for j in range(N_NUMERIC)])
    for j in range(3):
        frame.loc[rng.random(rows) < 0.05, f"num_{N_NUMERIC - 1 - j}"] = np.nan
    for j in range(N_CATEGORICAL):
        levels = [5, 10, 20, 50, 100, 200, 8, 12][j]
        codes = rng.integers(0, levels, rows)
        frame[f"cat_{j}"] = pd.Series([f"L{c}" for c in range(levels)]).to_numpy()[codes]
        if j == 0:
            logit = logit + (codes % 2) * 0.7
    frame["code"] = [f"K{i:08d}" for i in range(rows)]
    text = np.where(rng.random(rows) < 0.001, "contact me at someone@example.com", "no comment")
    frame["comment"] = text
    frame["label"] = np.where(logit + rng.logistic(size=rows) > 0, "yes", "no")
    order = rng.permutation(rows)
    n_train, n_dev = int(0.7 * rows), int(0.15 * rows)
    train = frame.iloc[order[:n_train]].reset_index(drop=True)
    dev = frame.iloc[order[n_train : n_train + n_dev]].reset_index(drop=True)
    test = frame.iloc[order[n_train + n_dev :]].reset_index(drop=True)
    leaked = train.sample(max(1, int(0.005 * len(dev))), random_state=seed)
    dev = pd.concat([dev, leaked], ignore_index=True)
    train = pd.concat([train, train.sample(int(0.01 * len(train)), random_state=seed + 1)], ignore_index=True)
    return {"train": train, "dev": dev, "test": test}


def child_unstuck(folder: Path) -> dict[str, object]:
    import pandas as pd

    from unstuck.pipeline import explore_problem
    from unstuck.problem import Problem

    steps: list[tuple[str, float]] = []
    started = time.perf_counter()
    frames = {s: pd.read_parquet(folder / f"{s}.parquet") for s in ("train", "dev", "test")}
    problem = Problem.from_frames(frames["train"], dev=frames["dev"], test=frames["test"], target="label")
    report = explore_problem(problem, on_step=lambda m: steps.append((m, time.perf_counter() - started)))
    total = time.perf_counter() - started
    timeline = []
    for (message, at), nxt in zip(steps, [*steps[1:], ("end", total)], strict=True):
        timeline.append({"step": message, "seconds": round(nxt[1] - at, 2)})
    return {
        "seconds": total,
        "findings": {f.id: f.severity for f in report.findings},
        "skipped": [s.to_dict() for s in report.skipped],
        "steps": timeline,
    }


def child_datalab(folder: Path) -> dict[str, object]:
    import warnings

    import pandas as pd
    from cleanlab import Datalab

    started = time.perf_counter()
    train = pd.read_parquet(folder / "train.parquet")
    numeric = train[[c for c in train.columns if c.startswith("num_")]].fillna(0.0).to_numpy()
    codes = np.column_stack([train[c].astype("category").cat.codes for c in train.columns if c.startswith("cat_")])
    features = np.hstack([numeric, codes]).astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lab = Datalab(data=train[["label"]], label_name="label", verbosity=0)
        lab.find_issues(features=features)
    summary = lab.get_issue_summary()
    return {"seconds": time.perf_counter() - started, "issue_types": summary["issue_type"].tolist()}


DEEPCHECKS_CHILD = r"""
import json, sys, time, warnings, resource
warnings.simplefilter("ignore")
import pandas as pd
from deepchecks.tabular import Dataset
from deepchecks.tabular.suites import full_suite
folder = sys.argv[1]
started = time.perf_counter()
train = pd.read_parquet(f"{folder}/train.parquet")
test = pd.read_parquet(f"{folder}/test.parquet")
cats = [c for c in train.columns if c.startswith("cat_")] + ["code", "comment"]
tr = Dataset(train, label="label", cat_features=cats)
te = Dataset(test, label="label", cat_features=cats)
result = full_suite().run(train_dataset=tr, test_dataset=te)
print(json.dumps({"seconds": time.perf_counter() - started,
                  "checks": len(result.results),
                  "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_child(args: list[str], python: str = sys.executable) -> dict[str, object]:
    """Run a child process; its JSON result (with its own peak RSS in MiB) and the wall time."""
    started = time.perf_counter()
    proc = subprocess.run([python, *args], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        return {"error": proc.stderr[-2000:], "wall_seconds": wall}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = wall
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--datalab", action="store_true", help="also time cleanlab Datalab.find_issues")
    parser.add_argument("--deepchecks", metavar="PYTHON", help="python of a venv with deepchecks: time full_suite")
    parser.add_argument("--child", choices=["unstuck", "datalab"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run = child_unstuck if args.child == "unstuck" else child_datalab
        out = run(Path(args.folder))
        out["maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(out, default=str))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for split, frame in generate(args.rows).items():
            frame.to_parquet(folder / f"{split}.parquet")
        me = os.path.abspath(__file__)
        results = {"rows": args.rows, "columns": N_NUMERIC + N_CATEGORICAL + 2, "cpus": os.cpu_count()}
        results["unstuck"] = run_child([me, "--child", "unstuck", "--folder", tmp])
        if args.datalab:
            results["datalab"] = run_child([me, "--child", "datalab", "--folder", tmp])
        if args.deepchecks:
            script = folder / "deepchecks_child.py"
            script.write_text(DEEPCHECKS_CHILD)
            results["deepchecks"] = run_child([str(script), tmp], python=args.deepchecks)
    print(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
