"""No class and no discovered slice worse than its floor, or clearly worse than the baseline.

Groups of test rows are every class (classification), every slice
:func:`unstuck.slices.find_slices` discovers on the test rows' features — where the
candidate fails (misclassified; for regression a loss above the slice check's 90 % quantile),
and, with a baseline, where the candidate fails and the baseline does not — and the whole
test set for an ``overall`` floor.

* ``slice_floors``: a group fails its floor when its error is above the floor beyond noise:
  the one-sided exact binomial test (error rate) or bootstrap (other metrics) of
  "error ≤ floor" rejects after Benjamini–Hochberg over every group and floor tested.
* ``slice_regressions``: a group regresses when the candidate is worse than the baseline on
  it beyond noise: the one-sided paired test (:mod:`unstuck.gate.paired`), again after
  Benjamini–Hochberg over every group tested.

A slice picked because it fails most would look above its floor on the rows that picked it
whatever the truth, so discovery and test use different rows: the search runs on a random
half of the test rows (seeded) and each discovered slice is judged on the other half only.
Classes and the whole test set are fixed in advance and judged on every row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from unstuck.gate.condition import FAIL, NOT_CHECKED, PASS, GateCondition
from unstuck.gate.paired import compare_paired

if TYPE_CHECKING:
    from unstuck.gate.inputs import GateInputs
    from unstuck.gate.settings import Floor, GateSettings
    from unstuck.metrics import Metric

__all__ = ["Group", "floor_condition", "gate_groups", "regression_condition"]

FAMILY = "slices"
WHY_FLOORS = (
    "an average can hide a group of users the model fails: a class or slice above its floor is a group the "
    "release would serve worse than the team decided it may"
)
WHY_REGRESSIONS = (
    "a release that is better on average but worse than today's model on one group takes something away "
    "from those users; it is a trade-off to make on purpose, not to discover in production"
)
#: Regression: a row "fails" when its loss is above this quantile (the slice check's rule).
LARGE_LOSS_QUANTILE = 0.90
MAX_DISCOVERED = 10
#: Flagged groups named in a summary (all are in the detail).
SHOWN = 3


@dataclass(frozen=True)
class Group:
    """A named group of test rows: ``kind`` is ``class``, ``slice`` or ``overall``; ``rows``: a mask (n,)."""

    kind: str
    name: str
    rows: NDArray[np.bool_]


def gate_groups(inputs: GateInputs) -> list[Group]:
    """Classes, discovered slices (candidate failures; regressions against the baseline) and all rows."""
    from unstuck.slices import find_slices

    test = inputs.test
    metric = inputs.metric
    groups: list[Group] = [Group("overall", "all test rows", np.ones(len(test.y_true), dtype=bool))]
    if metric.task == "classification":
        labels = np.asarray(test.y_true).astype(str)
        for value in sorted(set(labels.tolist())):
            groups.append(Group("class", f"class {value}", labels == value))
    columns = [c for c in inputs.features if c in test.rows.columns]
    if not columns:
        return groups
    n = len(test.y_true)
    search_half = np.zeros(n, dtype=bool)
    search_half[np.random.default_rng(inputs.problem.seed).permutation(n)[: n // 2]] = True
    rows = test.rows[columns].reset_index(drop=True)
    losses = metric.row_losses(test.y_true, test.y_pred)
    failed = losses > 0 if metric.task == "classification" else losses > np.quantile(losses, LARGE_LOSS_QUANTILE)
    searched = rows[search_half].reset_index(drop=True)
    searches = [find_slices(searched, failed[search_half])]
    if inputs.baseline is not None:
        base_losses = metric.row_losses(inputs.baseline.y_true, inputs.baseline.y_pred)
        searches.append(find_slices(searched, (losses > base_losses)[search_half]))
    seen: set[str] = set()
    for search in searches:
        for found in search.slices[:MAX_DISCOVERED]:
            if found.rule in seen:
                continue
            seen.add(found.rule)
            held_out = found.mask(rows) & ~search_half
            if held_out.any():
                groups.append(Group("slice", found.rule, held_out))
    return groups


def _error_above_p(metric: Metric, losses: NDArray[np.float64], bound: float, seed: int) -> float:
    """One-sided p-value of "the group's error is at most ``bound``" given its per-row ``losses``."""
    from scipy.stats import binomtest

    from unstuck.metrics import bootstrap_means

    n = len(losses)
    if metric.name == "error_rate":
        if bound >= 1.0:
            return 1.0
        return float(binomtest(int(losses.sum()), n, bound, alternative="greater").pvalue)
    means = bootstrap_means(losses, n_boot=2000, seed=seed)
    draws = np.sqrt(means) if metric.aggregate == "root_mean" else means
    return max(float(np.mean(draws <= bound)), 1.0 / len(draws))


def _applies(floor: Floor, group: Group) -> bool:
    if floor.scope == "overall":
        return group.kind == "overall"
    if floor.scope == "class":
        return group.kind == "class"
    return group.kind in ("class", "slice")


def _bh(p: list[float]) -> list[float]:
    from scipy.stats import false_discovery_control

    return [float(q) for q in false_discovery_control(p, method="bh")] if p else []


def floor_condition(inputs: GateInputs, settings: GateSettings, groups: list[Group]) -> GateCondition:
    """Every group against every floor that applies to it, with false-discovery control."""
    name = "slice_floors"
    if not settings.floors:
        return GateCondition(
            name, FAMILY, NOT_CHECKED, "not checked: no floor given (--floor or gate.floors)", WHY_FLOORS
        )
    metric = inputs.metric
    for floor in settings.floors:
        if floor.measure not in ("error", metric.name):
            from unstuck.errors import ConfigError

            raise ConfigError(
                f"The floor {floor.text!r} measures {floor.measure}, but this model is measured by {metric.name}.",
                f'Write it as "{floor.scope} error <= NUMBER", in {metric.name} units.',
            )
    test = inputs.test
    losses = metric.row_losses(test.y_true, test.y_pred)
    rows: list[dict[str, Any]] = []
    for floor in settings.floors:
        for group in groups:
            if not _applies(floor, group) or not group.rows.any():
                continue
            value = metric.from_losses(losses[group.rows])
            rows.append(
                {
                    "group": group.name,
                    "kind": group.kind,
                    "rows": int(group.rows.sum()),
                    "error": value,
                    "floor": floor.bound,
                    "floor_text": floor.text,
                    "p_value": _error_above_p(metric, losses[group.rows], floor.bound, inputs.problem.seed),
                }
            )
    for row, q in zip(rows, _bh([r["p_value"] for r in rows]), strict=True):
        row["q_value"] = q
        row["above_floor"] = q <= settings.significance and row["error"] > row["floor"]
    above = [r for r in rows if r["above_floor"]]
    worst = max(rows, key=lambda r: r["error"] - r["floor"]) if rows else None
    if above:
        shown = sorted(above, key=lambda r: r["q_value"])[:SHOWN]
        summary = (
            f"{len(above)} of {len(rows)} groups are above their floor beyond noise "
            f"(BH q ≤ {settings.significance:g}): "
            + "; ".join(
                f"{r['group']}: {metric.format(r['error'])} on {r['rows']} rows, floor {metric.format(r['floor'])}"
                for r in shown
            )
        )
    else:
        summary = f"no class or slice is above its floor beyond noise ({len(rows)} groups tested)"
        if worst is not None and worst["error"] > worst["floor"]:
            summary += (
                f"; {worst['group']} is at {metric.format(worst['error'])} on {worst['rows']} rows, above "
                f"{metric.format(worst['floor'])} but within noise"
            )
    return GateCondition(
        name,
        FAMILY,
        FAIL if above else PASS,
        summary,
        WHY_FLOORS,
        measured=float(len(above)),
        threshold=0.0,
        detail={"groups": rows, "false_discovery_rate": settings.significance},
    )


def regression_condition(inputs: GateInputs, settings: GateSettings, groups: list[Group]) -> GateCondition:
    """Every class and slice: candidate vs baseline on its rows, one-sided paired test, BH-controlled."""
    name = "slice_regressions"
    if inputs.baseline is None:
        return GateCondition(
            name, FAMILY, NOT_CHECKED, "not checked: no baseline predictions (--baseline)", WHY_REGRESSIONS
        )
    metric = inputs.metric
    test, base = inputs.test, inputs.baseline
    rows: list[dict[str, Any]] = []
    for i, group in enumerate(g for g in groups if g.kind in ("class", "slice")):
        if group.rows.sum() < 2:
            continue
        mask = group.rows
        comparison = compare_paired(
            metric,
            test.y_true[mask],
            test.y_pred[mask],
            base.y_pred[mask],
            level=1.0 - settings.significance,
            seed=inputs.problem.seed + i,
        )
        rows.append({"group": group.name, "kind": group.kind, "rows": int(mask.sum()), **comparison.to_dict()})
    for row, q in zip(rows, _bh([r["p_worse"] for r in rows]), strict=True):
        row["q_value"] = q
        row["regresses"] = q <= settings.significance and row["gain"] < 0
    worse = [r for r in rows if r["regresses"]]
    if worse:
        shown = sorted(worse, key=lambda r: r["q_value"])[:SHOWN]
        summary = (
            f"{len(worse)} of {len(rows)} groups are worse than the baseline beyond noise (BH q ≤ "
            f"{settings.significance:g}): "
            + "; ".join(
                f"{r['group']}: {metric.format(r['candidate'])} vs {metric.format(r['baseline'])} on {r['rows']} rows"
                for r in shown
            )
        )
    else:
        summary = f"no class or slice is worse than the baseline beyond noise ({len(rows)} groups tested)"
    return GateCondition(
        name,
        FAMILY,
        FAIL if worse else PASS,
        summary,
        WHY_REGRESSIONS,
        measured=float(len(worse)),
        threshold=0.0,
        detail={"groups": rows, "false_discovery_rate": settings.significance},
    )
