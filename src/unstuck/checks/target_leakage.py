"""Target leakage: a single feature that alone predicts the target almost perfectly.

Such a column is usually computed from the target or recorded after it (a
"refund issued" flag when predicting fraud): the model looks excellent in the
lab and fails in production, where the column is not yet known.

Each feature alone becomes a lookup model fitted on train — numbers cut into up
to 256 quantile bins, categories by level (the 1,000 most frequent), missing
values their own bin — and is scored on **dev** (rows it never saw, so an id
column cannot fake it): AUC for classification (one-vs-rest macro AUC for more
than two classes), R² for regression. A score ≥ 0.99 is critical (lever
``fix_leakage``, bottleneck ``leakage``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from unstuck.findings import Finding
from unstuck.registry import CheckResult, SkipCheck, check, shows
from unstuck.view import MAX_ROWS, Table

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.context import Context
    from unstuck.findings import Report
    from unstuck.problem import Problem

THRESHOLD = 0.99
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


def single_feature_score(
    train: pd.Series, y_train: NDArray[Any], dev: pd.Series, y_dev: NDArray[Any], task: str, classes: tuple[Any, ...]
) -> float:
    """Dev AUC (classification) or R² (regression) of the lookup model on this one feature."""
    from sklearn.metrics import r2_score

    a, b, n_codes = bin_codes(train, dev)
    if task == "regression":
        y = np.asarray(y_train, dtype=np.float64)
        sums = np.bincount(a, weights=y, minlength=n_codes)
        sizes = np.bincount(a, minlength=n_codes)
        means = np.where(sizes > 0, sums / np.maximum(sizes, 1), y.mean())
        return float(r2_score(np.asarray(y_dev, dtype=np.float64), means[b]))
    position = {c: i for i, c in enumerate(classes)}
    k = len(classes)
    ya = np.array([position.get(v, -1) for v in np.asarray(y_train).tolist()])
    yb = np.array([position.get(v, -1) for v in np.asarray(y_dev).tolist()])
    keep_a, keep_b = ya >= 0, yb >= 0
    counts = np.zeros((n_codes, k))
    np.add.at(counts, (a[keep_a], ya[keep_a]), 1.0)
    prior = counts.sum(axis=0) / max(counts.sum(), 1.0)
    proba = (counts + prior) / (counts.sum(axis=1, keepdims=True) + 1.0)
    p, y = proba[b[keep_b]], yb[keep_b]
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
class TargetLeakageResult:
    """The score measured (AUC for classification, R² for regression), the threshold from which a column
    is suspect, and the best-scoring columns, best first."""

    measure: str
    threshold: float
    top: tuple[ColumnScore, ...]


@check(
    "target_leakage",
    requires=("data", "dev"),
    description="single features that alone predict the target almost perfectly (AUC or R² ≥ 0.99 on dev)",
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
    for column, score in ranked:
        if score < THRESHOLD:
            break
        findings.append(
            Finding(
                id=f"target_leakage.{column}",
                check="target_leakage",
                severity="critical",
                title=(
                    f"The feature '{column}' alone predicts the target with dev {measure} {score:.3f}: it is probably "
                    "computed from the target or recorded after it — every other number in this report is suspect "
                    "until it is removed or explained"
                ),
                lever="fix_leakage",
                bottleneck="leakage",
                evidence={"column": column, "measure": measure, "score": score, "threshold": THRESHOLD},
            )
        )
    section = TargetLeakageResult(measure, THRESHOLD, tuple(ColumnScore(c, s) for c, s in ranked[:TOP]))
    return CheckResult(findings=tuple(findings), section=section)


# --- how the result is shown (laid out by unstuck.render) ---------------------------------------------


@shows(target_leakage)
def _tables(report: Report, result: TargetLeakageResult) -> list[Table]:
    if not any(t.score >= result.threshold for t in result.top):
        return []
    return [
        Table(
            ("column", f"{result.measure} alone"),
            [[str(t.column), f"{t.score:.3f}"] for t in result.top[:MAX_ROWS]],
            numeric=(1,),
            caption=f"A column that predicts the target alone above {result.threshold:g} is suspect.",
        )
    ]
