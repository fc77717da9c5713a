"""Training-curve checks from the user's own logs (``--training-log``): one check per verdict kind.

``training_log`` reads each run and says how its columns were mapped, keeps the summary
numbers of its curves for renderers, and says so when a run is healthy. Each verdict kind
is its own check, ``training_log.<kind>``, reporting its rules' findings on every run (the
rules and which silences which: :mod:`unstuck.training_log.judge`); ``training_log.runs``
compares several runs. With several runs a finding's id ends with the run's name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from unstuck.findings import Finding
from unstuck.registry import CheckResult, SkipCheck, check, shows
from unstuck.view import Table

if TYPE_CHECKING:
    from unstuck.context import Context
    from unstuck.findings import Report
    from unstuck.problem import Problem
    from unstuck.training_log.readers import TrainingLog

NEEDS = ("training_log",)


@check(
    "training_log",
    requires=NEEDS,
    description="training curves from your logs: how each was read, its summary, whether it is healthy",
    group="training_log",
)
def training_log(problem: Problem, ctx: Context) -> CheckResult:
    from unstuck.training_log.compare import compare_runs
    from unstuck.training_log.judge import kind_of, primary_kind

    findings: list[Finding] = []
    runs: list[dict[str, Any]] = []
    for judgement in ctx.training_runs:
        log = judgement.run.log
        verdicts = judgement.findings()
        summary = judgement.summary()
        findings.append(
            _for_run(
                Finding(
                    id="training_log.read",
                    severity="info",
                    title=f"Read {log.source or log.name} ({log.format}, {len(log.frame)} {log.step_unit}s): "
                    f"{log.describe_mapping()}" + (f"; {'; '.join(log.notes)}" if log.notes else ""),
                    evidence=log.to_dict(),
                ),
                log,
                problem,
            )
        )
        if not any(v.severity != "info" for v in verdicts):
            findings.append(
                _for_run(
                    Finding(
                        id="training_log.healthy",
                        severity="info",
                        title="No training-curve problem found: " + _curve_line(summary),
                        evidence=summary,
                    ),
                    log,
                    problem,
                )
            )
        runs.append(
            {
                **log.to_dict(),
                "summary": summary,
                "verdicts": [kind_of(v) for v in verdicts],
                "primary": primary_kind(v for v in verdicts if v.severity != "info"),
            }
        )
    section: dict[str, Any] = {"runs": runs}
    if len(problem.training_logs) > 1:
        section["comparison"] = compare_runs(problem.training_logs, metric=problem.metric.name).summary
    return CheckResult(findings=tuple(findings), section=section)


#: One check per verdict kind, in the order the report lists them: (kind, what its rules look for).
KIND_CHECKS: tuple[tuple[str, str], ...] = (
    ("divergence", "training curves: a NaN/inf loss, or one that blew up or climbed back above its start"),
    ("pipeline_bug", "training curves: a train loss that never falls, or a dev error at chance"),
    ("instability", "training curves: spikes and noise around the loss's trend"),
    ("overfitting", "training curves: the dev loss turning up while the train loss keeps falling"),
    ("lr_too_low", "training curves: a straight, slow decline (learning rate too low)"),
    ("underfitting", "training curves: the train error plateauing above human level"),
    ("still_improving", "training curves: still improving at the end (train longer)"),
    ("saturated_early", "training curves: the improvement came early (stop earlier)"),
)


def _kind_check(kind: str) -> Callable[[Problem, Context], CheckResult]:
    def judged(problem: Problem, ctx: Context) -> CheckResult:
        return _of_kind(problem, ctx, kind)

    judged.__name__ = judged.__qualname__ = kind
    return judged


for _kind, _description in KIND_CHECKS:
    check(f"training_log.{_kind}", requires=NEEDS, description=_description)(_kind_check(_kind))


@check(
    "training_log.runs",
    requires=NEEDS,
    description="training curves of several runs: the best, a sweep's edge, the noise between seeds",
)
def runs(problem: Problem, ctx: Context) -> CheckResult:
    from unstuck.training_log.compare import compare_runs

    if len(problem.training_logs) < 2:
        raise SkipCheck("compares two or more runs; there is one")
    return CheckResult(findings=compare_runs(problem.training_logs, metric=problem.metric.name).findings)


def _of_kind(problem: Problem, ctx: Context, kind: str) -> CheckResult:
    """The findings of the rules of verdict kind ``kind`` on every run."""
    return CheckResult(
        findings=tuple(
            _for_run(found, judgement.run.log, problem)
            for judgement in ctx.training_runs
            for found in judgement.findings(kind)
        )
    )


def _for_run(finding: Finding, log: TrainingLog, problem: Problem) -> Finding:
    """With several runs, the finding says which: its id ends with the run's name, its title starts with it."""
    if len(problem.training_logs) < 2:
        return finding
    return replace(finding, id=f"{finding.id}.{_slug(log.name)}", title=f"{log.name}: {finding.title}")


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "run"


def _curve_line(summary: dict[str, Any]) -> str:
    parts = []
    for key, label in (("train_loss", "train loss"), ("dev_loss", "dev loss")):
        if key in summary:
            s = summary[key]
            parts.append(f"{label} {s['first']:.3g} → {s['last']:.3g} (lowest {s.get('min', s['last']):.3g})")
    return ", ".join(parts) + f" over {summary['points']} {summary['step_unit']}s"


# --- how the result is shown (laid out by unstuck.render) ---------------------------------------------


@shows(training_log)
def _tables(report: Report, data: dict[str, Any]) -> list[Table]:
    rows = []
    for run in data.get("runs") or []:
        summary = run.get("summary") or {}
        unit = summary.get("step_unit", "step")
        for key, label in (
            ("train_loss", "train loss"),
            ("dev_loss", "dev loss"),
            ("train_error", "train error"),
            ("dev_error", "dev error"),
        ):
            s = summary.get(key)
            if not isinstance(s, dict):
                continue
            best = s.get("min_step")
            rows.append(
                [
                    str(run.get("name", "run")),
                    label,
                    f"{s.get('first', 0.0):.4g}",
                    f"{s.get('last', 0.0):.4g}",
                    f"{s.get('min', s.get('last', 0.0)):.4g}",
                    f"{unit} {best:g}" if isinstance(best, (int, float)) else "",
                    ", ".join(k.replace("_", " ") for k in run.get("verdicts") or []) or "healthy",
                ]
            )
    if not rows:
        return []
    return [Table(("run", "curve", "first", "last", "lowest", "lowest at", "verdict"), rows, numeric=(2, 3, 4))]
