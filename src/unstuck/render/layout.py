"""The reading order of a report, shared by the HTML and Markdown renderers.

A report is read top-down by someone deciding what to do next, so every
renderer shows, in this order: the verdict; the error decomposition; data
surprises; per-class and slice tables; error tags; learning curves; capacity and
learning-rate sweeps; training curves; checks no group claims; the baseline
ladder; what was skipped (:data:`unstuck.view.GROUPS`).

``reading_order`` turns a :class:`~unstuck.findings.Report` into that sequence of
:class:`Group`\\ s of :class:`Block`\\ s. A block is one check: its section (the
measurements in ``report.sections[check]``, or None) and its findings. The group
a check belongs to, its tables and its plot are what the check declares in its
own module (:func:`unstuck.registry.check`, :func:`~unstuck.registry.shows`,
:func:`~unstuck.registry.draws`); a name no registered check has (a report
written by another version) goes under "Other checks", shown by its findings.
Groups and blocks with neither a section nor findings are left out: a section
appears only when its data exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from unstuck.findings import SEVERITIES
from unstuck.view import GROUPS, Plot, Table, fmt_gap, fmt_interval, fmt_value

if TYPE_CHECKING:
    from unstuck.findings import Finding, Report, Skipped

__all__ = [
    "GROUPS",
    "Block",
    "Group",
    "fmt_gap",
    "fmt_interval",
    "fmt_value",
    "plan",
    "reading_order",
    "shown",
    "skipped_checks",
]


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


_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}


def group_of(check: str) -> str:
    """The group key the check ``check`` declares; ``"other"`` for a name no registered check has."""
    from unstuck.registry import spec_named

    spec = spec_named(check)
    return spec.group if spec is not None else "other"


def shown(report: Report, block: Block) -> tuple[Plot | None, list[Table]]:
    """The plot and the tables the block's check declares for its section (none without a section)."""
    from unstuck.registry import spec_named

    spec = spec_named(block.check)
    if spec is None or not block.section:
        return None, []
    result = spec.read_section(block.section)
    figure = spec.plot(report, result) if spec.plot is not None else None
    return figure, (spec.tables(report, result) if spec.tables is not None else [])


def reading_order(report: Report) -> tuple[Group, ...]:
    """The report's checks as non-empty groups in reading order (the verdict and skipped list are not blocks)."""
    names: list[str] = list(report.sections)
    for finding in report.findings:
        if _family(finding.check) not in names:
            names.append(_family(finding.check))
    by_group: dict[str, list[Block]] = {key: [] for key, _ in GROUPS}
    for name in names:
        section = report.sections.get(name)
        findings = tuple(
            sorted((f for f in report.findings if _family(f.check) == name), key=lambda f: _SEVERITY_RANK[f.severity])
        )
        if not section and not findings:
            continue
        by_group[group_of(name)].append(Block(name, section if section else None, findings))
    return tuple(Group(key, title, tuple(by_group[key])) for key, title in GROUPS if by_group[key])


def skipped_checks(report: Report) -> tuple[Skipped, ...]:
    """The skipped checks worth a line: a check ``family.kind`` skipped for the reason its family was is left out,
    so the one missing input of a family of checks (a training log) reads as one line, not ten."""
    said = {(s.check, s.reason) for s in report.skipped}
    return tuple(s for s in report.skipped if s.check == _family(s.check) or (_family(s.check), s.reason) not in said)


def _family(check: str) -> str:
    """The block a check's findings show in: a check ``family.kind`` (one per verdict kind) shows in ``family``'s."""
    return check.split(".", 1)[0]


# The old name: "plan" now means only the project plan (``unstuck plan``); kept for callers of it.
plan = reading_order
