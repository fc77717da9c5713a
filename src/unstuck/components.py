"""Pipeline attribution for multi-stage systems: which stage to work on next.

Input: one row per example and, per stage (in pipeline order), whether that stage's
output was correct; optionally an end-to-end outcome column.

* **First-failure attribution**: each end-to-end failure is charged to the first stage
  whose output was wrong (later stages fed on bad input, so their errors are not their
  own). Per stage: the failures charged to it, their share of all end-to-end failures
  (Wilson 95 % interval), and ``failures / rows`` — an upper bound, in error-rate points,
  on what fixing that stage alone can gain (the rows may still fail downstream).
  Failures with every stage correct are ``unattributed`` (e.g. the final decision);
  rows where a stage failed but the outcome was still correct are ``recovered``.
  A missing value in a stage column means "not evaluated" and is passed over.
  Without an outcome column, a row fails when any stage failed.
* **Ceiling analysis** (when the user measured it): end-to-end accuracy with stage 1,
  then stages 1–2, ... replaced by ground truth, cumulatively in pipeline order (the
  method's table). The gain of a stage is the accuracy its row adds to the row before.

The top stage — the largest ceiling gain when ceilings are given, else the most
first failures — becomes a finding. Pure functions; ``unstuck components`` prints them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.errors import ColumnProblem, ConfigError
from unstuck.findings import Finding
from unstuck.units import percent

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray

__all__ = ["Attribution", "CeilingRow", "StageShare", "attribute", "ceiling_table", "parse_ceilings", "top_finding"]

SCHEMA = "unstuck.components/1"
_TRUE = frozenset({"1", "1.0", "true", "t", "yes", "y", "ok", "pass", "passed", "correct", "right", "success"})
_FALSE = frozenset({"0", "0.0", "false", "f", "no", "n", "fail", "failed", "wrong", "incorrect", "error", "failure"})


@dataclass(frozen=True)
class StageShare:
    """One stage's share of end-to-end failures (first-failure attribution)."""

    stage: str
    failures: int
    share: float
    share_interval: tuple[float, float]
    gain_bound: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "failures": self.failures,
            "share": self.share,
            "share_interval": list(self.share_interval),
            "gain_bound": self.gain_bound,
        }


@dataclass(frozen=True)
class CeilingRow:
    """One row of the ceiling table: accuracy with stages up to ``stage`` made perfect."""

    stage: str
    accuracy: float
    gain: float

    def to_dict(self) -> dict[str, Any]:
        return {"stage": self.stage, "accuracy": self.accuracy, "gain": self.gain}


@dataclass(frozen=True)
class Attribution:
    """The attribution of end-to-end failures to stages, and the optional ceiling table."""

    rows: int
    failures: int
    accuracy: float
    stages: tuple[StageShare, ...]
    unattributed: int
    recovered: int
    ceiling: tuple[CeilingRow, ...] = ()
    #: What the user must know to read the numbers right (e.g. a stage that was never evaluated).
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "rows": self.rows,
            "failures": self.failures,
            "accuracy": self.accuracy,
            "stages": [s.to_dict() for s in self.stages],
            "unattributed": self.unattributed,
            "recovered": self.recovered,
            "ceiling": [c.to_dict() for c in self.ceiling],
            "warnings": list(self.warnings),
        }


def _flags(column: pd.Series, name: str) -> NDArray[np.float64]:
    """A correct/wrong column as 1.0 / 0.0, NaN where empty; other values are a user error."""
    out = np.full(len(column), np.nan)
    text = column.astype(object).where(column.notna(), None)
    bad: list[str] = []
    for i, value in enumerate(text.tolist()):
        if value is None:
            continue
        word = str(value).strip().lower()
        if word in _TRUE:
            out[i] = 1.0
        elif word in _FALSE:
            out[i] = 0.0
        elif word:
            bad.append(str(value))
    if bad:
        raise ColumnProblem(
            f"The column '{name}' holds values that are neither correct nor wrong, e.g. {sorted(set(bad))[:3]}.",
            "Mark each stage's output as 1/0, true/false, yes/no or pass/fail (empty = not evaluated).",
        )
    return out


def attribute(frame: pd.DataFrame, stages: Sequence[str], outcome: str | None = None) -> Attribution:
    """First-failure attribution of ``frame`` (one row per example) over ``stages`` in order."""
    if not stages:
        raise ConfigError("No stages were named.", "Pass --stages with the stage columns in pipeline order.")
    if len(set(stages)) != len(stages):
        raise ConfigError(f"A stage is named twice in {list(stages)}.", "Name each stage column once.")
    for column in [*stages, *([outcome] if outcome else [])]:
        if column not in frame.columns:
            raise ColumnProblem(
                f"The column '{column}' is not in the results file; its columns are {list(frame.columns)[:20]}.",
                "Name the per-stage correctness columns with --stages (and the outcome with --outcome).",
            )
    if len(frame) == 0:
        raise ColumnProblem("The results file has no rows.", "Give one row per example.")
    ok = np.column_stack([_flags(frame[s], s) for s in stages])  # (n, k), NaN = not evaluated
    wrong = ok == 0.0
    any_wrong = wrong.any(axis=1)
    if outcome:
        result = _flags(frame[outcome], outcome)
        if np.isnan(result).any():
            raise ColumnProblem(f"The outcome column '{outcome}' has empty cells.", "Give every row its outcome.")
        failed = result == 0.0
    else:
        failed = any_wrong
    never = [stage for j, stage in enumerate(stages) if np.isnan(ok[:, j]).all()]
    warnings = tuple(
        f"The stage '{stage}' was never evaluated (its column is empty in every row): its 0 first failures "
        "mean 'not measured', not 'never fails'; failures it caused are counted against later stages. "
        "Fill in that column to attribute them."
        for stage in never
    )
    first = np.where(any_wrong, np.argmax(wrong, axis=1), -1)
    n, n_failed = len(frame), int(failed.sum())
    shares = []
    for j, stage in enumerate(stages):
        k = int((failed & (first == j)).sum())
        shares.append(StageShare(stage, k, k / n_failed if n_failed else 0.0, _wilson(k, n_failed), k / n))
    return Attribution(
        rows=n,
        failures=n_failed,
        accuracy=1.0 - n_failed / n,
        stages=tuple(shares),
        unattributed=int((failed & (first < 0)).sum()),
        recovered=int((~failed & any_wrong).sum()),
        warnings=warnings,
    )


def _wilson(k: int, n: int) -> tuple[float, float]:
    if n == 0:
        return (0.0, 1.0)
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return (float(ci.low), float(ci.high))


def parse_ceilings(specs: Sequence[str], stages: Sequence[str]) -> dict[str, float]:
    """``["detect=0.93", ...]`` → ``{"detect": 0.93}``, validated against ``stages`` (accuracies in [0, 1])."""
    out: dict[str, float] = {}
    for spec in specs:
        stage, sep, value = spec.partition("=")
        stage = stage.strip()
        try:
            accuracy = float(value)
        except ValueError:
            accuracy = float("nan")
        if not sep or stage not in stages or not 0.0 <= accuracy <= 1.0:
            raise ConfigError(
                f"--ceiling '{spec}' is not STAGE=ACCURACY with a stage of {list(stages)} and an accuracy in [0, 1].",
                "Give e.g. --ceiling detect=0.93: end-to-end accuracy with detect and every stage before it "
                "replaced by ground truth.",
            )
        out[stage] = accuracy
    return out


def ceiling_table(accuracy: float, ceilings: Mapping[str, float], stages: Sequence[str]) -> tuple[CeilingRow, ...]:
    """The ceiling table: ``overall`` then each measured stage in pipeline order, with gains."""
    rows = [CeilingRow("overall", accuracy, 0.0)]
    previous = accuracy
    for stage in stages:
        if stage in ceilings:
            rows.append(CeilingRow(stage, ceilings[stage], ceilings[stage] - previous))
            previous = ceilings[stage]
    return tuple(rows)


def top_finding(result: Attribution) -> Finding | None:
    """The stage to work on next, as a finding (None when nothing fails)."""
    if result.failures == 0:
        return None
    measured = [c for c in result.ceiling if c.stage != "overall"]
    by_share = max(result.stages, key=lambda s: s.failures)
    if measured:
        best = max(measured, key=lambda c: c.gain)
        share = next(s for s in result.stages if s.stage == best.stage)
        title = (
            f"stage '{best.stage}' has the largest ceiling: made perfect, end-to-end accuracy rises by "
            f"{100 * best.gain:.1f} points (it is the first to fail in {percent(share.share, 0)} of failures)"
        )
        stage, gain = best.stage, max(0.0, best.gain)
    else:
        title = (
            f"stage '{by_share.stage}' is the first to fail in {percent(by_share.share, 0)} of end-to-end failures "
            f"({by_share.failures} of {result.failures}); "
            f"fixing it gains at most {100 * by_share.gain_bound:.1f} points"
        )
        stage, gain = by_share.stage, by_share.gain_bound
    return Finding(
        id="components.top_stage",
        check="components",
        severity="warning",
        title=title,
        evidence={"stage": stage, **result.to_dict()},
        expected_gain=gain,
    )
