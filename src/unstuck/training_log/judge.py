"""Which rules judge a run, in what order, and which verdict silences which.

A diverged run is judged on divergence alone; a train loss that never falls (a broken
pipeline) leaves nothing else worth saying but whether dev is at chance; "still improving"
is not said of a run that is unstable, overfitting or crawling at too low a learning rate;
"saturated early" only of a run nothing else was found on. :data:`RULES` says this once,
as each rule's ``silenced_by``; :class:`Judgement` applies it, asking each rule at most once.

Each rule is a function ``(Run) -> Finding | None`` in its family's module
(``rules_broken``, ``rules_fit``, ``rules_progress``); each verdict kind is one registered
check (``unstuck/checks/training_log.py``) that reports its rules' findings, from the
judgements the diagnosis's context keeps (``Context.training_runs``: :func:`judge_runs`), so a
rule that several checks consult runs once.
``diagnose_run(log)`` judges one run with every rule, for code and benchmarks that hold a
log rather than a problem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from unstuck.findings import Finding
from unstuck.training_log.compare import RUNS_CHECK
from unstuck.training_log.rules_broken import at_chance, divergence, pipeline_train
from unstuck.training_log.rules_fit import instability, lr_too_low, overfitting, underfitting
from unstuck.training_log.rules_progress import saturated_early, still_improving
from unstuck.training_log.run import KINDS, Run, read_run

if TYPE_CHECKING:
    from unstuck.problem import Problem
    from unstuck.training_log.readers import TrainingLog

__all__ = ["RULES", "Judgement", "Rule", "RunDiagnosis", "diagnose_run", "judge_runs", "kind_of", "primary_kind"]


@dataclass(frozen=True)
class Rule:
    """A rule: its name, the verdict kind its finding has, its function, and the rules whose finding silences it."""

    name: str
    kind: str
    judge: Callable[[Run], Finding | None]
    silenced_by: tuple[str, ...] = ()


_BROKEN = ("divergence", "pipeline_train")

#: Every rule, in the order its findings are listed.
RULES: tuple[Rule, ...] = (
    Rule("divergence", "divergence", divergence),
    Rule("pipeline_train", "pipeline_bug", pipeline_train, ("divergence",)),
    Rule("at_chance", "pipeline_bug", at_chance, ("divergence",)),
    Rule("instability", "instability", instability, _BROKEN),
    Rule("overfitting", "overfitting", overfitting, _BROKEN),
    Rule("lr_too_low", "lr_too_low", lr_too_low, _BROKEN),
    Rule("underfitting", "underfitting", underfitting, _BROKEN),
    Rule("still_improving", "still_improving", still_improving, (*_BROKEN, "instability", "overfitting", "lr_too_low")),
    Rule(
        "saturated_early",
        "saturated_early",
        saturated_early,
        (*_BROKEN, "instability", "overfitting", "lr_too_low", "still_improving", "underfitting", "at_chance"),
    ),
)
_BY_NAME = {rule.name: rule for rule in RULES}


class Judgement:
    """The rules' findings on one run, each rule run at most once and only when nothing silences it."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self._found: dict[str, Finding | None] = {}

    def silenced(self, name: str) -> bool:
        """Whether a rule that silences ``name`` found something."""
        return any(self.outcome(other) is not None for other in _BY_NAME[name].silenced_by)

    def outcome(self, name: str) -> Finding | None:
        """The finding of the rule ``name``, or None (nothing found, or silenced)."""
        if name not in self._found:
            self._found[name] = None if self.silenced(name) else _BY_NAME[name].judge(self.run)
        return self._found[name]

    def findings(self, kind: str | None = None) -> tuple[Finding, ...]:
        """The findings of every rule (of the rules of verdict kind ``kind``), in :data:`RULES` order."""
        rules = [rule for rule in RULES if kind is None or rule.kind == kind]
        return tuple(found for rule in rules if (found := self.outcome(rule.name)) is not None)

    def summary(self) -> dict[str, Any]:
        """The run's curve summary, and what could not be judged."""
        out = self.run.summary()
        if self.run.human_error is not None and self.run.train_err is None and not self.silenced("underfitting"):
            out["underfitting"] = "not judged: the log has no train accuracy/error column in the metric's units"
        return out


@dataclass(frozen=True)
class RunDiagnosis:
    """The findings on one run and a JSON-able summary of its curves."""

    findings: tuple[Finding, ...]
    summary: dict[str, Any]

    @property
    def kinds(self) -> list[str]:
        """The verdict kind of each finding, in order."""
        return [kind_of(f) for f in self.findings]


def diagnose_run(
    log: TrainingLog,
    *,
    metric: str = "error_rate",
    human_error: float | None = None,
    n_classes: int | None = None,
) -> RunDiagnosis:
    """Judge one run's curves with every rule.

    Parameters
    ----------
    log:
        The run (``train_loss`` and/or ``dev_loss``, optionally accuracy/error,
        ``lr``, ``grad_norm``).
    metric:
        The problem's metric (``error_rate``, ``rmse``, ``mae``): curves in its units
        give expected gains; loss curves alone give none.
    human_error:
        Human-level error in metric units, for the underfitting verdict.
    n_classes:
        Number of classes, for "dev metric at chance" (chance error = 1 − 1/k).
    """
    judgement = Judgement(read_run(log, metric=metric, human_error=human_error, n_classes=n_classes))
    return RunDiagnosis(judgement.findings(), judgement.summary())


def judge_runs(problem: Problem) -> tuple[Judgement, ...]:
    """A :class:`Judgement` of each of ``problem``'s training logs, in the problem's metric (and class count)."""
    n_classes = len(problem.classes) if problem.task == "classification" and problem.classes else None
    judged = tuple(
        Judgement(read_run(log, metric=problem.metric.name, human_error=problem.human_error, n_classes=n_classes))
        for log in problem.training_logs
    )
    for judgement in judged:
        # settled here, every rule once: the context shares these, and a check only reads what it shares
        judgement.findings()
        judgement.summary()
    return judged


def kind_of(finding: Finding) -> str:
    """The verdict kind of a training-log finding: ``training_log.<kind>[.<run>]``, ``training_log.runs.<kind>``."""
    return finding.id.split(".")[2 if finding.check == RUNS_CHECK else 1]


def primary_kind(findings: Iterable[Finding]) -> str:
    """The most urgent verdict kind (``KINDS`` order), or ``"healthy"`` when there is none."""
    kinds = {kind_of(f) for f in findings}
    return next((k for k in KINDS if k in kinds), "healthy")
