"""The record of one experiment, and the expectation it was run to test.

An :class:`Experiment` is what the ledger stores per run of a training command:
who its parent is, the hypothesis, the expected effect, the variables changed
against the parent (computed, never typed by hand), the full config and command,
provenance (data fingerprint, git commit, dirty diff, host), the seed, the
metrics it reported, its status and its verdict.

Status moves forward only: ``planned -> running -> done | failed | crashed``
(``planned`` may also go straight to ``failed`` or ``crashed``). Verdicts move
forward only: unset ``-> inconclusive -> keep | discard``; ``keep`` and
``discard`` are final.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from unstuck.errors import ConfigError

__all__ = [
    "FINAL_STATUSES",
    "STATUSES",
    "VERDICTS",
    "Expectation",
    "Experiment",
    "can_move_status",
    "can_move_verdict",
    "lower_is_better",
    "parse_expect",
]

Status = Literal["planned", "running", "done", "failed", "crashed"]
Verdict = Literal["keep", "discard", "inconclusive"]

STATUSES: tuple[str, ...] = ("planned", "running", "done", "failed", "crashed")
FINAL_STATUSES: frozenset[str] = frozenset({"done", "failed", "crashed"})
VERDICTS: tuple[str, ...] = ("keep", "discard", "inconclusive")

_NEXT_STATUS: dict[str | None, frozenset[str]] = {
    "planned": frozenset({"running", "failed", "crashed"}),
    "running": frozenset({"done", "failed", "crashed"}),
}
_NEXT_VERDICT: dict[str | None, frozenset[str]] = {
    None: frozenset(VERDICTS),
    "inconclusive": frozenset(VERDICTS),
}

_LOWER_WORDS = ("error", "loss", "rmse", "mae", "mse", "perplexity", "latency", "cost", "wer", "cer")


def can_move_status(current: str, new: str) -> bool:
    """Whether a record in status ``current`` may move to ``new`` (forward only)."""
    return new in _NEXT_STATUS.get(current, frozenset())


def can_move_verdict(current: str | None, new: str) -> bool:
    """Whether a verdict ``current`` (None = unset) may become ``new``: keep/discard are final."""
    return new in _NEXT_VERDICT.get(current, frozenset())


def lower_is_better(metric: str) -> bool:
    """Guess from a metric's name whether lower is better (errors, losses) or higher (accuracy, F1)."""
    name = metric.lower()
    return any(word in name for word in _LOWER_WORDS)


@dataclass(frozen=True)
class Expectation:
    """The effect an experiment is expected to have on one metric.

    ``delta`` is the signed expected change of ``metric`` against the parent, in
    the metric's own units (``-0.01`` = one point less error rate). The
    direction follows from its sign.
    """

    metric: str
    delta: float

    @property
    def direction(self) -> str:
        """``"decrease"`` or ``"increase"`` (``"none"`` for a zero delta)."""
        return "decrease" if self.delta < 0 else "increase" if self.delta > 0 else "none"

    @property
    def improves(self) -> bool:
        """Whether the expected change is an improvement, judged by the metric's name."""
        return (self.delta < 0) == lower_is_better(self.metric) and self.delta != 0

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "delta": self.delta, "direction": self.direction}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Expectation:
        return cls(metric=str(data["metric"]), delta=float(data["delta"]))


_EXPECT = re.compile(
    r"^\s*([A-Za-z_][\w.\-/]*)\s*(?:[:=]\s*)?([+-]?\s*(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(%?)\s*$"
)


def parse_expect(text: str) -> Expectation:
    """Parse ``"dev_error -0.01"`` (or ``dev_error=-1%``) into an :class:`Expectation`.

    Raises
    ------
    ConfigError
        When the text is not ``METRIC SIGNED_NUMBER``.
    """
    match = _EXPECT.match(text)
    if not match:
        raise ConfigError(
            f"--expect {text!r} is not 'METRIC CHANGE'.",
            hint='Write the metric and its expected signed change, e.g. --expect "dev_error -0.01".',
        )
    value = float(match.group(2).replace(" ", ""))
    if match.group(3):
        value /= 100.0
    if not math.isfinite(value):
        raise ConfigError(f"--expect {text!r} has no finite change.", hint='e.g. --expect "dev_error -0.01".')
    return Expectation(metric=match.group(1), delta=value)


@dataclass(frozen=True)
class Experiment:
    """One experiment as the ledger stores it.

    Times are seconds since the epoch (UTC). ``changed`` maps each variable
    changed against the parent to ``[old, new]`` (None for a side that lacks
    it). ``metrics`` maps metric names to floats, as the command reported them.
    ``dev_losses`` holds the per-row losses (0/1 errors) on the dev set, shape
    (n_dev,), when the run wrote its dev predictions (``--dev-predictions``).
    ``verdict_detail`` says how the verdict was reached (deltas, interval,
    number of seeds, the method).
    """

    id: int | None = None
    parent_id: int | None = None
    created_at: float = 0.0
    hypothesis: str | None = None
    expectation: Expectation | None = None
    changed: dict[str, list[Any]] = field(default_factory=dict)
    multi_change: bool = False
    explore: bool = False
    config: dict[str, Any] = field(default_factory=dict)
    command: list[str] = field(default_factory=list)
    cwd: str | None = None
    data_fingerprint: dict[str, str] = field(default_factory=dict)
    git_commit: str | None = None
    git_dirty: bool | None = None
    git_diff: str | None = None
    seed: int | None = None
    group_key: str | None = None
    sweep_id: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    dev_losses: list[float] | None = None
    status: str = "planned"
    returncode: int | None = None
    stderr_tail: str | None = None
    verdict: str | None = None
    verdict_detail: dict[str, Any] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    interventions: list[str] = field(default_factory=list)
    started_at: float | None = None
    ended_at: float | None = None
    host: str | None = None
    pid: int | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status {self.status!r} is not one of {STATUSES}")
        if self.verdict is not None and self.verdict not in VERDICTS:
            raise ValueError(f"verdict {self.verdict!r} is not one of {VERDICTS}")

    @property
    def finished(self) -> bool:
        """Whether the status is final (done, failed or crashed)."""
        return self.status in FINAL_STATUSES

    @property
    def duration(self) -> float | None:
        """Seconds from start to end, when both are known."""
        if self.started_at is None or self.ended_at is None:
            return None
        return self.ended_at - self.started_at

    def with_(self, **changes: Any) -> Experiment:
        """A copy with some fields replaced."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict (the expectation as a nested dict)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["expectation"] = self.expectation.to_dict() if self.expectation else None
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Experiment:
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        if kwargs.get("expectation") is not None:
            kwargs["expectation"] = Expectation.from_dict(kwargs["expectation"])
        return cls(**kwargs)
