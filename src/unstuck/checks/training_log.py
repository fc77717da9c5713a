"""Training-curve checks from the user's own logs (``--training-log``): one check per verdict kind.

``training_log`` reads each run and says how its columns were mapped, keeps the summary
numbers of its curves for renderers, and says so when a run is healthy. Each verdict kind
is its own check, ``training_log.<kind>``, reporting its rules' findings on every run (the
rules and which silences which: :mod:`unstuck.training_log.judge`); ``training_log.runs``
compares several runs. With several runs a finding's id ends with the run's name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from unstuck.findings import Finding
from unstuck.measured import ABSENT_WHEN_NONE, from_json
from unstuck.registry import CheckResult, SkipCheck, check, shows
from unstuck.view import Table

if TYPE_CHECKING:
    from unstuck.context import Context
    from unstuck.findings import Report
    from unstuck.problem import Problem
    from unstuck.training_log.readers import TrainingLog

NEEDS = ("training_log",)


@dataclass(frozen=True, kw_only=True)
class CurveSummary:
    """One logged curve (the loss's or the error's units): points logged, first and last value, the
    lowest and the step (or epoch) it was at (absent when no value is finite), non-finite values,
    and for an error curve the column it was read from. A non-finite first or last value is null."""

    points: int
    first: float | None
    last: float | None
    min: float | None = field(default=None, metadata=ABSENT_WHEN_NONE)
    min_step: float | None = field(default=None, metadata=ABSENT_WHEN_NONE)
    non_finite: int
    column: str | None = field(default=None, metadata=ABSENT_WHEN_NONE)


@dataclass(frozen=True)
class RunSummary:
    """A run's curves: its step unit and points, each curve logged, and why underfitting was not judged."""

    step_unit: str
    points: int
    train_loss: CurveSummary | None = field(default=None, metadata=ABSENT_WHEN_NONE)
    dev_loss: CurveSummary | None = field(default=None, metadata=ABSENT_WHEN_NONE)
    train_error: CurveSummary | None = field(default=None, metadata=ABSENT_WHEN_NONE)
    dev_error: CurveSummary | None = field(default=None, metadata=ABSENT_WHEN_NONE)
    underfitting: str | None = field(default=None, metadata=ABSENT_WHEN_NONE)


@dataclass(frozen=True)
class TrainingRun:
    """One run as read (name, source file, format, step unit, rows, columns, first and last epoch,
    how its columns were mapped, what was ignored, notes, recorded params), its curves' summary,
    the verdict kinds its rules gave and the primary one (None: healthy)."""

    name: str
    source: str | None
    format: str
    step_unit: str
    points: int
    columns: tuple[str, ...]
    epochs: tuple[float, float] | None
    mapping: Mapping[str, str]
    ignored: tuple[str, ...]
    notes: tuple[str, ...]
    params: Mapping[str, float | str]
    summary: RunSummary
    verdicts: tuple[str, ...]
    primary: str | None


@dataclass(frozen=True)
class ComparedRun:
    """A run in a comparison: its hyperparameters (read from its name and params), what it is scored
    by, its best score (that curve's units; null when it has none finite) and the step it was at."""

    run: str
    hyperparameters: Mapping[str, float]
    score_kind: str | None
    best: float | None
    best_step: float | None


@dataclass(frozen=True)
class ConfigMean:
    """One configuration of hyperparameters (seed aside) and its runs' mean best score."""

    config: Mapping[str, float]
    mean: float


@dataclass(frozen=True)
class SeedNoise:
    """Runs that differ only by seed: configurations, how many repeat, the pooled standard deviation
    of their best scores, each configuration's mean, and the margin of the best over the next."""

    configurations: int
    repeated: int
    pooled_sd: float
    config_means: tuple[ConfigMean, ...]
    best_margin: float | None = field(default=None, metadata=ABSENT_WHEN_NONE)


@dataclass(frozen=True)
class RunsComparison:
    """Several runs compared: each run, the score they are ranked by, the noise between seeds, the best run."""

    runs: tuple[ComparedRun, ...]
    scored_by: str | None = field(default=None, metadata=ABSENT_WHEN_NONE)
    seed_noise: SeedNoise | None = field(default=None, metadata=ABSENT_WHEN_NONE)
    best_run: str | None = field(default=None, metadata=ABSENT_WHEN_NONE)


@dataclass(frozen=True)
class TrainingLogResult:
    """Every run read, and their comparison when there are several."""

    runs: tuple[TrainingRun, ...]
    comparison: RunsComparison | None = field(default=None, metadata=ABSENT_WHEN_NONE)


@check(
    "training_log",
    requires=NEEDS,
    description="training curves from your logs: how each was read, its summary, whether it is healthy",
    group="training_log",
    result=TrainingLogResult,
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
    return CheckResult(findings=tuple(findings), section=from_json(TrainingLogResult, section, strict=True))


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
def _tables(report: Report, result: TrainingLogResult) -> list[Table]:
    rows = []
    for run in result.runs:
        summary = run.summary
        for curve, label in (
            (summary.train_loss, "train loss"),
            (summary.dev_loss, "dev loss"),
            (summary.train_error, "train error"),
            (summary.dev_error, "dev error"),
        ):
            if curve is None:
                continue
            rows.append(
                [
                    run.name,
                    label,
                    _number(curve.first),
                    _number(curve.last),
                    _number(curve.min if curve.min is not None else curve.last),
                    f"{summary.step_unit} {curve.min_step:g}" if curve.min_step is not None else "",
                    ", ".join(k.replace("_", " ") for k in run.verdicts) or "healthy",
                ]
            )
    if not rows:
        return []
    return [Table(("run", "curve", "first", "last", "lowest", "lowest at", "verdict"), rows, numeric=(2, 3, 4))]


def _number(value: float | None) -> str:
    """A curve's value in 4 significant digits; "—" for one that was not finite (null in a saved report)."""
    return "—" if value is None else f"{value:.4g}"
