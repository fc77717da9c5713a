"""Automatic slice discovery on dev: readable rules where the model fails far more than elsewhere.

The search is :func:`unstuck.slices.find_slices` on the dev rows' features (data
mode) or metadata columns (predictions mode), run once per diagnosis
(:attr:`unstuck.context.Context.dev_slices`; the learning curve's per-slice curves
read the same slices). What counts as a failure:

* classification: a misclassified row; a slice's error is its error rate;
* regression: a row among the 10 % largest losses on dev; a slice's error is
  the metric (RMSE or MAE) on its rows.

Each kept slice becomes a finding. Its ``expected_gain`` is how far the dev
metric would fall if the slice were only as hard as the rest of dev: for error
rates ``share of dev × (slice error − rest error)``; for RMSE/MAE the metric
recomputed with the slice's mean loss replaced by the rest's.

A slice points to the lever ``targeted_data`` (bottleneck ``underrepresented_slice``:
collect or label more of it) only when it is **rarer in train than in dev**: its
train share below ``RARER_IN_TRAIN`` × its dev share, and below it beyond noise
(Jeffreys draws of both shares). That is evidence that train under-serves it. A slice
that is merely small, but as common in train as in dev, is a *weak* slice: it may be
hard in itself (noisier targets, a region the features cannot separate) or labelled
differently in dev, and more examples like it are a hypothesis, not a finding; it is
reported without a lever, and the learning curve's per-slice curves say whether more
of it would help (``learning_curve.which_slice``).

Images are searched by their properties and their cluster (:mod:`unstuck.images.slicing`). A
cluster's number says little, so a slice whose rule (or a merged rule) names the image
cluster keeps a few of its dev images (``images``: failures first, each with its thumbnail),
which the HTML report draws and the text and Markdown reports list by path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from unstuck.context import LARGE_LOSS_QUANTILE
from unstuck.data.frames import row_refs
from unstuck.findings import TRAINED_MODEL as RESTS_ON
from unstuck.findings import Finding
from unstuck.images.slicing import CLUSTER
from unstuck.images.thumbnail import thumbnail
from unstuck.measured import ABSENT_WHEN_NONE, from_json
from unstuck.metrics import rate_exceeds
from unstuck.registry import CheckResult, check, shows
from unstuck.units import percent
from unstuck.view import MAX_ROWS, Table, cell_text, count_text, fmt_gap, fmt_value, pct

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.context import Context
    from unstuck.findings import Report
    from unstuck.problem import Problem
    from unstuck.slices import Slice

#: A slice holding at most this share of dev rows is rare (described so; not a lever by itself).
RARE_SHARE = 0.10
#: A slice is rarer in train when its train share is below this multiple of its dev share.
RARER_IN_TRAIN = 0.8
#: Findings written for at most this many slices.
MAX_FINDINGS = 5
#: Dev images kept of each of those slices that names an image cluster.
IMAGES_PER_SLICE = 4


@dataclass(frozen=True)
class SliceCondition:
    """One condition of a rule on a feature: ``eq`` (equals ``value``), ``other`` (none of ``values``),
    ``range`` (``low`` ≤ x < ``high``, either bound may be None) or ``missing``; ``text`` as people read it."""

    feature: str
    kind: Literal["eq", "other", "range", "missing"]
    value: Any
    values: tuple[Any, ...]
    low: float | None
    high: float | None
    text: str


@dataclass(frozen=True)
class SliceImage:
    """A dev image of a slice: its row reference, its path, and its thumbnail (a PNG ``data:`` URI, None when
    the file can no longer be read)."""

    row: Any
    example: str
    thumbnail: str | None


@dataclass(frozen=True)
class FoundSlice:
    """A slice of dev kept by the search: its rule and conditions, its ``rows`` and ``failures`` (see
    ``SlicesResult.failure``), the failure rates inside and outside (``error``, ``rest_error``), its share of
    dev, the one-sided p-value against the rest and its Benjamini–Hochberg q-value, the rules of merged
    slices covering nearly the same rows (``also``); the metric inside and outside (metric units), its share
    of train rows (None without train rows of the same columns), whether it is rare in dev and rarer in
    train than in dev beyond noise, and the dev-metric gain were it as hard as the rest. ``images``: for a
    slice that names an image cluster, a few of its dev images (absent otherwise)."""

    rule: str
    conditions: tuple[SliceCondition, ...]
    rows: int
    failures: int
    error: float
    rest_error: float
    share: float
    p_value: float
    q_value: float
    also: tuple[str, ...]
    metric: float
    rest_metric: float
    train_share: float | None
    rare: bool
    rarer_in_train: bool
    expected_gain: float
    images: tuple[SliceImage, ...] | None = field(default=None, metadata=ABSENT_WHEN_NONE)


@dataclass(frozen=True)
class SlicesResult:
    """The search on dev's ``rows`` (``failures`` of them failures, as ``failure`` says): the feature
    ``levels`` encoded, the slices counted and the hypotheses tested, the smallest slice tested
    (``min_support`` rows), the false discovery rate ``alpha`` and the p-value threshold it gave, the
    slices significant before overlapping ones were merged, notes on the encoding, and the slices kept,
    most significant first."""

    rows: int
    failures: int
    levels: int
    slices_counted: int
    hypotheses: int
    min_support: int
    alpha: float
    p_threshold: float
    significant_before_merging: int
    notes: tuple[str, ...]
    slices: tuple[FoundSlice, ...]
    failure: str


@check(
    "slices",
    requires=("predictions", "dev"),
    description="automatic slice discovery: readable rules where dev error is far above the rest",
    group="error_analysis",
    result=SlicesResult,
)
def slices(problem: Problem, ctx: Context) -> CheckResult:
    search = ctx.dev_slices  # searched once per diagnosis: the learning curve reads the same slices
    dev = ctx.predictions["dev"]
    losses = problem.metric.row_losses(dev.y_true, dev.y_pred)
    train_rows = _train_rows(problem, ctx, list(ctx.slice_rows("dev", dev.rows).columns))
    findings: list[Finding] = []
    described: list[dict[str, Any]] = []
    for rank, found in enumerate(search.slices, start=1):
        entry = _describe(problem, found, losses, train_rows)
        if rank <= MAX_FINDINGS:
            findings.append(_finding(problem, rank, found, entry))
            if _names_cluster(problem, found):
                entry["images"] = _images(problem, found, losses)
        described.append(entry)
    section = search.to_dict()
    section["failure"] = (
        "misclassified"
        if problem.task == "classification"
        else f"loss above the {percent(LARGE_LOSS_QUANTILE, 0)} quantile"
    )
    section["slices"] = described
    return CheckResult(findings=tuple(findings), section=from_json(SlicesResult, section, strict=True))


def _train_rows(problem: Problem, ctx: Context, columns: list[str]) -> pd.DataFrame | None:
    """The train split's rows with the same columns, when there is one."""
    if problem.mode == "data":
        return ctx.slice_rows("train", problem.frames["train"])[columns]
    train = ctx.predictions.get("train")
    if train is None or any(c not in train.rows.columns for c in columns):
        return None
    return train.rows[columns]


def _names_cluster(problem: Problem, found: Slice) -> bool:
    """Whether ``found`` is a slice of images whose rule, or a rule merged into it, names their cluster."""
    if problem.mode != "data" or problem.image_column is None or problem.text_columns:
        return False
    return any(c.feature == CLUSTER for c in found.conditions) or any(f"{CLUSTER} = " in rule for rule in found.also)


def _images(problem: Problem, found: Slice, losses: np.ndarray) -> list[dict[str, Any]]:
    """Up to :data:`IMAGES_PER_SLICE` dev images of ``found``, spread over its failures (misclassified, or
    among the largest losses), then over its other rows when it has too few failures."""
    frame = problem.frames["dev"]
    paths = [str(p) for p in frame[problem.image_column].tolist()]
    if problem.task == "classification":
        failed = losses > 0
    else:
        failed = losses > np.quantile(losses, LARGE_LOSS_QUANTILE)
    rows = np.asarray(found.rows, dtype=np.int64)
    picked: list[int] = []
    for group in (rows[failed[rows]], rows[~failed[rows]]):
        wanted = IMAGES_PER_SLICE - len(picked)
        if wanted > 0 and len(group):
            spread = np.unique(np.linspace(0, len(group) - 1, min(wanted, len(group))).round().astype(np.int64))
            picked += group[spread].tolist()
    refs = row_refs(problem, frame, picked)
    return [
        {"row": ref, "example": paths[i], "thumbnail": thumbnail(paths[i])} for ref, i in zip(refs, picked, strict=True)
    ]


def _describe(problem: Problem, found: Slice, losses: np.ndarray, train_rows: pd.DataFrame | None) -> dict[str, Any]:
    """The slice's numbers in metric units, its train share and its expected gain."""
    metric = problem.metric
    inside = np.zeros(len(losses), dtype=bool)
    inside[found.rows] = True
    slice_metric = metric.from_losses(losses[inside])
    rest_metric = metric.from_losses(losses[~inside]) if (~inside).any() else 0.0
    replaced = losses.copy()
    replaced[inside] = losses[~inside].mean() if (~inside).any() else 0.0
    gain = max(0.0, metric.from_losses(losses) - metric.from_losses(replaced))
    train_share = float(found.mask(train_rows).mean()) if train_rows is not None and len(train_rows) else None
    rare = found.share <= RARE_SHARE
    rarer = (
        train_rows is not None
        and train_share is not None
        and train_share < RARER_IN_TRAIN * found.share
        and rate_exceeds(len(found.rows), len(losses), round(train_share * len(train_rows)), len(train_rows), seed=0)
    )
    entry = found.to_dict()
    entry.update(
        {
            "metric": slice_metric,
            "rest_metric": rest_metric,
            "train_share": train_share,
            "rare": bool(rare),
            "rarer_in_train": bool(rarer),
            "expected_gain": gain,
        }
    )
    return entry


def _finding(problem: Problem, rank: int, found: Slice, entry: dict[str, Any]) -> Finding:
    metric = problem.metric
    train = f", {percent(entry['train_share'])} of train rows" if entry["train_share"] is not None else ""
    title = (
        f"{found.rule}: {metric.name.replace('_', ' ')} {metric.format(entry['metric'])} vs "
        f"{metric.format(entry['rest_metric'])} elsewhere, {percent(found.share)} of dev rows{train}"
    )
    targeted = entry["rarer_in_train"]
    if targeted:
        title += " — rarer in train than in dev: more examples like it should help"
    elif entry["train_share"] is not None:
        title += (
            " — as common in train as in dev, so train does not under-serve it: a weak slice, not evidently "
            "short of data"
        )
    evidence = {k: entry[k] for k in ("rule", "rows", "failures", "metric", "rest_metric", "share", "train_share")}
    evidence.update({"p_value": found.p_value, "q_value": found.q_value, "also": list(found.also)})
    evidence["rests_on"] = list(RESTS_ON)
    return Finding(
        id=f"slices.{rank}",
        severity="warning" if targeted else "info",
        title=title,
        lever="targeted_data" if targeted else None,
        evidence=evidence,
        bottleneck="underrepresented_slice" if targeted else None,
        expected_gain=entry["expected_gain"],
    )


# --- how the result is shown (laid out by unstuck.render) ---------------------------------------------


@shows(slices)
def _tables(report: Report, result: SlicesResult) -> list[Table]:
    if not result.slices:
        return []
    rows = [
        [
            s.rule,
            count_text(s.rows),
            pct(s.share),
            fmt_value(report, s.metric),
            fmt_value(report, s.rest_metric),
            f"{s.q_value:.1e}",
            fmt_gap(report, s.expected_gain, signed=False),
        ]
        for s in result.slices[:MAX_ROWS]
    ]
    return [
        Table(
            ("slice", "dev rows", "share of dev", "error in slice", "error elsewhere", "q-value", "gain if fixed"),
            rows,
            numeric=(1, 2, 3, 4, 5, 6),
            caption=f"Rules over {result.hypotheses} candidate slices, false discovery rate "
            f"{result.alpha:g} (Benjamini–Hochberg).",
        ),
        *_image_tables(result),
    ]


def _image_tables(result: SlicesResult) -> list[Table]:
    """The dev images kept of the slices that name an image cluster, one row each."""
    shown = [(s.rule, image) for s in result.slices for image in s.images or ()]
    if not shown:
        return []
    pictures = [image.thumbnail for _, image in shown]
    return [
        Table(
            ("slice", "dev row", "example"),
            [[rule, cell_text(image.row), image.example] for rule, image in shown],
            caption="Dev images of the slices that name an image cluster (in their rule or a rule merged into it): "
            "the model's failures first.",
            thumbnails=pictures if any(pictures) else (),
        )
    ]
