"""Target leakage: a single feature that alone predicts the target almost perfectly.

Such a column is usually computed from the target or recorded after it (a
"refund issued" flag when predicting fraud): the model looks excellent in the
lab and fails in production, where the column is not yet known.

Each feature alone becomes a lookup model fitted on train — numbers cut into up
to 256 quantile bins, categories by level (the 1,000 most frequent), missing
values their own bin — and is scored on **dev** (rows it never saw, so an id
column cannot fake it): AUC for classification (one-vs-rest macro AUC for more
than two classes), R² for regression.

A high score alone does not make a leak: some tasks are easy (iris's petal width, the
mushroom table's odour each rank the classes almost perfectly, and so do the other
columns). What sets a column computed from the target, or recorded after it, apart is
that it carries target information **no other column has**. So a column that scores at
least ``NEAR`` (it alone ranks nearly every pair of classes right, or explains nearly
all the variance) is refitted against: the best baseline trained on every other column.
The column is a leak (critical, lever ``fix_leakage``, bottleneck ``leakage``) when its
lookup model alone has a lower dev error than all the other columns together, beyond
noise (paired bootstrap over dev rows), and at most ``DOMINANCE`` of theirs: one column
doing better than everything else combined by that much is what a copy of the label
looks like (a label with 3 % of its values changed scores an AUC of only 0.97, which a
fixed 0.99 cut misses), and it is not what an honest, if strong, feature looks like.
A near-perfect column that the others match is reported as information.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from unstuck.findings import Finding
from unstuck.registry import CheckResult, SkipCheck, check, shows
from unstuck.units import percent
from unstuck.view import MAX_ROWS, Table, fmt_value

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.context import Context
    from unstuck.findings import Report
    from unstuck.problem import Problem

#: A column alone scoring at least this (AUC or R² on dev) is tested against the other columns.
NEAR = 0.95
#: ... and is a leak when its dev error is at most this share of the other columns' error.
DOMINANCE = 0.5
#: At most this many near-perfect columns are refitted against (highest scores first).
MAX_REFITS = 3
BINS = 256
MAX_LEVELS = 1000
TOP = 10
#: Train rows per quantile bin at least (small tables get fewer, wider bins).
MIN_PER_BIN = 5


def auc(positive: NDArray[np.bool_], score: NDArray[np.float64]) -> float:
    """Area under the ROC curve by the rank-sum (Mann–Whitney) identity, ties counted half."""
    from scipy.stats import rankdata

    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def bin_codes(train: pd.Series, other: pd.Series) -> tuple[NDArray[np.int64], NDArray[np.int64], int]:
    """Integer bin codes of ``train`` and ``other`` (bins fitted on ``train``), and the number of codes."""
    import pandas as pd

    if pd.api.types.is_numeric_dtype(train) and not pd.api.types.is_bool_dtype(train):
        a = train.to_numpy(dtype=np.float64, na_value=np.nan)
        b = other.to_numpy(dtype=np.float64, na_value=np.nan)
        finite = a[np.isfinite(a)]
        if finite.size == 0:
            return np.zeros(len(a), np.int64), np.zeros(len(b), np.int64), 1
        bins = max(2, min(BINS, finite.size // MIN_PER_BIN))
        edges = np.unique(np.quantile(finite, np.linspace(0, 1, bins + 1)[1:-1]))
        n_codes = len(edges) + 2

        def code(x: NDArray[np.float64]) -> NDArray[np.int64]:
            out = np.searchsorted(edges, x, side="right").astype(np.int64)
            return np.where(np.isnan(x), n_codes - 1, out)

        return code(a), code(b), n_codes
    text_a, text_b = train.astype("string"), other.astype("string")
    levels = text_a.value_counts().index[:MAX_LEVELS]
    lookup = {v: i for i, v in enumerate(levels)}
    n_codes = len(levels) + 2  # + other + missing

    def code_text(x: pd.Series) -> NDArray[np.int64]:
        codes = x.map(lookup).astype("Float64").fillna(len(levels)).to_numpy(dtype=np.float64)
        codes[x.isna().to_numpy()] = len(levels) + 1
        return codes.astype(np.int64)

    return code_text(text_a), code_text(text_b), n_codes


def lookup_outputs(
    train: pd.Series, y_train: NDArray[Any], dev: pd.Series, task: str, classes: tuple[Any, ...]
) -> NDArray[np.float64]:
    """The lookup model on this one feature, fitted on train, applied to dev: class
    probabilities (n_dev, K) for classification, predicted values (n_dev,) for regression."""
    a, b, n_codes = bin_codes(train, dev)
    if task == "regression":
        y = np.asarray(y_train, dtype=np.float64)
        sums = np.bincount(a, weights=y, minlength=n_codes)
        sizes = np.bincount(a, minlength=n_codes)
        means = np.where(sizes > 0, sums / np.maximum(sizes, 1), y.mean())
        return np.asarray(means[b], dtype=np.float64)
    position = {c: i for i, c in enumerate(classes)}
    ya = np.array([position.get(v, -1) for v in np.asarray(y_train).tolist()])
    keep_a = ya >= 0
    counts = np.zeros((n_codes, len(classes)))
    np.add.at(counts, (a[keep_a], ya[keep_a]), 1.0)
    prior = counts.sum(axis=0) / max(counts.sum(), 1.0)
    proba = (counts + prior) / (counts.sum(axis=1, keepdims=True) + 1.0)
    return np.asarray(proba[b], dtype=np.float64)


def lookup_predictions(outputs: NDArray[np.float64], task: str, classes: tuple[Any, ...]) -> NDArray[Any]:
    """Point predictions from :func:`lookup_outputs`: the most probable class, or the value."""
    if task == "regression":
        return outputs
    return np.asarray(np.asarray(classes, dtype=object)[np.argmax(outputs, axis=1)])


def single_feature_score(
    train: pd.Series, y_train: NDArray[Any], dev: pd.Series, y_dev: NDArray[Any], task: str, classes: tuple[Any, ...]
) -> float:
    """Dev AUC (classification) or R² (regression) of the lookup model on this one feature."""
    from sklearn.metrics import r2_score

    outputs = lookup_outputs(train, y_train, dev, task, classes)
    if task == "regression":
        return float(r2_score(np.asarray(y_dev, dtype=np.float64), outputs))
    position = {c: i for i, c in enumerate(classes)}
    k = len(classes)
    yb = np.array([position.get(v, -1) for v in np.asarray(y_dev).tolist()])
    keep_b = yb >= 0
    p, y = outputs[keep_b], yb[keep_b]
    present = np.unique(y)
    if len(present) < 2:
        return float("nan")
    if k == 2:
        return auc(y == 1, p[:, 1])
    aucs = [auc(y == j, p[:, j]) for j in present]
    return float(np.mean(aucs))


@dataclass(frozen=True)
class ColumnScore:
    """One feature and its dev score as a lookup model alone (AUC or R², unitless)."""

    column: Any  # as the table names it (text from files; any label from a DataFrame)
    score: float


@dataclass(frozen=True)
class TestedColumn:
    """A near-perfect column against all the others: dev errors (metric units) of its lookup model
    and of the best baseline refitted without it, the 2.5 % quantile of their paired difference
    (others − alone), and whether it is a leak."""

    column: Any
    score: float
    alone_dev_error: float
    rest_dev_error: float
    difference_low: float
    leak: bool


@dataclass(frozen=True)
class TargetLeakageResult:
    """The score measured (AUC for classification, R² for regression), the score from which a column
    is tested against the others (``near``) and the error share that makes it a leak
    (``dominance``), the best-scoring columns (best first) and the columns tested."""

    measure: str
    near: float
    dominance: float
    top: tuple[ColumnScore, ...]
    tested: tuple[TestedColumn, ...]


@check(
    "target_leakage",
    requires=("data", "dev"),
    description="single features that alone predict the target better than all other features together",
    tags=("data",),
    result=TargetLeakageResult,
)
def target_leakage(problem: Problem, ctx: Context) -> CheckResult:
    train, dev = problem.frames["train"], problem.frames["dev"]
    y_train, y_dev = train[problem.target].to_numpy(), dev[problem.target].to_numpy()
    if problem.task == "regression" and np.std(np.asarray(y_dev, dtype=np.float64)) == 0:
        raise SkipCheck("the dev target is constant, so R² is undefined")
    scores: dict[str, float] = {}
    for column in problem.features:
        if train[column].nunique(dropna=False) <= 1:
            continue
        score = single_feature_score(train[column], y_train, dev[column], y_dev, problem.task, problem.classes)
        if np.isfinite(score):
            scores[column] = score
    measure = "AUC" if problem.task == "classification" else "R²"
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    findings = []
    tested: list[TestedColumn] = []
    for column, score in ranked[:MAX_REFITS]:
        if score < NEAR:
            break
        against = _against_the_rest(problem, ctx, column)
        if against is None:
            continue
        tested.append(TestedColumn(column, score, **against))
        findings.append(_finding(problem, column, score, measure, against))
    section = TargetLeakageResult(
        measure, NEAR, DOMINANCE, tuple(ColumnScore(c, s) for c, s in ranked[:TOP]), tuple(tested)
    )
    return CheckResult(findings=tuple(findings), section=section)


def _against_the_rest(problem: Problem, ctx: Context, column: str) -> dict[str, Any] | None:
    """Dev error of ``column``'s lookup model and of the best baseline refitted without it, the
    paired bootstrap interval of their difference, and whether the column dominates."""
    from unstuck.baselines import make_baseline
    from unstuck.metrics import bootstrap_means

    train, dev = problem.frames["train"], problem.frames["dev"]
    rest = [c for c in problem.features if c != column]
    y_train, y_dev = train[problem.target].to_numpy(), dev[problem.target].to_numpy()
    outputs = lookup_outputs(train[column], y_train, dev[column], problem.task, problem.classes)
    alone = lookup_predictions(outputs, problem.task, problem.classes)
    metric = problem.metric
    alone_losses = metric.row_losses(y_dev, alone)
    best = ctx.ladder.best
    if rest and best != "trivial":
        ctx.step(f"refitting the best baseline without '{column}'")
        text = tuple(c for c in problem.text_columns if c in rest)
        model = make_baseline(best, problem.task, train[rest], seed=problem.seed, text_columns=text)
        model.fit(train[rest], y_train)
        rest_pred = np.asarray(model.predict(dev[rest]))
    else:  # nothing else to learn from, or nothing beats the constant: the constant is the rest
        trivial = next(r for r in ctx.ladder.rungs if r.name == "trivial")
        rest_pred = np.asarray(trivial.model.predict(dev[list(problem.features)]))
    rest_losses = metric.row_losses(y_dev, rest_pred)
    draws = bootstrap_means(rest_losses - alone_losses, n_boot=1000, seed=problem.seed)
    low = float(np.quantile(draws, 0.025))
    alone_error, rest_error = metric.from_losses(alone_losses), metric.from_losses(rest_losses)
    return {
        "alone_dev_error": alone_error,
        "rest_dev_error": rest_error,
        "difference_low": low,
        "leak": bool(low > 0.0 and alone_error <= DOMINANCE * rest_error),
    }


def _finding(problem: Problem, column: str, score: float, measure: str, against: dict[str, Any]) -> Finding:
    metric = problem.metric
    alone, rest = metric.format(against["alone_dev_error"]), metric.format(against["rest_dev_error"])
    evidence = {"column": column, "measure": measure, "score": score, "near": NEAR} | against
    if against["leak"]:
        return Finding(
            id=f"target_leakage.{column}",
            severity="critical",
            title=(
                f"The feature '{column}' alone predicts the target with dev {measure} {score:.3f} and dev error "
                f"{alone}, against {rest} for all the other features together: it carries target information "
                "nothing else has, so it is probably computed from the target or recorded after it — every other "
                "number in this report is suspect until it is removed or explained"
            ),
            lever="fix_leakage",
            bottleneck="leakage",
            evidence=evidence,
        )
    return Finding(
        id=f"target_leakage.{column}",
        severity="info",
        title=(
            f"The feature '{column}' alone predicts the target with dev {measure} {score:.3f} (dev error {alone}), "
            f"but the other features reach {rest} without it: a strong feature of an easy task, not evidently a "
            "leak (check that it is known before the outcome)"
        ),
        evidence=evidence,
    )


# --- how the result is shown (laid out by unstuck.render) ---------------------------------------------


@shows(target_leakage)
def _tables(report: Report, result: TargetLeakageResult) -> list[Table]:
    if not result.tested:
        return []
    return [
        Table(
            ("column", f"{result.measure} alone", "dev error alone", "dev error of the others", "leak"),
            [
                [
                    str(t.column),
                    f"{t.score:.3f}",
                    fmt_value(report, t.alone_dev_error),
                    fmt_value(report, t.rest_dev_error),
                    "yes" if t.leak else "no",
                ]
                for t in result.tested[:MAX_ROWS]
            ],
            numeric=(1, 2, 3),
            caption=(
                f"A column that alone scores {result.measure} ≥ {result.near:g} is refitted against: it is a leak "
                f"when its dev error is at most {percent(result.dominance, 0)} of all the other columns' together."
            ),
        )
    ]
