"""The baseline ladder: trivial → linear → gradient boosting, and whether any beats trivial."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from unstuck.findings import Finding
from unstuck.metrics import bootstrap_means
from unstuck.registry import CheckResult, check

if TYPE_CHECKING:
    from unstuck.context import Context
    from unstuck.problem import Problem

N_BOOT = 1000


@check(
    "baselines",
    requires=("data",),
    description="quick baselines (trivial, linear, gradient boosting) and the best one on dev",
)
def baselines(problem: Problem, ctx: Context) -> CheckResult:
    ladder = ctx.ladder
    metric = problem.metric
    best = ladder.best_rung
    trivial = next(r for r in ladder.rungs if r.name == "trivial")
    dev = problem.frames["dev"]
    y_dev = dev[problem.target].to_numpy()
    x_dev = dev[list(problem.features)]
    # Paired bootstrap on the dev rows: does the best rung beat the trivial one beyond noise?
    diff = metric.row_losses(y_dev, trivial.model.predict(x_dev)) - metric.row_losses(y_dev, best.model.predict(x_dev))
    draws = bootstrap_means(diff, n_boot=N_BOOT, seed=problem.seed)
    low, high = (float(v) for v in np.quantile(draws, [0.025, 0.975]))
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
    if best.name == "trivial" or low <= 0.0:
        findings.append(
            Finding(
                id="baselines.no_signal",
                check="baselines",
                severity="warning",
                title="No baseline beats the trivial one beyond noise on dev "
                f"(gain of the best {metric.format_gap(float(diff.mean()))}, 95% interval "
                f"{metric.format_gap(low)} to {metric.format_gap(high)}): the features may not "
                "carry the target, or the pipeline joins the wrong rows",
                lever="fix_pipeline",
                evidence={"gain_over_trivial": float(diff.mean()), "interval": [low, high]},
            )
        )
    return CheckResult(findings=tuple(findings), section=ladder.to_dict())
