"""Column problems: constant, near-constant, identifier-like, high-cardinality, mixed types, missing values.

Measured on train (the rows the model learns from):

* **constant** (one value) and **near-constant** (the top value covers ≥ 99.5 %
  of rows): info — they carry (almost) no signal;
* **identifier-like**: an integer or short-token text column unique on ≥ 99 % of
  rows (free text with spaces is not an id): warning, lever ``fix_pipeline`` — a
  model can memorise it, and it will not generalise;
* **high-cardinality categorical**: text with > 100 levels and > 5 % of rows
  distinct: info;
* **mixed types**: an object column where some values parse as numbers and some
  do not (``"12"``, ``"N/A"``, ``"?"``): warning, lever ``fix_pipeline`` — usually
  a number column with placeholders, read as text;
* **missing values**: the share per column, and whether missingness predicts the
  target (χ² test for classes, Mann–Whitney U for regression; Benjamini–Hochberg
  at 5 % over the columns tested; effect: total-variation distance between the
  class distributions, or the difference of target means in standard deviations).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.data.frames import short, user_splits
from unstuck.findings import Finding
from unstuck.measured import from_json
from unstuck.registry import CheckResult, check
from unstuck.units import percent

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.context import Context
    from unstuck.problem import Problem

NEAR_CONSTANT = 0.995
ID_UNIQUE = 0.99
HIGH_CARDINALITY_LEVELS = 100
HIGH_CARDINALITY_SHARE = 0.05
MIN_ROWS = 20
FDR = 0.05
MAX_ROWS_TESTED = 200_000


def numeric_share(values: pd.Series) -> float:
    """Share of the non-missing values of an object column that parse as numbers."""
    import pandas as pd

    present = values.dropna()
    if present.empty:
        return 0.0
    parsed = pd.to_numeric(present.astype(str).str.strip(), errors="coerce")
    return float(parsed.notna().mean())


def missing_predicts_target(missing: pd.Series, target: pd.Series, task: str) -> tuple[float, float]:
    """(p-value, effect) of the association between a missing-value indicator and the target.

    Classification: χ² test of independence; effect = total-variation distance between
    the class distributions of rows with and without the value. Regression:
    Mann–Whitney U; effect = |mean difference| / standard deviation of the target.
    """
    import pandas as pd
    from scipy import stats

    if task == "classification":
        table = pd.crosstab(missing, target.astype("string"))
        if table.shape[0] < 2 or table.shape[1] < 2:
            return 1.0, 0.0
        p = float(stats.chi2_contingency(table.to_numpy(dtype=np.float64))[1])
        dist = table.div(table.sum(axis=1), axis=0).to_numpy()
        return p, float(0.5 * np.abs(dist[0] - dist[1]).sum())
    y = target.to_numpy(dtype=np.float64)
    a, b = y[missing.to_numpy()], y[~missing.to_numpy()]
    if len(a) == 0 or len(b) == 0:
        return 1.0, 0.0
    p = float(stats.mannwhitneyu(a, b).pvalue)
    sd = float(np.std(y)) or 1.0
    return p, float(abs(a.mean() - b.mean()) / sd)


@dataclass(frozen=True)
class ConstantColumn:
    """A feature with one value on train (None when train is empty)."""

    column: Any
    value: Any


@dataclass(frozen=True)
class NearConstantColumn:
    """A feature whose most frequent value holds at least 99 % of train rows (``top_share``)."""

    column: Any
    top_share: float


@dataclass(frozen=True)
class IdLikeColumn:
    """A feature with (almost) one value per row, integers or short tokens: ``distinct_share`` of rows."""

    column: Any
    distinct_share: float


@dataclass(frozen=True)
class HighCardinalityColumn:
    """A text feature with many levels (``levels`` distinct values)."""

    column: Any
    levels: int


@dataclass(frozen=True)
class MixedTypesColumn:
    """A text feature mostly numeric: the numeric share, the most frequent non-numeric values, their rows."""

    column: Any
    numeric_share: float
    non_numeric_values: tuple[Any, ...]
    non_numeric_rows: int


@dataclass(frozen=True)
class MissingColumn:
    """A feature with missing values: their share of train; where tested, whether missingness predicts the
    target (p- and BH q-value, None when undefined, and the effect size)."""

    column: Any
    missing_share: float
    p_value: float | None = None
    q_value: float | None = None
    effect: float | None = None


@dataclass(frozen=True)
class MissingPredictsTarget:
    """A feature whose missingness predicts the target (BH q-value under the false discovery rate)."""

    column: Any
    missing_share: float
    q_value: float
    effect: float | None


@dataclass(frozen=True)
class ColumnsResult:
    """Train rows examined and the columns of each kind of surprise."""

    rows_examined: int
    constant: tuple[ConstantColumn, ...]
    near_constant: tuple[NearConstantColumn, ...]
    id_like: tuple[IdLikeColumn, ...]
    high_cardinality: tuple[HighCardinalityColumn, ...]
    mixed_types: tuple[MixedTypesColumn, ...]
    missing: tuple[MissingColumn, ...]
    missing_predicts_target: tuple[MissingPredictsTarget, ...]


@check(
    "columns",
    requires=("data",),
    description="constant, identifier-like, high-cardinality and mixed-type columns; missing-value patterns",
    tags=("data",),
    result=ColumnsResult,
)
def columns(problem: Problem, ctx: Context) -> CheckResult:
    import pandas as pd
    from scipy.stats import false_discovery_control

    train = user_splits(problem)["train"]
    if len(train) > MAX_ROWS_TESTED:
        train = train.sample(MAX_ROWS_TESTED, random_state=problem.seed)
    n = len(train)
    found: dict[str, list[dict[str, Any]]] = {
        "constant": [],
        "near_constant": [],
        "id_like": [],
        "high_cardinality": [],
        "mixed_types": [],
        "missing": [],
    }
    tested: list[tuple[str, float, float, float]] = []
    for column in problem.features:
        values = train[column]
        distinct = int(values.nunique(dropna=False))
        top_share = float(values.value_counts(dropna=False, normalize=True).iloc[0]) if n else 1.0
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        if distinct <= 1:
            found["constant"].append({"column": column, "value": short(values.iloc[0]) if n else None})
        elif top_share >= NEAR_CONSTANT:
            found["near_constant"].append({"column": column, "top_share": top_share})
        textual = not numeric and not pd.api.types.is_bool_dtype(values)
        if textual:
            share = numeric_share(values)
            if 0.0 < share < 1.0 and values.dropna().astype(str).str.strip().ne("").any():
                present = values.dropna().astype(str)
                others = present[pd.to_numeric(present.str.strip(), errors="coerce").isna()]
                if share >= 0.5:
                    found["mixed_types"].append(
                        {
                            "column": column,
                            "numeric_share": share,
                            "non_numeric_values": [short(v) for v in others.value_counts().index[:5]],
                            "non_numeric_rows": len(others),
                        }
                    )
        if n >= MIN_ROWS and distinct >= ID_UNIQUE * n:
            integer = pd.api.types.is_integer_dtype(values)
            token = False
            if textual:
                text = values.dropna().astype(str)
                token = bool(text.str.len().median() <= 40 and text.str.contains(r"\s").mean() < 0.1)
            if integer or token:
                found["id_like"].append({"column": column, "distinct_share": distinct / n})
        elif textual and distinct > HIGH_CARDINALITY_LEVELS and distinct > HIGH_CARDINALITY_SHARE * n:
            found["high_cardinality"].append({"column": column, "levels": distinct})
        missing = values.isna()
        share_missing = float(missing.mean()) if n else 0.0
        if share_missing > 0:
            entry = {"column": column, "missing_share": share_missing}
            found["missing"].append(entry)
            if 0.0 < share_missing < 1.0:
                p, effect = missing_predicts_target(missing, train[problem.target], problem.task)
                tested.append((column, share_missing, p, effect))
    predictive: list[dict[str, Any]] = []
    if tested:
        q = false_discovery_control([t[2] for t in tested], method="bh")
        for (column, share_missing, p, effect), q_value in zip(tested, q, strict=True):
            for entry in found["missing"]:
                if entry["column"] == column:
                    entry.update({"p_value": p, "q_value": float(q_value), "effect": effect})
            if q_value < FDR:
                predictive.append(
                    {"column": column, "missing_share": share_missing, "q_value": float(q_value), "effect": effect}
                )
    findings = _findings(found, predictive, n)
    section = {"rows_examined": n, **found, "missing_predicts_target": predictive}
    return CheckResult(findings=tuple(findings), section=from_json(ColumnsResult, section, strict=True))


def _findings(found: dict[str, list[dict[str, Any]]], predictive: list[dict[str, Any]], n: int) -> list[Finding]:
    def names(items: list[dict[str, Any]]) -> str:
        shown = [str(i["column"]) for i in items[:8]]
        return ", ".join(shown) + (f" and {len(items) - 8} more" if len(items) > 8 else "")

    out: list[Finding] = []
    if found["id_like"]:
        out.append(
            Finding(
                id="columns.id_like",
                severity="warning",
                title=(
                    f"{len(found['id_like'])} identifier-like column(s) are used as features "
                    f"({names(found['id_like'])}): "
                    "unique per row, a model can only memorise them — pass them as --id-column or --drop them"
                ),
                lever="fix_pipeline",
                evidence={"columns": found["id_like"]},
            )
        )
    if found["mixed_types"]:
        out.append(
            Finding(
                id="columns.mixed_types",
                severity="warning",
                title=(
                    f"{len(found['mixed_types'])} column(s) mix numbers and text ({names(found['mixed_types'])}), "
                    "e.g. "
                    + ", ".join(repr(v) for v in found["mixed_types"][0]["non_numeric_values"][:3])
                    + ": numbers read as text because of placeholders"
                ),
                lever="fix_pipeline",
                evidence={"columns": found["mixed_types"]},
            )
        )
    for kind, text in (
        ("constant", "are constant (one value)"),
        ("near_constant", f"are near-constant (one value on ≥ {percent(NEAR_CONSTANT)} of rows)"),
        ("high_cardinality", f"are categories with many levels (> {HIGH_CARDINALITY_LEVELS})"),
    ):
        if found[kind]:
            out.append(
                Finding(
                    id=f"columns.{kind}",
                    severity="info",
                    title=f"{len(found[kind])} column(s) {text}: {names(found[kind])}",
                    evidence={"columns": found[kind]},
                )
            )
    if found["missing"]:
        worst = max(found["missing"], key=lambda e: e["missing_share"])
        title = (
            f"{len(found['missing'])} column(s) have missing values (most: {worst['column']}, "
            f"{percent(worst['missing_share'])} of {n} train rows)"
        )
        if predictive:
            title += f"; missingness predicts the target for {names(predictive)} — keep a missing indicator"
        out.append(
            Finding(
                id="columns.missing",
                severity="info",
                title=title,
                evidence={"columns": found["missing"], "missing_predicts_target": predictive},
            )
        )
    return out
