"""The baseline ladder: trivial → linear → gradient boosting (whether the best beats a constant: ``signal``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from unstuck.findings import Finding
from unstuck.registry import CheckResult, check

if TYPE_CHECKING:
    from unstuck.context import Context
    from unstuck.problem import Problem


@check(
    "baselines",
    requires=("data",),
    description="quick baselines (trivial, linear, gradient boosting) and the best one on dev",
)
def baselines(problem: Problem, ctx: Context) -> CheckResult:
    ladder = ctx.ladder
    metric = problem.metric
    best = ladder.best_rung
    ladder_text = ", ".join(f"{r.name.replace('_', ' ')} {metric.format(r.errors['dev'])}" for r in ladder.rungs)
    findings = [
        Finding(
            id="baselines.ladder",
            check="baselines",
            severity="info",
            title=f"Best quick baseline on dev: {best.name.replace('_', ' ')} "
            f"({metric.format(best.errors['dev'])}); dev errors: {ladder_text}",
            evidence={
                "best": best.name,
                "dev_errors": {r.name: r.errors["dev"] for r in ladder.rungs},
            },
        )
    ]
    return CheckResult(findings=tuple(findings), section=ladder.to_dict())
