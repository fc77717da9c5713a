"""Per-class errors (classification) and where the large residuals sit (regression).

Classification, per class: dev error rate with its Wilson 95 % interval, support
in train and dev, the class's share of all dev errors, and the most frequent
confusions (true → predicted, with counts and share of all errors). The class
holding the largest share of dev errors and the most frequent confusion become
informational findings, so that error analysis starts where the errors are. For text
and image data the most frequent confusions come with examples: the dev rows of each
pair the model was surest of (highest probability of the wrong class), with their text
or image path, since reading a few errors says more about a confusion than its count.
Rare classes the model fails on are the ``imbalance`` check's finding (lever
``targeted_data``); this check does not repeat them.

Regression: quantiles of the residual (y_pred − y_true) and of its absolute
value on dev, the share of the squared error carried by the 10 % largest
residuals, and the residuals per quintile of the true target (where large
residuals sit). When the top decile carries at least half the squared error
an informational finding says so: a few rows dominate RMSE.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.data.frames import row_refs
from unstuck.embedding_space import excerpt, texts_of
from unstuck.findings import Finding
from unstuck.images.thumbnail import thumbnail
from unstuck.measured import from_json
from unstuck.registry import CheckResult, SkipCheck, check, shows
from unstuck.units import percent
from unstuck.view import MAX_ROWS, Table, cell_text, count_text, fmt_interval, fmt_value, pct

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from unstuck.context import Context
    from unstuck.findings import Report
    from unstuck.problem import Problem

#: Confusions listed (most frequent first).
TOP_CONFUSIONS = 10
#: Text and image data: the most frequent confusions shown with examples, and the examples of each.
EXAMPLE_CONFUSIONS = 5
EXAMPLES_PER_CONFUSION = 3
#: Regression: the top decile of |residual| "dominates" when it carries at least this share of squared error.
DOMINANT_SHARE = 0.5


def wilson_interval(k: int, n: int) -> tuple[float, float]:
    """Wilson score 95 % interval of the proportion ``k / n`` (scipy's ``binomtest``)."""
    if n == 0:
        return (0.0, 1.0)
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return (float(ci.low), float(ci.high))


@dataclass(frozen=True)
class ClassErrors:
    """One class on dev: train rows (None without train labels), dev rows, dev errors, its error (metric
    units; None without dev rows) with its Wilson 95 % interval, and its share of all dev errors."""

    label: str = field(metadata={"json": "class"})
    train_support: int | None
    dev_support: int
    errors: int
    error: float | None
    error_interval: tuple[float, float]
    share_of_errors: float


@dataclass(frozen=True)
class Confusion:
    """A (true, predicted) pair of classes among dev errors: its rows and share of dev errors."""

    true: str
    predicted: str
    count: int
    share_of_errors: float


@dataclass(frozen=True)
class ConfusedRow:
    """A dev row of a frequent confusion (text or image data): its true and predicted class, its
    reference, the model's probability of the predicted class (None without probabilities), what a person
    reads of it (the text, cut, or the image path), and for an image its thumbnail (a PNG ``data:`` URI)."""

    true: str
    predicted: str
    row: Any
    probability: float | None
    example: str
    thumbnail: str | None = None


@dataclass(frozen=True)
class PerClassResult:
    """Classification: dev rows and errors, every class's errors, the most frequent confusions, and (text
    and image data) examples of the most frequent ones."""

    dev_rows: int
    dev_errors: int
    classes: tuple[ClassErrors, ...]
    confusions: tuple[Confusion, ...]
    examples: tuple[ConfusedRow, ...] = ()


@dataclass(frozen=True)
class TargetQuintile:
    """Dev rows whose true value lies in one fifth of its range: mean residual, RMSE (target units), their
    share of the squared error, and of the 10 % largest residuals."""

    y_true_range: tuple[float, float]
    rows: int
    mean_residual: float
    rmse: float
    share_of_squared_error: float
    share_of_top_decile: float


@dataclass(frozen=True)
class ResidualsResult:
    """Regression: quantiles of dev residuals (prediction − truth, target units) and of their absolute
    values, the 10 % largest residuals' rows and share of squared error, and residuals by target quintile."""

    residual_quantiles: Mapping[str, float]
    abs_residual_quantiles: Mapping[str, float]
    top_decile_rows: int
    top_decile_share_of_squared_error: float
    by_target_quintile: tuple[TargetQuintile, ...]


@check(
    "per_class",
    requires=("predictions", "dev"),
    description="per-class dev errors, support and confusions; for regression, where the large residuals sit",
    group="error_analysis",
    result=PerClassResult | ResidualsResult,
)
def per_class(problem: Problem, ctx: Context) -> CheckResult:
    dev = ctx.predictions["dev"]
    if problem.task == "classification":
        return _classification(problem, ctx)
    return _regression(np.asarray(dev.y_true, dtype=np.float64), np.asarray(dev.y_pred, dtype=np.float64))


def _train_labels(problem: Problem, ctx: Context) -> NDArray[Any] | None:
    if problem.mode == "data":
        return np.asarray(problem.frames["train"][problem.target])
    train = ctx.predictions.get("train")
    return None if train is None else np.asarray(train.y_true)


def _classification(problem: Problem, ctx: Context) -> CheckResult:
    import pandas as pd

    dev = ctx.predictions["dev"]
    y_true = pd.Series(dev.y_true).astype(str).to_numpy()
    y_pred = pd.Series(dev.y_pred).astype(str).to_numpy()
    wrong = y_true != y_pred
    n_dev, n_wrong = len(wrong), int(wrong.sum())
    if n_dev == 0:
        raise SkipCheck("the dev split has no rows")
    train = _train_labels(problem, ctx)
    train_counts = pd.Series(train).astype(str).value_counts() if train is not None else None
    classes: list[dict[str, Any]] = []
    for c in (str(c) for c in problem.classes):
        in_class = y_true == c
        n_c, k_c = int(in_class.sum()), int(wrong[in_class].sum())
        low, high = wilson_interval(k_c, n_c)
        classes.append(
            {
                "class": c,
                "train_support": int(train_counts.get(c, 0)) if train_counts is not None else None,
                "dev_support": n_c,
                "errors": k_c,
                "error": k_c / n_c if n_c else None,
                "error_interval": [low, high],
                "share_of_errors": k_c / n_wrong if n_wrong else 0.0,
            }
        )
    pairs: dict[tuple[str, str], int] = {}
    for t, p in zip(y_true[wrong].tolist(), y_pred[wrong].tolist(), strict=True):
        pairs[(t, p)] = pairs.get((t, p), 0) + 1
    ranked = sorted(pairs.items(), key=lambda item: (-item[1], item[0]))[:TOP_CONFUSIONS]
    confusions: list[dict[str, Any]] = [
        {"true": t, "predicted": p, "count": k, "share_of_errors": k / n_wrong} for (t, p), k in ranked
    ]
    examples = _confusion_examples(problem, ctx, y_true, y_pred, confusions[:EXAMPLE_CONFUSIONS])
    findings: list[Finding] = []
    if n_wrong:
        worst = max(classes, key=lambda r: (r["errors"], r["class"]))
        rest_n = n_dev - worst["dev_support"]
        rest_error = (n_wrong - worst["errors"]) / rest_n if rest_n else 0.0
        findings.append(
            Finding(
                id="per_class.most_errors",
                severity="info",
                title=(
                    f"class {worst['class']} holds {percent(worst['share_of_errors'], 0)} of dev errors (error "
                    f"{percent(worst['error'])} on {worst['dev_support']} rows vs {percent(rest_error)} on the others)"
                ),
                evidence={**worst, "rest_error": rest_error},
            )
        )
        top = confusions[0]
        title = (
            f"most frequent confusion: {top['true']} predicted as {top['predicted']} "
            f"({top['count']} rows, {percent(top['share_of_errors'], 0)} of dev errors)"
        )
        shown = [e for e in examples if (e["true"], e["predicted"]) == (top["true"], top["predicted"])]
        if shown:
            title += f", e.g. “{excerpt(shown[0]['example'], 80)}”"
        findings.append(
            Finding(
                id="per_class.top_confusion",
                severity="info",
                title=title,
                evidence={**top, "confused_rows": shown} if shown else top,
            )
        )
    section = {"dev_rows": n_dev, "dev_errors": n_wrong, "classes": classes, "confusions": confusions}
    if examples:
        section["examples"] = examples
    return CheckResult(findings=tuple(findings), section=from_json(PerClassResult, section, strict=True))


def _confusion_examples(
    problem: Problem, ctx: Context, y_true: NDArray[Any], y_pred: NDArray[Any], confusions: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """For text and image data, the dev rows of each of ``confusions`` the model was surest of."""
    if problem.mode != "data" or not confusions:
        return []
    frame = problem.frames["dev"]
    images = not problem.text_columns and problem.image_column is not None
    if problem.text_columns:
        readable = texts_of(frame, problem.text_columns[0])
    elif problem.image_column is not None:
        readable = [str(p) for p in frame[problem.image_column].tolist()]
    else:
        return []
    dev = ctx.predictions["dev"]
    column = {str(c): j for j, c in enumerate(dev.classes)}
    out: list[dict[str, Any]] = []
    for pair in confusions:
        rows = np.flatnonzero((y_true == pair["true"]) & (y_pred == pair["predicted"]))
        sure: NDArray[np.float64] | None = None
        if dev.proba is not None and pair["predicted"] in column:
            sure = dev.proba[rows, column[pair["predicted"]]]
            rows = rows[np.argsort(-sure, kind="stable")]
            sure = np.sort(sure)[::-1]
        rows = rows[:EXAMPLES_PER_CONFUSION]
        refs = row_refs(problem, frame, rows)
        out += [
            {
                "true": pair["true"],
                "predicted": pair["predicted"],
                "row": ref,
                "probability": float(sure[k]) if sure is not None else None,
                "example": excerpt(readable[int(i)]),
                "thumbnail": thumbnail(readable[int(i)]) if images else None,
            }
            for k, (ref, i) in enumerate(zip(refs, rows, strict=True))
        ]
    return out


def _regression(y_true: NDArray[np.float64], y_pred: NDArray[np.float64]) -> CheckResult:
    import pandas as pd

    residual = y_pred - y_true
    absolute = np.abs(residual)
    squared = residual**2
    total = float(squared.sum())
    n_top = max(1, int(np.ceil(0.1 * len(residual))))
    top = np.argsort(-absolute, kind="stable")[:n_top]
    top_share = float(squared[top].sum() / total) if total > 0 else 0.0
    quantiles = (0.05, 0.25, 0.5, 0.75, 0.95)
    bins = pd.qcut(pd.Series(y_true), q=5, duplicates="drop")
    by_bin: list[dict[str, Any]] = []
    for interval, idx in pd.Series(np.arange(len(y_true))).groupby(bins.to_numpy(), observed=True):
        assert isinstance(interval, pd.Interval)
        rows = idx.to_numpy()
        by_bin.append(
            {
                "y_true_range": [float(interval.left), float(interval.right)],
                "rows": len(rows),
                "mean_residual": float(residual[rows].mean()),
                "rmse": float(np.sqrt(squared[rows].mean())),
                "share_of_squared_error": float(squared[rows].sum() / total) if total > 0 else 0.0,
                "share_of_top_decile": float(np.isin(top, rows).sum() / n_top),
            }
        )
    section = {
        "residual_quantiles": {str(q): float(np.quantile(residual, q)) for q in quantiles},
        "abs_residual_quantiles": {str(q): float(np.quantile(absolute, q)) for q in quantiles},
        "top_decile_rows": n_top,
        "top_decile_share_of_squared_error": top_share,
        "by_target_quintile": by_bin,
    }
    findings: list[Finding] = []
    if top_share >= DOMINANT_SHARE:
        worst = max(by_bin, key=lambda b: float(b["share_of_top_decile"]))
        low, high = (float(v) for v in worst["y_true_range"])
        findings.append(
            Finding(
                id="per_class.large_residuals",
                severity="info",
                title=(
                    f"the 10% largest residuals carry {percent(top_share, 0)} of the squared error on dev; "
                    f"{percent(worst['share_of_top_decile'], 0)} of them have a true value in ({low:.4g}, {high:.4g}]"
                ),
                evidence={"top_decile_share_of_squared_error": top_share, "where": worst},
            )
        )
    return CheckResult(findings=tuple(findings), section=from_json(ResidualsResult, section, strict=True))


# --- how the result is shown (laid out by unstuck.render) ---------------------------------------------


@shows(per_class)
def _tables(report: Report, result: PerClassResult | ResidualsResult) -> list[Table]:
    if not isinstance(result, PerClassResult) or not result.classes:
        return []
    ordered = sorted(result.classes, key=lambda c: -c.errors)
    out = [
        Table(
            ("class", "train rows", "dev rows", "dev errors", "dev error", "95% interval", "share of all dev errors"),
            [
                [
                    cell_text(c.label),
                    count_text(c.train_support),
                    count_text(c.dev_support),
                    count_text(c.errors),
                    fmt_value(report, c.error),
                    fmt_interval(report, c.error_interval),
                    pct(c.share_of_errors),
                ]
                for c in ordered[:MAX_ROWS]
            ],
            numeric=(1, 2, 3, 4, 5, 6),
            caption=f"{len(result.classes)} classes, most dev errors first." if len(result.classes) > MAX_ROWS else "",
        )
    ]
    if result.confusions:
        out.append(
            Table(
                ("true class", "predicted as", "dev rows", "share of dev errors"),
                [
                    [cell_text(c.true), cell_text(c.predicted), count_text(c.count), pct(c.share_of_errors)]
                    for c in result.confusions[:5]
                ],
                numeric=(2, 3),
            )
        )
    if result.examples:
        out.append(
            Table(
                ("true class", "predicted as", "dev row", "P(predicted)", "example"),
                [
                    [
                        cell_text(e.true),
                        cell_text(e.predicted),
                        cell_text(e.row),
                        f"{e.probability:.2f}" if e.probability is not None else "—",
                        e.example,
                    ]
                    for e in result.examples
                ],
                numeric=(3,),
                caption="Examples of the most frequent confusions: the dev rows the model was surest of.",
                thumbnails=[e.thumbnail for e in result.examples] if any(e.thumbnail for e in result.examples) else (),
            )
        )
    return out
