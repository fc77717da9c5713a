"""The reading order of a report, shared by the HTML and Markdown renderers.

A report is read top-down by someone deciding what to do next, so every
renderer shows, in this order: the verdict; the error decomposition;
data surprises; per-class and slice tables; error tags; learning curves;
capacity and learning-rate sweeps; training curves; checks no group claims; the baseline ladder; what was skipped.

``reading_order`` turns a :class:`~unstuck.findings.Report` into that sequence of
:class:`Group`\\ s of :class:`Block`\\ s. A block is one check: its section (the
measurements in ``report.sections[check]``, or None) and its findings. Which
group a check belongs to is decided by :data:`GROUP_OF` and, for checks not
named there, by the registry's ``"data"`` tag, so a new data check lands among
the data surprises without touching this file. Groups and blocks with neither a
section nor findings are left out: a section appears only when its data exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from unstuck.findings import Finding, Report

__all__ = ["GROUPS", "GROUP_OF", "Block", "Group", "fmt_gap", "fmt_interval", "fmt_value", "plan", "reading_order"]

#: (key, heading) of each group, in reading order.
GROUPS: tuple[tuple[str, str], ...] = (
    ("decomposition", "Where the error comes from"),
    ("data", "Data surprises"),
    ("error_analysis", "Errors by class and slice"),
    ("error_tags", "Error tags and their ceilings"),
    ("learning_curve", "Learning curve"),
    ("capacity", "Model size and learning rate"),
    ("training_log", "Training curves"),
    ("other", "Other checks"),
    ("baselines", "Baseline ladder"),
)

#: Check name → group key, for the checks known when this was written; others go by tag or to "other".
GROUP_OF: dict[str, str] = {
    "decomposition": "decomposition",
    "leakage": "data",
    "duplicates": "data",
    "labels": "data",
    "residual_outliers": "data",
    "target_leakage": "data",
    "columns": "data",
    "imbalance": "data",
    "outliers": "data",
    "shift": "data",
    "pii": "data",
    "per_class": "error_analysis",
    "slices": "error_analysis",
    "error_tags": "error_tags",
    "learning_curve": "learning_curve",
    "capacity": "capacity",
    "training_log": "training_log",
    "baselines": "baselines",
}


@dataclass(frozen=True)
class Block:
    """One check's part of the report: its measurements (or None) and its findings, most severe first."""

    check: str
    section: dict[str, Any] | None
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Group:
    """A heading and the blocks under it, in the order the checks ran."""

    key: str
    title: str
    blocks: tuple[Block, ...]


_SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}


def _data_tagged() -> frozenset[str]:
    """Names of registered checks tagged ``"data"`` (imports the checks package once)."""
    from unstuck.registry import registered_checks

    return frozenset(spec.name for spec in registered_checks() if "data" in spec.tags)


def group_of(check: str) -> str:
    """The group key of ``check``: :data:`GROUP_OF`, else ``"data"`` for data-tagged checks, else ``"other"``."""
    if check in GROUP_OF:
        return GROUP_OF[check]
    return "data" if check in _data_tagged() else "other"


def reading_order(report: Report) -> tuple[Group, ...]:
    """The report's checks as non-empty groups in reading order (the verdict and skipped list are not blocks)."""
    names: list[str] = list(report.sections)
    for finding in report.findings:
        if finding.check not in names:
            names.append(finding.check)
    by_group: dict[str, list[Block]] = {key: [] for key, _ in GROUPS}
    for name in names:
        section = report.sections.get(name)
        findings = tuple(
            sorted((f for f in report.findings if f.check == name), key=lambda f: _SEVERITY_RANK[f.severity])
        )
        if not section and not findings:
            continue
        by_group[group_of(name)].append(Block(name, section if section else None, findings))
    return tuple(Group(key, title, tuple(by_group[key])) for key, title in GROUPS if by_group[key])


# The old name: "plan" now means only the project plan (``unstuck plan``); kept for callers of it.
plan = reading_order


def fmt_value(report: Report, value: float | None) -> str:
    """An error in the report's metric: ``12.3%`` for error rates, 4 significant digits otherwise; ``—`` if None."""
    if value is None:
        return "—"
    if report.metric.get("name") == "error_rate":
        return f"{100 * value:.1f}%"
    return f"{value:.4g}"


def fmt_gap(report: Report, value: float | None, signed: bool = True) -> str:
    """A difference of errors: ``+2.3 pts`` for error rates, ``+0.012`` otherwise; ``—`` if None."""
    if value is None:
        return "—"
    if report.metric.get("name") == "error_rate":
        return f"{100 * value:+.1f} pts" if signed else f"{100 * value:.1f} pts"
    return f"{value:+.4g}" if signed else f"{value:.4g}"


def fmt_interval(report: Report, interval: Sequence[float] | None, gap: bool = False) -> str:
    """``low – high`` of an interval of errors (or of gaps, signed); "" when there is none."""
    if not interval:
        return ""
    if gap:
        return f"{fmt_gap(report, interval[0])} – {fmt_gap(report, interval[1])}"
    return f"{fmt_value(report, interval[0])} – {fmt_value(report, interval[1])}"
