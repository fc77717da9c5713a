"""The baseline ladder: trivial → linear → gradient boosting (whether the best beats a constant: ``signal``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from unstuck.findings import Finding
from unstuck.registry import CheckResult, check, shows
from unstuck.view import SPLIT_LABELS, Table, fmt_value

if TYPE_CHECKING:
    from unstuck.context import Context
    from unstuck.findings import Report
    from unstuck.problem import Problem


@dataclass(frozen=True)
class RungResult:
    """One quick baseline: its name, what it is, its error on each split (metric units), its fit time (s)."""

    name: str
    description: str
    errors: Mapping[str, float | None]
    fit_seconds: float


@dataclass(frozen=True)
class BaselinesResult:
    """The baseline ladder, simplest first, and the name of the best rung on dev."""

    best: str
    rungs: tuple[RungResult, ...]


@check(
    "baselines",
    requires=("data",),
    description="quick baselines (trivial, linear, gradient boosting) and the best one on dev",
    group="baselines",
    result=BaselinesResult,
)
def baselines(problem: Problem, ctx: Context) -> CheckResult:
    ladder = ctx.ladder
    metric = problem.metric
    best = ladder.best_rung
    ladder_text = ", ".join(f"{r.name.replace('_', ' ')} {metric.format(r.errors['dev'])}" for r in ladder.rungs)
    findings = [
        Finding(
            id="baselines.ladder",
            severity="info",
            title=f"Best quick baseline on dev: {best.name.replace('_', ' ')} "
            f"({metric.format(best.errors['dev'])}); dev errors: {ladder_text}",
            evidence={
                "best": best.name,
                "dev_errors": {r.name: r.errors["dev"] for r in ladder.rungs},
            },
        )
    ]
    rungs = tuple(RungResult(r.name, r.description, dict(r.errors), round(r.fit_seconds, 3)) for r in ladder.rungs)
    return CheckResult(findings=tuple(findings), section=BaselinesResult(best=ladder.best, rungs=rungs))


# --- how the result is shown (laid out by unstuck.render) ---------------------------------------------


@shows(baselines)
def _tables(report: Report, result: BaselinesResult) -> list[Table]:
    if not result.rungs:
        return []
    splits = [s for s in ("train", "train_dev", "dev", "test") if s in report.splits]
    rows = [
        [
            r.name.replace("_", " ") + (" ★" if r.name == result.best else ""),
            *(fmt_value(report, r.errors.get(s)) for s in splits),
            f"{r.fit_seconds:.1f}",
        ]
        for r in result.rungs
    ]
    best = next((i for i, r in enumerate(result.rungs) if r.name == result.best), None)
    return [
        Table(
            ("model", *(SPLIT_LABELS[s] for s in splits), "fit s"),
            rows,
            numeric=tuple(range(1, 2 + len(splits))),
            caption="★ best on dev.",
            highlight=best,
        )
    ]
