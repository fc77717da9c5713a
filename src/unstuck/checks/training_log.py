"""Training-curve diagnosis from the user's own logs (``--training-log``).

Each run's curves go through :func:`unstuck.training_log.verdicts.diagnose_run`;
several runs are also compared (:func:`~unstuck.training_log.verdicts.compare_runs`).
Every verdict becomes a finding; the section holds, per run, how its columns were
mapped and the summary numbers of its curves, for renderers.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from unstuck.findings import Finding
from unstuck.registry import CheckResult, check, shows
from unstuck.view import Table

if TYPE_CHECKING:
    from unstuck.context import Context
    from unstuck.findings import Report
    from unstuck.problem import Problem
    from unstuck.training_log.verdicts import Verdict


@check(
    "training_log",
    requires=("training_log",),
    description="training curves from your logs: divergence, instability, overfitting, still improving, ...",
    group="training_log",
)
def training_log(problem: Problem, ctx: Context) -> CheckResult:
    from unstuck.training_log.verdicts import compare_runs, diagnose_run, primary_kind

    logs = problem.training_logs
    several = len(logs) > 1
    n_classes = len(problem.classes) if problem.task == "classification" and problem.classes else None
    findings: list[Finding] = []
    runs: list[dict[str, Any]] = []
    for log in logs:
        suffix = f".{_slug(log.name)}" if several else ""
        prefix = f"{log.name}: " if several else ""
        diagnosis = diagnose_run(log, metric=problem.metric.name, human_error=problem.human_error, n_classes=n_classes)
        findings.append(
            Finding(
                id=f"training_log.read{suffix}",
                check="training_log",
                severity="info",
                title=f"{prefix}Read {log.source or log.name} ({log.format}, {len(log.frame)} {log.step_unit}s): "
                f"{log.describe_mapping()}" + (f"; {'; '.join(log.notes)}" if log.notes else ""),
                evidence=log.to_dict(),
            )
        )
        for verdict in diagnosis.verdicts:
            findings.append(_finding(verdict, f"training_log.{verdict.kind}{suffix}", prefix))
        if not any(v.severity != "info" for v in diagnosis.verdicts):
            findings.append(
                Finding(
                    id=f"training_log.healthy{suffix}",
                    check="training_log",
                    severity="info",
                    title=f"{prefix}No training-curve problem found: " + _curve_line(diagnosis.summary),
                    evidence=diagnosis.summary,
                )
            )
        runs.append(
            {
                **log.to_dict(),
                "summary": diagnosis.summary,
                "verdicts": [v.kind for v in diagnosis.verdicts],
                "primary": primary_kind([v for v in diagnosis.verdicts if v.severity != "info"]),
            }
        )
    section: dict[str, Any] = {"runs": runs}
    if several:
        comparison = compare_runs(logs, metric=problem.metric.name)
        section["comparison"] = comparison.summary
        findings.extend(_finding(v, f"training_log.runs.{v.kind}", "") for v in comparison.verdicts)
    return CheckResult(findings=tuple(findings), section=section)


def _finding(verdict: Verdict, finding_id: str, prefix: str) -> Finding:
    return Finding(
        id=finding_id,
        check="training_log",
        severity=verdict.severity,  # type: ignore[arg-type]
        title=prefix + verdict.title,
        lever=verdict.lever,
        evidence=verdict.evidence,
        bottleneck=verdict.bottleneck,
        expected_gain=verdict.expected_gain,
    )


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
