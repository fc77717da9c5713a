"""The vocabulary of a diagnosis: findings, interventions, skipped checks, the report.

All are frozen dataclasses that round-trip through plain JSON-able dicts
(``to_dict`` / ``from_dict``). ``Report.to_dict`` is the JSON contract
``unstuck.report/1`` described in PRODUCT.md; its JSON Schema ships in
``unstuck/schemas/report-1.json``, whose vocabularies are generated from the
ones below (:mod:`unstuck.schemas.generate`).

Frozen all the way down: the dicts and lists they are built with are copied into read-only
mappings and tuples (:func:`unstuck.frozen.frozen`), so a report cannot change after it is
built; ``to_dict`` turns them back into plain dicts and lists, which JSON writes alike.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from unstuck.frozen import frozen, thawed

__all__ = [
    "BOTTLENECKS",
    "LEVERS",
    "SCHEMA",
    "SEVERITIES",
    "TRAINED_MODEL",
    "Finding",
    "Intervention",
    "NextExperiment",
    "Report",
    "Skipped",
    "json_safe",
    "non_finite_paths",
]

SCHEMA = "unstuck.report/1"

Severity = Literal["critical", "warning", "info"]
#: The severities, most severe first (the one list: the JSON Schema and the renderers read it).
SEVERITIES: tuple[str, ...] = get_args(Severity)

#: The levers of PRODUCT.md, in the method's priority order (fix data first, compute last).
LEVERS: tuple[str, ...] = (
    "fix_leakage",
    "fix_labels",
    "fix_pipeline",
    "targeted_data",
    "reduce_mismatch",
    "tune_learning_rate",
    "bigger_model",
    "train_longer",
    "regularize",
    "tune_hyperparameters",
    "more_data",
    "bigger_dev_set",
    "change_architecture",
    "finetune_pretrained",
    "redefine_task",
    "more_compute",
)

BOTTLENECKS: tuple[str, ...] = (
    "leakage",
    "label_noise",
    "avoidable_bias",
    "variance",
    "data_mismatch",
    "dev_overfit",
    "underrepresented_slice",
    "training_instability",
    "pipeline_bug",
    "none",
)


#: What a verdict read from a model trained on train's labels rests on (a finding's
#: ``evidence["rests_on"]``): the advice withdraws it when another finding undermines either.
TRAINED_MODEL: tuple[str, ...] = ("model", "train_labels")


@dataclass(frozen=True)
class Finding:
    """One thing a check measured and judged worth telling.

    ``id`` is stable for the same data and seed (e.g. ``"decomposition.variance"``);
    ``check`` is the registered check that made it: a check leaves it out and the runner fills
    in the check's own name (:meth:`unstuck.registry.CheckSpec.run`), so it cannot be mistyped;
    ``lever`` is the intervention it points to (one of ``LEVERS``) or ``None`` for
    purely informative findings; ``bottleneck`` is the contract's bottleneck this
    finding is evidence for, if any. ``evidence`` holds the numbers, JSON-able, read-only (a
    mapping whose dicts and lists are read-only mappings and tuples; build a changed copy with
    ``dataclasses.replace(finding, evidence={**finding.evidence, ...})``).
    ``expected_gain`` is the reduction of the dev metric (in metric units) that
    acting on the finding would bring at most, when it can be computed.
    """

    id: str
    # Keyword-only with a default: a check never types its own name (the runner stamps it), while
    # a finding made outside a check (a CLI command's own) still names its maker.
    check: str = field(default="", kw_only=True)
    severity: Severity
    title: str
    lever: str | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)
    bottleneck: str | None = None
    expected_gain: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "evidence", frozen(self.evidence))
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity {self.severity!r} is not one of {SEVERITIES}")
        if self.lever is not None and self.lever not in LEVERS:
            raise ValueError(f"lever {self.lever!r} is not one of {LEVERS}")
        if self.bottleneck is not None and self.bottleneck not in BOTTLENECKS:
            raise ValueError(f"bottleneck {self.bottleneck!r} is not one of {BOTTLENECKS}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "check": self.check,
            "severity": self.severity,
            "title": self.title,
            "lever": self.lever,
            "evidence": thawed(self.evidence),
            "bottleneck": self.bottleneck,
            "expected_gain": self.expected_gain,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            id=data["id"],
            check=data["check"],
            severity=data["severity"],
            title=data["title"],
            lever=data.get("lever"),
            evidence=dict(data.get("evidence") or {}),
            bottleneck=data.get("bottleneck"),
            expected_gain=data.get("expected_gain"),
        )


@dataclass(frozen=True)
class NextExperiment:
    """The experiment that tests an intervention: a hypothesis and ONE variable to change."""

    hypothesis: str
    change: str

    def to_dict(self) -> dict[str, Any]:
        return {"hypothesis": self.hypothesis, "change": self.change}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NextExperiment:
        return cls(hypothesis=data["hypothesis"], change=data["change"])


@dataclass(frozen=True)
class Intervention:
    """A ranked next step. ``expected_gain`` is in metric units (None: not computable)."""

    rank: int
    lever: str
    action: str
    why: str
    expected_gain: float | None
    findings: tuple[str, ...]
    next_experiment: NextExperiment
    bottleneck: str | None = None
    expected_gain_note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "findings", tuple(self.findings))
        if self.lever not in LEVERS:
            raise ValueError(f"lever {self.lever!r} is not one of {LEVERS}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "lever": self.lever,
            "action": self.action,
            "why": self.why,
            "expected_gain": self.expected_gain,
            "findings": list(self.findings),
            "next_experiment": self.next_experiment.to_dict(),
            "bottleneck": self.bottleneck,
            "expected_gain_note": self.expected_gain_note,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Intervention:
        return cls(
            rank=data["rank"],
            lever=data["lever"],
            action=data["action"],
            why=data["why"],
            expected_gain=data.get("expected_gain"),
            findings=tuple(data.get("findings") or ()),
            next_experiment=NextExperiment.from_dict(data["next_experiment"]),
            bottleneck=data.get("bottleneck"),
            expected_gain_note=data.get("expected_gain_note", ""),
        )


@dataclass(frozen=True)
class Skipped:
    """A check that could not run, and why."""

    check: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "reason": self.reason}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Skipped:
        return cls(check=data["check"], reason=data["reason"])


@dataclass(frozen=True)
class Report:
    """The whole diagnosis, immutable. ``to_dict`` is the ``unstuck.report/1`` contract.

    ``errors`` maps each of human/train/train_dev/dev/test to the error (None where
    unknown); ``intervals`` gives the bootstrap interval of each measured error;
    ``decomposition`` maps avoidable_bias/variance/data_mismatch/dev_overfit to the
    gap (None where it cannot be computed). ``sections`` holds each check's
    measurements for renderers (e.g. the baseline ladder), keyed by check name.
    ``budget`` names the fit budget and what it skipped or thinned (``{name, thins}``);
    ``timings`` where the time went: ``{total_seconds, checks: {check: seconds},
    shared: {measurement: seconds}}`` (empty in reports written before they existed).

    Every mapping is read-only all the way down (dicts become read-only mappings, lists tuples),
    so no reader, renderer or later step can change the report it was given.
    """

    unstuck_version: str
    task: str
    metric: Mapping[str, Any]
    splits: Mapping[str, int]
    errors: Mapping[str, float | None]
    decomposition: Mapping[str, float | None]
    bottleneck: str
    findings: tuple[Finding, ...]
    interventions: tuple[Intervention, ...]
    skipped: tuple[Skipped, ...]
    intervals: Mapping[str, Sequence[float]] = field(default_factory=dict)
    inferred: Mapping[str, Any] = field(default_factory=dict)
    sections: Mapping[str, Any] = field(default_factory=dict)
    notices: tuple[str, ...] = ()
    budget: Mapping[str, Any] = field(default_factory=dict)
    timings: Mapping[str, Any] = field(default_factory=dict)
    schema: str = SCHEMA

    def __post_init__(self) -> None:
        for name in _REPORT_MAPPINGS:
            object.__setattr__(self, name, frozen(getattr(self, name)))
        # Built from lists or generators as well as tuples: stored as tuples, so they cannot grow.
        for name in ("findings", "interventions", "skipped", "notices"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON object; every number finite (a NaN or infinity becomes null: unknown)."""
        document: dict[str, Any] = json_safe(
            {
                "schema": self.schema,
                "unstuck_version": self.unstuck_version,
                "task": self.task,
                "metric": self.metric,
                "splits": self.splits,
                "errors": self.errors,
                "intervals": self.intervals,
                "decomposition": self.decomposition,
                "bottleneck": self.bottleneck,
                "notices": list(self.notices),
                "findings": [f.to_dict() for f in self.findings],
                "interventions": [i.to_dict() for i in self.interventions],
                "skipped": [s.to_dict() for s in self.skipped],
                "inferred": self.inferred,
                "sections": self.sections,
                "budget": self.budget,
                "timings": self.timings,
            }
        )
        return document

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        return cls(
            schema=data["schema"],
            unstuck_version=data["unstuck_version"],
            task=data["task"],
            metric=dict(data["metric"]),
            splits=dict(data["splits"]),
            errors=dict(data["errors"]),
            intervals={k: list(v) for k, v in (data.get("intervals") or {}).items()},
            decomposition=dict(data["decomposition"]),
            bottleneck=data["bottleneck"],
            findings=tuple(Finding.from_dict(f) for f in data["findings"]),
            interventions=tuple(Intervention.from_dict(i) for i in data["interventions"]),
            skipped=tuple(Skipped.from_dict(s) for s in data["skipped"]),
            inferred=dict(data.get("inferred") or {}),
            sections=dict(data.get("sections") or {}),
            notices=tuple(data.get("notices") or ()),
            budget=dict(data.get("budget") or {}),
            timings=dict(data.get("timings") or {}),
        )

    def finding(self, finding_id: str) -> Finding | None:
        """The finding with this id, or None."""
        return next((f for f in self.findings if f.id == finding_id), None)


#: The fields of a Report that hold mappings (made read-only when it is built).
_REPORT_MAPPINGS = (
    "metric",
    "splits",
    "errors",
    "decomposition",
    "intervals",
    "inferred",
    "sections",
    "budget",
    "timings",
)


def json_safe(value: Any) -> Any:
    """``value`` with NaN and infinities replaced by None, NumPy scalars and arrays made plain Python,
    and mappings and tuples (a report's read-only ones among them) made dicts and lists.

    JSON has no NaN or Infinity (Python's ``json`` writes them as bare tokens no
    other parser reads); in the report contract null already means "unknown",
    which is what a non-finite measurement is.
    """
    if isinstance(value, Mapping):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return json_safe(value.tolist())  # NumPy arrays and scalars
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def non_finite_paths(value: Any, path: str = "$") -> list[str]:
    """JSON-path-like locations of the NaNs and infinities in ``value`` (nested dicts, lists, NumPy values)."""
    if isinstance(value, Mapping):
        return [p for key, item in value.items() for p in non_finite_paths(item, f"{path}.{key}")]
    if isinstance(value, (list, tuple)):
        return [p for k, item in enumerate(value) for p in non_finite_paths(item, f"{path}[{k}]")]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return non_finite_paths(value.tolist(), path)
    if isinstance(value, float) and not math.isfinite(value):
        return [path]
    return []
