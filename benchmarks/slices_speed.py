"""Slice discovery on 100k dev rows × 40 features: time and recall of planted slices.

Data (seeded, built identically in every engine's process): 30 numeric features
(standard normal) and 10 categorical ones (6 values each); every row fails with
probability 8 %, and rows in three planted slices fail with probability 45 %:

* ``c0 = e`` (1 condition, ~17 % of rows),
* ``x3 in its top quintile and c2 = b`` (2 conditions, ~3.3 %),
* ``x5 in its bottom quintile and x7 in its top quintile and c4 = a`` (3 conditions, ~0.7 %).

A planted slice is *recalled* when one of an engine's top 10 slices covers its rows with
Jaccard ≥ 0.8. Engines:

* ``unstuck``: :func:`unstuck.slices.find_slices` (defaults: quintile bins, up to 3
  conditions, BH at 5 %), timed end to end, binning included.
* ``sliceline``: the ``sliceline`` package's ``Slicefinder`` (k=10, max_l=3, alpha=0.95,
  min_sup = 0.5 % of rows) on the same quintile bins (binning not timed).
* ``deepchecks``: Deepchecks' ``WeakSegmentsPerformance`` with the planted predictions
  (``y_pred`` / ``y_proba``); it samples 10k rows and considers pairs of its top features.

Usage::

    python benchmarks/slices_speed.py                                   # unstuck (and sliceline if importable)
    python benchmarks/slices_speed.py --other-python /tmp/dcvenv/bin/python   # also run sliceline/deepchecks there

The other engines run as subprocesses of this same file (``--engine NAME``) so that a
separate virtual environment can hold packages that would downgrade the main one.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Any

import numpy as np
import pandas as pd

N_ROWS = 100_000
N_NUMERIC = 30
N_CATEGORICAL = 10
BASE_RATE = 0.08
SLICE_RATE = 0.45
TARGET_SECONDS = 20.0


def make_data(seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, list[np.ndarray]]:
    """Features, the failure indicator and the planted slices' row masks."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({f"x{i}": rng.normal(size=N_ROWS) for i in range(N_NUMERIC)})
    for i in range(N_CATEGORICAL):
        frame[f"c{i}"] = rng.choice(list("abcdef"), size=N_ROWS)
    q = {c: frame[c].quantile([0.2, 0.8]).to_numpy() for c in ("x3", "x5", "x7")}
    planted = [
        (frame["c0"] == "e").to_numpy(),
        ((frame["x3"] >= q["x3"][1]) & (frame["c2"] == "b")).to_numpy(),
        ((frame["x5"] < q["x5"][0]) & (frame["x7"] >= q["x7"][1]) & (frame["c4"] == "a")).to_numpy(),
    ]
    inside = np.logical_or.reduce(planted)
    failed = rng.random(N_ROWS) < np.where(inside, SLICE_RATE, BASE_RATE)
    return frame, failed, planted


def quintile_codes(frame: pd.DataFrame) -> pd.DataFrame:
    """The same quintile bins unstuck uses, as small integers / strings, for sliceline."""
    out = {}
    for c in frame.columns:
        if frame[c].dtype.kind == "f":
            edges = np.unique(np.quantile(frame[c], [0.2, 0.4, 0.6, 0.8]))
            out[c] = np.searchsorted(edges, frame[c].to_numpy(), side="right") + 1
        else:
            out[c] = frame[c].to_numpy()
    return pd.DataFrame(out)


def recall(found: list[np.ndarray], planted: list[np.ndarray]) -> tuple[int, list[float]]:
    """How many planted slices some found slice covers with Jaccard >= 0.8, and each best Jaccard."""
    best = []
    for p in planted:
        scores = [(p & f).sum() / max((p | f).sum(), 1) for f in found] or [0.0]
        best.append(float(max(scores)))
    return sum(b >= 0.8 for b in best), best


def run_unstuck() -> dict[str, Any]:
    from unstuck.slices import find_slices

    frame, failed, planted = make_data()
    start = time.perf_counter()
    search = find_slices(frame, failed)
    seconds = time.perf_counter() - start
    masks = []
    for s in search.slices:
        m = np.zeros(N_ROWS, dtype=bool)
        m[s.rows] = True
        masks.append(m)
    hit, best = recall(masks, planted)
    return {
        "engine": "unstuck",
        "seconds": seconds,
        "recalled": hit,
        "best_jaccard": best,
        "slices": [s.rule for s in search.slices],
        "hypotheses": search.n_hypotheses,
    }


def run_sliceline() -> dict[str, Any]:
    from sliceline.slicefinder import Slicefinder

    frame, failed, planted = make_data()
    codes = quintile_codes(frame)
    start = time.perf_counter()
    finder = Slicefinder(alpha=0.95, k=10, max_l=3, min_sup=int(0.005 * N_ROWS), verbose=False)
    finder.fit(codes, failed.astype(float))
    seconds = time.perf_counter() - start
    masks, rules = [], []
    for definition in finder.top_slices_:
        m = np.ones(N_ROWS, dtype=bool)
        parts = []
        for col, value in zip(codes.columns, definition, strict=True):
            if value is not None:
                m &= codes[col].to_numpy() == value
                parts.append(f"{col}={value}")
        masks.append(m)
        rules.append(" and ".join(parts))
    hit, best = recall(masks, planted)
    return {"engine": "sliceline", "seconds": seconds, "recalled": hit, "best_jaccard": best, "slices": rules}


def run_deepchecks() -> dict[str, Any]:
    from deepchecks.tabular import Dataset
    from deepchecks.tabular.checks import WeakSegmentsPerformance

    frame, failed, planted = make_data()
    rng = np.random.default_rng(1)
    label = rng.integers(0, 2, size=N_ROWS)
    pred = np.where(failed, 1 - label, label)
    proba = np.column_stack([1.0 - pred * 0.9 - 0.05, pred * 0.9 + 0.05])
    data = frame.assign(label=label)
    cats = [f"c{i}" for i in range(N_CATEGORICAL)]
    start = time.perf_counter()
    dataset = Dataset(data, label="label", cat_features=cats)
    result = WeakSegmentsPerformance(n_to_show=10).run(dataset, y_pred=pred, y_proba=proba)
    seconds = time.perf_counter() - start
    segments = result.value["weak_segments_list"]
    masks, rules = [], []
    for _, seg in segments.iterrows():
        m = np.ones(N_ROWS, dtype=bool)
        parts = []
        for k in ("Feature1", "Feature2"):
            feature = seg.get(k)
            if not feature:
                continue
            rng_ = seg[f"{k} Range"]
            values = frame[feature]
            if feature in cats:
                m &= values.isin(list(rng_)).to_numpy()
            else:
                m &= ((values >= rng_[0]) & (values < rng_[1])).to_numpy()
            parts.append(f"{feature} in {rng_}")
        masks.append(m)
        rules.append(" and ".join(parts))
    hit, best = recall(masks[:10], planted)
    return {"engine": "deepchecks", "seconds": seconds, "recalled": hit, "best_jaccard": best, "slices": rules[:10]}


ENGINES = {"unstuck": run_unstuck, "sliceline": run_sliceline, "deepchecks": run_deepchecks}


def main() -> None:
    global N_ROWS
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=sorted(ENGINES), help="run one engine and print its JSON result")
    parser.add_argument("--other-python", help="interpreter (e.g. a venv) to run sliceline and deepchecks in")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds each other engine may take")
    parser.add_argument("--rows", type=int, default=N_ROWS, help="dev rows (default 100,000)")
    args = parser.parse_args()
    N_ROWS = args.rows
    if args.engine:
        print(json.dumps(ENGINES[args.engine]()))
        return
    results = [run_unstuck()]
    for engine in ("sliceline", "deepchecks"):
        python = args.other_python or sys.executable
        try:
            done = subprocess.run(
                [python, __file__, "--engine", engine, "--rows", str(N_ROWS)],
                capture_output=True,
                text=True,
                check=False,
                timeout=args.timeout,
            )
        except subprocess.TimeoutExpired:
            results.append({"engine": engine, "error": f"did not finish within {args.timeout:.0f} s"})
            continue
        if done.returncode == 0:
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        else:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            results.append({"engine": engine, "error": last[:300]})
    print(f"{N_ROWS:,} rows × {N_NUMERIC + N_CATEGORICAL} features, 3 planted slices (1, 2 and 3 conditions)")
    print(f"{'engine':<11} {'seconds':>8} {'recalled':>9}  best Jaccard per planted slice")
    for r in results:
        if "error" in r:
            print(f"{r['engine']:<11} {'—':>8} {'—':>9}  could not run: {r['error']}")
            continue
        best = ", ".join(f"{b:.2f}" for b in r["best_jaccard"])
        print(f"{r['engine']:<11} {r['seconds']:>8.1f} {r['recalled']:>7}/3  {best}")
    for r in results:
        if "slices" in r:
            print(f"\n{r['engine']} top slices:")
            for rule in r["slices"][:5]:
                print(f"  {rule}")
    ours = results[0]
    verdict = "PASS" if ours["seconds"] < TARGET_SECONDS and ours["recalled"] == 3 else "FAIL"
    print(f"\nunstuck: {ours['seconds']:.1f} s (target < {TARGET_SECONDS:.0f} s), ", end="")
    print(f"{ours['recalled']}/3 recalled: {verdict}")


if __name__ == "__main__":
    main()
