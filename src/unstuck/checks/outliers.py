"""Outliers: an isolation forest fitted on train, its most anomalous rows, and how unusual dev and test look.

Rows are encoded for the forest as numbers: numeric columns as they are (missing
→ the median), other columns by the frequency of their value in train (a rare
category is an unusual value). scikit-learn's ``IsolationForest`` (100 trees,
256 rows per tree, seeded) gives each row an anomaly score (higher = more
isolated). Reported: the share of train rows the forest calls anomalous (its
``decision_function`` below 0), the top rows, and for dev/test the share of rows
more anomalous than train's 99th percentile (about 1 % if they look like train).
Outliers are information (info findings): whether they are errors or the
interesting cases is for a person to judge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from unstuck.data.frames import MAX_EXAMPLES, example_rows, row_refs, user_splits
from unstuck.findings import Finding
from unstuck.measured import from_json
from unstuck.registry import CheckResult, check
from unstuck.units import percent

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.context import Context
    from unstuck.problem import Problem

MAX_FIT_ROWS = 100_000
TAIL = 0.99


def encode(frame: pd.DataFrame, reference: pd.DataFrame, columns: list[str]) -> NDArray[np.float64]:
    """Numbers for the forest: numeric columns median-imputed (medians of ``reference``), others → train frequency."""
    import pandas as pd

    out = np.empty((len(frame), len(columns)), dtype=np.float64)
    for j, column in enumerate(columns):
        ref = reference[column]
        if pd.api.types.is_numeric_dtype(ref) and not pd.api.types.is_bool_dtype(ref):
            values = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
            median = float(np.nanmedian(ref.to_numpy(dtype=np.float64, na_value=np.nan))) if ref.notna().any() else 0.0
            values = np.where(np.isfinite(values), values, median)
        else:
            freq = ref.astype("string").value_counts(normalize=True, dropna=False)
            values = frame[column].astype("string").map(freq).astype("Float64").fillna(0.0).to_numpy(np.float64)
        out[:, j] = values
    return out


@dataclass(frozen=True)
class RowScore:
    """A train row (its reference) and its isolation-forest anomaly score (higher: more isolated)."""

    row: Any
    score: float


@dataclass(frozen=True)
class OutliersResult:
    """Train rows, the share an isolation forest flags as anomalous, the score of train's 99th percentile,
    the most isolated rows, and the share of dev and test rows beyond that percentile."""

    train_rows: int
    train_anomalous_share: float
    train_tail_cut: float
    top: tuple[RowScore, ...]
    beyond_train_tail: Mapping[str, float]


@check(
    "outliers",
    requires=("data",),
    description="isolation-forest outliers in train, and how unusual dev and test rows look",
    tags=("data",),
    result=OutliersResult,
)
def outliers(problem: Problem, ctx: Context) -> CheckResult:
    from sklearn.ensemble import IsolationForest

    splits = user_splits(problem)
    train = splits["train"]
    columns = list(problem.features)
    x_train = encode(train, train, columns)
    fit_rows = x_train
    if len(x_train) > MAX_FIT_ROWS:
        pick = np.random.default_rng(problem.seed).choice(len(x_train), MAX_FIT_ROWS, replace=False)
        fit_rows = x_train[pick]
    forest = IsolationForest(n_estimators=100, max_samples=min(256, len(fit_rows)), random_state=problem.seed, n_jobs=1)
    forest.fit(fit_rows)
    score = -forest.score_samples(x_train)
    flagged = forest.decision_function(x_train) < 0
    cut = float(np.quantile(score, TAIL))
    order = np.argsort(-score, kind="stable")[:MAX_EXAMPLES]
    refs = row_refs(problem, train, order)
    section: dict[str, Any] = {
        "train_rows": len(train),
        "train_anomalous_share": float(flagged.mean()),
        "train_tail_cut": cut,
        "top": [{"row": r, "score": float(score[i])} for r, i in zip(refs, order, strict=True)],
        "beyond_train_tail": {},
    }
    for split in ("dev", "test"):
        if split in splits:
            other = -forest.score_samples(encode(splits[split], train, columns))
            section["beyond_train_tail"][split] = float(np.mean(other > cut))
    beyond = section["beyond_train_tail"]
    title = (
        f"{percent(flagged.mean())} of train rows look anomalous to an isolation forest; the most isolated are rows "
        + ", ".join(str(r["row"]) for r in section["top"][:3])
    )
    if beyond:
        title += "; rows beyond train's 99th percentile: " + ", ".join(f"{s} {percent(v)}" for s, v in beyond.items())
    finding = Finding(
        id="outliers.train",
        severity="info",
        title=title,
        evidence={**section, "examples": example_rows(train, order[:3], columns)},
    )
    return CheckResult(findings=(finding,), section=from_json(OutliersResult, section, strict=True))
