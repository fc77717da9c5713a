"""One condition of the production gate: what was measured, against what, and why it matters.

Measurement, judgement and presentation stay apart: each condition family computes its
numbers and returns :class:`GateCondition` values; the verdict (:func:`verdict`) reads only
their ``status``; the CLI lays them out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FAIL", "NOT_CHECKED", "PASS", "STATUSES", "GateCondition", "verdict"]

PASS = "pass"
FAIL = "fail"
NOT_CHECKED = "not_checked"
STATUSES = (PASS, FAIL, NOT_CHECKED)


@dataclass(frozen=True)
class GateCondition:
    """One condition's result.

    ``measured`` and ``threshold`` are the numbers compared (None when not checked);
    ``summary`` says the comparison in one sentence, ``why`` why a team should care,
    ``detail`` holds every number behind it (intervals, counts, per-slice rows).
    """

    name: str
    family: str
    status: str
    summary: str
    why: str
    measured: float | None = None
    threshold: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "family": self.family,
            "status": self.status,
            "measured": self.measured,
            "threshold": self.threshold,
            "summary": self.summary,
            "why": self.why,
            "detail": self.detail,
        }


def verdict(conditions: Sequence[GateCondition]) -> str:
    """``"GO"`` when no checked condition fails, else ``"NO-GO"``.

    Conditions not checked never count as passed: they are listed beside the verdict so a
    reader sees what it does not cover, but they cannot turn it into NO-GO either, since
    their inputs were not given.
    """
    return "NO-GO" if any(c.status == FAIL for c in conditions) else "GO"
