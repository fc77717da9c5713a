"""The error-analysis table from hand-made error tags: share of sampled errors and ceiling per tag.

The numbers are those of :func:`unstuck.tags.tag_table` (see ``unstuck.tags`` for the
rules and intervals). Every tag becomes a finding whose ``expected_gain`` is its ceiling —
the most dev error could fall if every error of that kind were fixed — with the lever its
name suggests (``unstuck.tags.LEVER_FOR_TAG``: ``mislabeled`` → ``fix_labels``,
``blurry`` → ``targeted_data``, ...) or none. A coverage below ``LOW_COVERAGE`` is a finding
of its own: the tags do not explain most errors yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from unstuck.findings import Finding
from unstuck.measured import from_json
from unstuck.registry import CheckResult, SkipCheck, check, shows
from unstuck.units import percent
from unstuck.view import MAX_ROWS, Table, count_text, fmt_gap, fmt_interval, pct

if TYPE_CHECKING:
    from unstuck.context import Context
    from unstuck.findings import Report
    from unstuck.problem import Problem

#: Below this share of tagged errors the table explains too little (a finding says so).
LOW_COVERAGE = 0.8
#: What a tag's lever fixes, for its finding's bottleneck.
BOTTLENECK_OF_LEVER = {
    "fix_labels": "label_noise",
    "targeted_data": "underrepresented_slice",
    "reduce_mismatch": "data_mismatch",
}


@dataclass(frozen=True)
class TagShare:
    """One error tag: examined dev errors carrying it, their share (with its 95 % interval), the ceiling
    (the most fixing them all lowers dev error, metric units, with its interval) and the tag's lever."""

    tag: str
    count: int
    share: float
    share_interval: tuple[float, float]
    ceiling: float
    ceiling_interval: tuple[float, float]
    lever: str | None


@dataclass(frozen=True)
class ErrorTagsResult:
    """The error-analysis table: dev errors examined and in all, dev rows and error, the share of examined
    errors some tag covers, correct rows whose tags were ignored, and each tag by count."""

    examined_errors: int
    dev_errors: int
    dev_rows: int
    dev_error: float
    coverage: float
    ignored_correct_rows: int
    tags: tuple[TagShare, ...]


@check(
    "error_tags",
    requires=("tags", "classification", "dev"),
    description="error-analysis table from tagged dev errors: share and ceiling per tag, coverage",
    group="error_tags",
    result=ErrorTagsResult,
)
def error_tags(problem: Problem, ctx: Context) -> CheckResult:
    from unstuck.tags import tag_table

    assert problem.tags is not None  # guaranteed by requires=("tags",)
    dev = ctx.predictions["dev"]
    table = tag_table(problem.tags, dev.y_true, dev.y_pred)
    if table.examined == 0:
        raise SkipCheck("none of the tagged rows is a dev error of this model")
    fmt = problem.metric.format_gap
    findings: list[Finding] = []
    for row in table.rows:
        low, high = row.ceiling_interval
        findings.append(
            Finding(
                id=f"error_tags.{row.tag}",
                severity="warning" if row.lever else "info",
                title=(
                    f"tag '{row.tag}': {percent(row.share, 0)} of examined errors ({row.count} of {table.examined}); "
                    f"fixing all of them lowers dev error by at most {fmt(row.ceiling)} "
                    f"(95% interval {fmt(low)} to {fmt(high)})"
                ),
                lever=row.lever,
                evidence={**row.to_dict(), "examined_errors": table.examined, "dev_error": table.dev_error},
                bottleneck=BOTTLENECK_OF_LEVER.get(row.lever or ""),
                expected_gain=row.ceiling,
            )
        )
    if table.coverage < LOW_COVERAGE:
        findings.append(
            Finding(
                id="error_tags.coverage",
                severity="info",
                title=(
                    f"only {percent(table.coverage, 0)} of the {table.examined} examined errors carry a tag: "
                    "the categories do not yet explain most errors; look at the untagged ones for a new category"
                ),
                evidence={"coverage": table.coverage, "examined_errors": table.examined},
            )
        )
    return CheckResult(findings=tuple(findings), section=from_json(ErrorTagsResult, table.to_dict(), strict=True))


# --- how the result is shown (laid out by unstuck.render) ---------------------------------------------


@shows(error_tags)
def _tables(report: Report, result: ErrorTagsResult) -> list[Table]:
    if not result.tags:
        return []
    rows = [
        [
            t.tag,
            count_text(t.count),
            pct(t.share),
            fmt_interval(report, t.share_interval) if report.metric.get("name") == "error_rate" else "",
            fmt_gap(report, t.ceiling, signed=False),
            t.lever or "",
        ]
        for t in result.tags[:MAX_ROWS]
    ]
    return [
        Table(
            ("tag", "errors", "share of examined errors", "95% interval", "ceiling: gain at most", "lever"),
            rows,
            numeric=(1, 2, 3, 4),
            caption=f"{result.examined_errors} of {result.dev_errors} dev errors examined; "
            f"tags cover {pct(result.coverage, 0)} of them. The ceiling is what fixing every error of "
            "that kind would gain at most.",
        )
    ]
