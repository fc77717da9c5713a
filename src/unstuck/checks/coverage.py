"""Coverage: regions of dev that train barely covers, and whether more of them would help.

The regions and the experiment are :mod:`unstuck.coverage`'s: one-condition rules whose share of dev
exceeds their share of train beyond chance (Benjamini–Hochberg) and by a fifth or more; for the one
train lacks most, the best baseline refitted with that region's dev rows added (out of fold over dev)
against the same recipe fitted on train alone. Only the region's rows are credited: the dev metric with
their losses taken from the refit and every other row's from the fit on train alone.

The finding follows the measured gain, not the region's size or its current error:

* the refit lowers dev error beyond noise (the paired bootstrap's 95 % interval above zero): a
  warning with that gain. When the decomposition measures a mismatch gap beyond noise, the region's
  shortage is part of that gap (the same errors, one cause): bottleneck ``data_mismatch``, lever
  ``reduce_mismatch`` (adding dev-like rows to train is what the refit did). Otherwise bottleneck
  ``underrepresented_slice``, lever ``targeted_data``: a shortage whose cost the overall gap cannot
  resolve, but the refit does;
* it does not: information. The region is still named, but nothing measured says its shortage costs
  this model anything, so no lever rests on it.

A region is not a verdict without the refit: a model whose error in the region is no higher than
elsewhere may still gain from more of it (it has seen a handful of such rows), and one whose error
there is higher may face rows that are hard in themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from unstuck.coverage import FOLDS, Region, paired_gain, targeted_refit, undercovered_regions
from unstuck.findings import TRAINED_MODEL as RESTS_ON
from unstuck.findings import Finding
from unstuck.measured import ABSENT_WHEN_NONE
from unstuck.registry import CheckResult, SkipCheck, check, shows
from unstuck.slices import default_min_support
from unstuck.units import percent
from unstuck.view import MAX_ROWS, Table, count_text, pct

if TYPE_CHECKING:
    from unstuck.context import Context
    from unstuck.findings import Report
    from unstuck.problem import Problem

#: Regions listed in the section, largest missing share first.
MAX_REGIONS = 10


@dataclass(frozen=True)
class CoverageRegion:
    """A rule whose share of dev exceeds its share of train: its text, dev rows, both shares, and the
    one-sided p-value and Benjamini–Hochberg q-value of the excess."""

    rule: str
    dev_rows: int
    dev_share: float
    train_share: float
    p_value: float
    q_value: float


@dataclass(frozen=True)
class TargetedRefitResult:
    """The best baseline (``model``) refitted with ``rows_added`` of the region's dev rows (on average over
    the folds; ``train_rows`` of train beside them), scored out of fold on dev: the dev metric before and
    after (the region's rows scored by the refit, the others by the fit on train alone), the gain (> 0:
    better) with its 95 % paired-bootstrap interval, and the metric inside the region before and after."""

    rule: str
    model: str
    folds: int
    rows_added: float
    train_rows: int
    dev_error: float
    dev_error_refit: float
    gain: float
    interval: tuple[float, float]
    region_error: float
    region_error_refit: float


@dataclass(frozen=True)
class CoverageResult:
    """Rules tested (one condition each, at least ``min_rows`` dev rows), the under-covered ones (at most
    :data:`MAX_REGIONS`), and the targeted refit of the first (absent when there was none, ``note`` says
    why)."""

    rules_tested: int
    min_rows: int
    regions: tuple[CoverageRegion, ...]
    note: str
    refit: TargetedRefitResult | None = field(default=None, metadata=ABSENT_WHEN_NONE)


@check(
    "coverage",
    requires=("data", "train", "dev"),
    description="regions of dev that train barely covers, and a refit with some of their rows added",
    group="error_analysis",
    result=CoverageResult,
)
def coverage(problem: Problem, ctx: Context) -> CheckResult:
    if problem.dev_from_train:
        # every region is as common in a random part of train as in the rest: a finding would be a false discovery
        raise SkipCheck("dev was carved at random from train, so train covers it as it covers itself")
    train, dev = problem.frames["train"], problem.frames["dev"]
    # The features only: a rule on the target would add rows by their label and credit itself with them.
    features = list(problem.features)
    dev_rows = ctx.slice_rows("dev", dev[features])
    train_rows = ctx.slice_rows("train", train[features])[list(dev_rows.columns)]
    min_rows = default_min_support(len(dev))
    regions, tested = undercovered_regions(dev_rows, train_rows, min_rows=min_rows)
    listed = tuple(_region(r) for r in regions[:MAX_REGIONS])
    if not regions:
        return CheckResult(section=CoverageResult(tested, min_rows, listed, "no region of dev is rarer in train"))
    best = ctx.ladder.best
    if best == "trivial":
        raise SkipCheck("the best baseline is the trivial one, which no added rows can change")
    top = regions[0]
    in_region = top.condition.mask(dev_rows)
    ctx.step(f"refitting the best baseline with more rows where {top.condition.text()}")
    refit = targeted_refit(
        problem,
        best,
        in_region,
        baseline_dev=ctx.predictions["dev"].y_pred,
        max_rows=ctx.budget.refit_rows,
        backend=ctx.backend,
    )
    if refit is None:
        note = f"{top.condition.text()} has too few dev rows to add some to every fold"
        return CheckResult(section=CoverageResult(tested, min_rows, listed, note))
    metric = problem.metric
    # Only the region's rows count: targeted data claims to help the rows like those added, and a change
    # elsewhere is the refit's own noise or plain "more data", which the learning curve measures.
    region_only = np.where(in_region, refit.after, refit.before)
    gain, interval = paired_gain(refit.before, region_only, metric, seed=problem.seed)
    measured = TargetedRefitResult(
        rule=top.condition.text(),
        model=best,
        folds=FOLDS,
        rows_added=refit.rows_added,
        train_rows=refit.train_rows,
        dev_error=metric.from_losses(refit.before),
        dev_error_refit=metric.from_losses(region_only),
        gain=gain,
        interval=interval,
        region_error=metric.from_losses(refit.before[in_region]),
        region_error_refit=metric.from_losses(refit.after[in_region]),
    )
    section = CoverageResult(tested, min_rows, listed, "", measured)
    return CheckResult(findings=(_finding(problem, ctx, top, measured),), section=section)


def _region(region: Region) -> CoverageRegion:
    return CoverageRegion(
        region.condition.text(),
        region.dev_rows,
        region.dev_share,
        region.train_share,
        region.p_value,
        region.q_value,
    )


def _finding(problem: Problem, ctx: Context, region: Region, refit: TargetedRefitResult) -> Finding:
    metric = problem.metric
    low, high = refit.interval
    title = (
        f"{refit.rule} is {percent(region.dev_share)} of dev rows but {percent(region.train_share)} of train rows; "
        f"refitted with {refit.rows_added:.0f} of its dev rows added (scored out of fold), its error "
        f"{metric.format(refit.region_error)} → {metric.format(refit.region_error_refit)}, so dev error "
        f"{metric.format(refit.dev_error)} → {metric.format(refit.dev_error_refit)} (gain "
        f"{metric.format_gap(refit.gain)}, 95% interval {metric.format_gap(low)} to {metric.format_gap(high)})"
    )
    evidence = {
        "rule": refit.rule,
        "dev_share": region.dev_share,
        "train_share": region.train_share,
        "q_value": region.q_value,
        "rows_added": refit.rows_added,
        "gain": refit.gain,
        "interval": list(refit.interval),
        "rests_on": list(RESTS_ON),
    }
    if low <= 0.0:
        return Finding(
            id="coverage.region",
            severity="info",
            title=title + " — not beyond noise: nothing measured says this shortage costs the model",
            evidence=evidence,
        )
    mismatch = ctx.decomposition.gaps.get("data_mismatch")
    # Measured beyond noise overall, the mismatch gap already holds the region's cost: one cause, named once,
    # and adding dev-like rows to train (what the refit did) is reducing that mismatch.
    shifted = mismatch is not None and mismatch.significant
    return Finding(
        id="coverage.region",
        severity="warning",
        title=title + " — more rows like these help: collect them",
        lever="reduce_mismatch" if shifted else "targeted_data",
        evidence=evidence,
        bottleneck="data_mismatch" if shifted else "underrepresented_slice",
        expected_gain=refit.gain,
    )


# --- how the result is shown (laid out by unstuck.render) ---------------------------------------------


@shows(coverage)
def _tables(report: Report, result: CoverageResult) -> list[Table]:
    if not result.regions:
        return []
    rows = [
        [r.rule, count_text(r.dev_rows), pct(r.dev_share), pct(r.train_share), f"{r.q_value:.1e}"]
        for r in result.regions[:MAX_ROWS]
    ]
    return [
        Table(
            ("rule", "dev rows", "share of dev", "share of train", "q-value"),
            rows,
            numeric=(1, 2, 3, 4),
            caption=f"One-condition rules rarer in train than in dev, of {result.rules_tested} tested (at least "
            f"{result.min_rows} dev rows each; Benjamini–Hochberg over all of them).",
        )
    ]
