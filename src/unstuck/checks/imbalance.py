"""Class imbalance and rare classes: per-class support against per-class dev error.

"This class is rare and the model fails on it" is a ``targeted_data`` finding:
a class whose share of train is below half an even share (``< 0.5 / K``) and whose
dev error is above the error on the other dev rows, with the Wilson 95 % interval
of its error lying wholly above that. Its expected gain is what the dev error
would drop if the class were only as hard as the rest:
``(error_class − error_rest) × dev_rows_of_class / dev_rows``.

"Rare, so it fails" is a claim about train's own distribution, where rarity is the only
thing that differs between the classes; on dev, a class may also fail because dev's rows
of it differ from train's (data mismatch), which more rows like train's do not fix. So
where train-dev predictions exist (a carved train-dev, or out-of-fold on a small train),
the class's error there bounds what rarity explains: the gain counts the class's dev
error only up to its train-dev error (when train-dev holds at least
:data:`MIN_TRAIN_DEV_ROWS` of it), and the rest of its dev error is left to the
data-mismatch verdict, as the decomposition splits dev error as a whole. For the same
reason the class is weighted by its share of dev only up to its share of train: a class
that is 7 % of train and 44 % of dev (a shift of the class priors) costs dev far more
than its rarity in train explains, and that excess is the mismatch's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.data.frames import short
from unstuck.findings import TRAINED_MODEL, Finding
from unstuck.measured import from_json
from unstuck.registry import CheckResult, check, shows
from unstuck.units import percent
from unstuck.view import MAX_ROWS, Table, cell_text, count_text, fmt_interval, fmt_value, pct

if TYPE_CHECKING:
    from unstuck.context import Context
    from unstuck.findings import Report
    from unstuck.problem import Problem

#: A class is rare when its train share is below this fraction of an even share (1 / K).
RARE_FRACTION = 0.5
#: The imbalance ratio (largest / smallest train support) from which an info finding is written.
IMBALANCE_RATIO = 10.0
#: A class's train-dev error bounds what its rarity explains only when train-dev holds this many of its rows.
MIN_TRAIN_DEV_ROWS = 10


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion ``k / n`` (95 % by default)."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (float(max(0.0, centre - half)), float(min(1.0, centre + half)))


@dataclass(frozen=True)
class ClassSupport:
    """One class: train rows and share of train, dev rows, dev error (metric units) with its Wilson 95 %
    interval, the dev error on the other classes, and whether it is rare (under half an even share)."""

    label: Any = field(metadata={"json": "class"})
    train_support: int
    train_share: float
    dev_support: int
    dev_error: float | None
    dev_error_interval: tuple[float, float]
    dev_error_rest: float
    rare: bool


@dataclass(frozen=True)
class ImbalanceResult:
    """Every class's support and dev error, and the ratio of the largest to the smallest train support."""

    imbalance_ratio: float
    classes: tuple[ClassSupport, ...]


@check(
    "imbalance",
    requires=("classification", "dev"),
    description="class supports against per-class dev error (rare classes the model fails on)",
    tags=("data",),
    result=ImbalanceResult,
)
def imbalance(problem: Problem, ctx: Context) -> CheckResult:
    import pandas as pd

    if problem.mode == "data":
        train_labels = pd.Series(problem.frames["train"][problem.target])
    elif "train" in ctx.predictions:
        train_labels = pd.Series(ctx.predictions["train"].y_true)
    else:
        train_labels = pd.Series(ctx.predictions["dev"].y_true)
    dev = ctx.predictions["dev"]
    support = train_labels.value_counts()
    k = len(problem.classes)
    n_train = int(support.sum())
    wrong = np.asarray(dev.y_true) != np.asarray(dev.y_pred)
    n_dev = len(wrong)
    rows: list[dict[str, Any]] = []
    findings: list[Finding] = []
    for c in problem.classes:
        in_class = np.asarray(dev.y_true) == c
        n_c, k_c = int(in_class.sum()), int(wrong[in_class].sum())
        n_rest, k_rest = n_dev - n_c, int(wrong[~in_class].sum())
        error = k_c / n_c if n_c else None
        rest = k_rest / n_rest if n_rest else 0.0
        share = int(support.get(c, 0)) / n_train if n_train else 0.0
        low, high = wilson(k_c, n_c)
        row = {
            "class": short(c),
            "train_support": int(support.get(c, 0)),
            "train_share": share,
            "dev_support": n_c,
            "dev_error": error,
            "dev_error_interval": [low, high],
            "dev_error_rest": rest,
            "rare": share < RARE_FRACTION / k,
        }
        rows.append(row)
        if row["rare"] and error is not None and low > rest:
            on_train_dev = _train_dev_error(ctx, c)
            explained = error if on_train_dev is None else min(error, on_train_dev)
            # weighted by the class's share of dev, but not beyond its share of train where train-dev
            # measured the error: more of the class in dev than in train is a shift of the class
            # priors, whose cost the data-mismatch verdict carries (dev differs from train)
            weight = n_c / n_dev if on_train_dev is None else min(n_c / n_dev, share)
            gain = max(explained - rest, 0.0) * weight
            title = (
                f"Class {short(c)!r} is rare ({row['train_support']} train rows, {percent(share)}) and the model "
                f"fails on it: dev error {problem.metric.format(error)} (95% interval "
                f"{problem.metric.format(low)}–{problem.metric.format(high)}) vs "
                f"{problem.metric.format(rest)} on the other classes"
            )
            if on_train_dev is not None and on_train_dev < low:  # said only when beyond the dev error's noise
                title += (
                    f"; on train-dev, drawn like train, its error is {problem.metric.format(on_train_dev)}: only that "
                    "much is counted for its rarity, the rest comes with dev's own rows of it"
                )
            findings.append(
                Finding(
                    id=f"imbalance.rare_class.{c}",
                    severity="warning",
                    title=title,
                    lever="targeted_data",
                    bottleneck="underrepresented_slice",
                    # read off a model trained on train's labels: wrong labels drown a rare class first
                    evidence=row | {"train_dev_error": on_train_dev, "rests_on": list(TRAINED_MODEL)},
                    expected_gain=float(gain),
                )
            )
    counts = [r["train_support"] for r in rows]
    ratio = max(counts) / max(min(counts), 1) if counts else 1.0
    if ratio >= IMBALANCE_RATIO and not findings:
        findings.append(
            Finding(
                id="imbalance.ratio",
                severity="info",
                title=f"Classes are imbalanced: the largest has {ratio:.0f}× the train rows of the smallest",
                evidence={"ratio": ratio, "classes": rows},
            )
        )
    section = from_json(ImbalanceResult, {"imbalance_ratio": ratio, "classes": rows}, strict=True)
    return CheckResult(findings=tuple(findings), section=section)


def _train_dev_error(ctx: Context, label: Any) -> float | None:
    """The class's error on train-dev (rows drawn like train's, unseen by the model), or None where
    there are no train-dev predictions or too few of its rows there to say."""
    predictions = ctx.train_dev_predictions
    if predictions is None:
        return None
    in_class = np.asarray(predictions.y_true) == label
    if int(in_class.sum()) < MIN_TRAIN_DEV_ROWS:
        return None
    return float(np.mean(np.asarray(predictions.y_pred)[in_class] != label))


# --- how the result is shown (laid out by unstuck.render) ---------------------------------------------


@shows(imbalance)
def _tables(report: Report, result: ImbalanceResult) -> list[Table]:
    if not any(c.rare for c in result.classes):
        return []
    rows = [
        [
            cell_text(c.label) + (" (rare)" if c.rare else ""),
            count_text(c.train_support),
            pct(c.train_share),
            count_text(c.dev_support),
            fmt_value(report, c.dev_error),
            fmt_interval(report, c.dev_error_interval),
            fmt_value(report, c.dev_error_rest),
        ]
        for c in sorted(result.classes, key=lambda c: c.train_share)[:MAX_ROWS]
    ]
    return [
        Table(
            ("class", "train rows", "train share", "dev rows", "dev error", "95% interval", "dev error, others"),
            rows,
            numeric=(1, 2, 3, 4, 5, 6),
            caption=f"Largest class / smallest class: {result.imbalance_ratio:.1f}×.",
        )
    ]
