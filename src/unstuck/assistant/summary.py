"""The short form of a report for an assistant's context: headline, top steps, their evidence.

A full report runs to thousands of tokens (every finding, every section's
numbers). An assistant needs the verdict, the few ranked interventions and,
for each, the findings that justify it, so it can quote evidence instead of
guessing. Everything here is copied from the report, never recomputed.
"""

from __future__ import annotations

from typing import Any

from unstuck.findings import Finding, Report
from unstuck.frozen import thawed
from unstuck.render.layout import skipped_checks

__all__ = ["SUMMARY_SCHEMA", "headline", "summarize"]

SUMMARY_SCHEMA = "unstuck.summary/1"


def _value(value: float | None, fmt: str) -> str:
    if value is None:
        return "unknown"
    return f"{100 * value:.1f}%" if fmt == "percent" else f"{value:.4g}"


def _gain(value: float, fmt: str) -> str:
    """A reduction of the error: percentage points for rates (a 2% gain reads as a relative one)."""
    return f"{100 * value:.1f} points" if fmt == "percent" else f"{value:.4g}"


def headline(report: Report) -> str:
    """One sentence: the bottleneck, the dev error against human level, and the first step."""
    metric = str(report.metric.get("name", "error"))
    fmt = "percent" if metric == "error_rate" else "number"
    parts = [f"Bottleneck: {report.bottleneck.replace('_', ' ')}."]
    errors = report.errors
    measured = [
        f"{split} {_value(errors.get(split), fmt)}" for split in ("train", "dev") if errors.get(split) is not None
    ]
    if measured:
        human = errors.get("human")
        against = f" (human level {_value(human, fmt)})" if human is not None else ""
        parts.append(f"{metric}: {', '.join(measured)}{against}.")
    if report.interventions:
        first = report.interventions[0]
        gain = f", expected gain up to {_gain(first.expected_gain, fmt)}" if first.expected_gain is not None else ""
        parts.append(f"First step: {first.action}{gain}.")
    else:
        parts.append("No intervention is ranked: no finding points to one.")
    return " ".join(parts)


def _evidence(finding: Finding) -> dict[str, Any]:
    return {
        "id": finding.id,
        "severity": finding.severity,
        "title": finding.title,
        "evidence": thawed(finding.evidence),  # plain dicts and lists: the summary is written as JSON
    }


def summarize(report: Report, *, top: int = 3) -> dict[str, Any]:
    """The ``unstuck.summary/1`` object of ``report``: at most ``top`` interventions, with their findings.

    Findings no top intervention cites are counted by severity, and the critical
    ones are listed by title, so nothing alarming is hidden by the cut.
    """
    by_id = {f.id: f for f in report.findings}
    chosen = report.interventions[: max(top, 0)]
    cited = {fid for step in chosen for fid in step.findings}
    others = [f for f in report.findings if f.id not in cited]
    counts: dict[str, int] = {}
    for finding in others:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    return {
        "schema": SUMMARY_SCHEMA,
        "headline": headline(report),
        "task": report.task,
        "metric": thawed(report.metric),
        "bottleneck": report.bottleneck,
        "errors": thawed(report.errors),
        "decomposition": {k: v for k, v in report.decomposition.items() if v is not None},
        "notices": list(report.notices),
        "interventions": [
            {
                "rank": step.rank,
                "lever": step.lever,
                "action": step.action,
                "why": step.why,
                "expected_gain": step.expected_gain,
                "next_experiment": step.next_experiment.to_dict(),
                "evidence": [_evidence(by_id[fid]) for fid in step.findings if fid in by_id],
            }
            for step in chosen
        ],
        "more_interventions": max(len(report.interventions) - len(chosen), 0),
        "other_findings": counts,
        "other_critical": [f.title for f in others if f.severity == "critical"],
        "skipped": [{"check": s.check, "reason": s.reason} for s in skipped_checks(report)],
    }
