"""The Markdown report: the HTML report's content as tables and short text, sized for a PR comment.

Same reading order as the HTML page (:func:`unstuck.render.layout.reading_order`), no
plots: the decomposition and the learning-curve forecast become tables.
Warnings and critical findings are listed; informational ones are folded into
a ``<details>`` block (GitHub and GitLab render it collapsed). A check's
section becomes the tables of :mod:`unstuck.render.tables` (shared with the
HTML page); a check without a table builder is shown through its findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from unstuck.render.layout import fmt_gap, reading_order
from unstuck.render.tables import TABLES, Table, example_table

if TYPE_CHECKING:
    from unstuck.findings import Finding, Report
    from unstuck.render.layout import Block

__all__ = ["cell", "render_markdown", "table"]

_SPLIT_LABELS = {"human": "human-level", "train": "train", "train_dev": "train-dev", "dev": "dev", "test": "test"}


def cell(value: object) -> str:
    """``value`` as one table cell: pipes escaped, line breaks flattened."""
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: Iterable[int] = ()) -> str:
    """A GitHub-flavoured Markdown table; ``numeric`` columns are right-aligned."""
    right = set(numeric)
    lines = [
        "| " + " | ".join(cell(h) for h in headers) + " |",
        "|" + "|".join("---:" if i in right else "---" for i in range(len(headers))) + "|",
    ]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _table(t: Table) -> str:
    rows = [[f"**{row[0]}**", *row[1:]] if i == t.highlight and row else list(row) for i, row in enumerate(t.rows)]
    text = table(t.headers, rows, numeric=t.numeric)
    return f"{text}\n\n_{t.caption}_" if t.caption else text


def render_markdown(report: Report) -> str:
    """The report as Markdown text (ends with a newline)."""
    parts = [_verdict(report)]
    for group in reading_order(report):
        drawn = [(block, _block(report, block)) for block in group.blocks]
        quiet = [block.check.replace("_", " ") for block, text in drawn if not text]
        body = []
        for block, text in drawn:
            if not text:
                continue
            body.append(f"**{block.check.replace('_', ' ')}**\n\n{text}" if block.check != group.key else text)
        if quiet:
            body.append(f"_Also checked, nothing to report: {', '.join(quiet)}._")
        parts.append(f"### {group.title}\n\n" + "\n\n".join(body))
    if report.skipped:
        parts.append("### Skipped checks\n\n" + "\n".join(f"- `{s.check}`: {s.reason}" for s in report.skipped))
    parts.append(f"<sub>unstuck {report.unstuck_version} · {report.schema}</sub>")
    return "\n\n".join(parts) + "\n"


def _verdict(report: Report) -> str:
    rows = ", ".join(f"{_SPLIT_LABELS.get(s, s)} {n:,}" for s, n in report.splits.items())
    lines = [
        f"## unstuck diagnosis: bottleneck **{report.bottleneck.replace('_', ' ')}**",
        "",
        f"{report.task}, metric `{report.metric.get('name')}`; rows: {rows}.",
        "",
    ]
    lines += [f"> **{notice}**\n" for notice in report.notices]
    if not report.interventions:
        lines.append("Nothing to fix: no gap stands out beyond noise.")
    for item in report.interventions[:3]:
        gain = (
            f"up to {fmt_gap(report, item.expected_gain, signed=False)}"
            if item.expected_gain is not None
            else "gain unknown"
        )
        change = item.next_experiment.change.rstrip(".")
        lines.append(f"{item.rank}. **{item.action}** (`{item.lever}`, {gain}). Change: {change}.")
    rest = report.interventions[3:]
    if rest:
        lines.append("")
        lines.append("Then: " + ", ".join(f"{i.rank}. `{i.lever}`" for i in rest) + ".")
    return "\n".join(lines)


def _block(report: Report, block: Block) -> str:
    out = []
    builder = TABLES.get(block.check) if block.section else None
    if builder is not None and block.section:
        out += [_table(t) for t in builder(report, block.section)]
    if block.findings:
        out.append(_findings(report, block.findings))
    return "\n\n".join(out)


def _finding_line(report: Report, f: Finding) -> str:
    extra = f" → `{f.lever}`" if f.lever else ""
    if f.expected_gain is not None:
        extra += f" (gain up to {fmt_gap(report, f.expected_gain, signed=False)})"
    return f"- **{f.severity}** {f.title}{extra}"


def _findings(report: Report, findings: Sequence[Finding]) -> str:
    loud = [_finding_line(report, f) for f in findings if f.severity != "info"]
    info = [_finding_line(report, f) for f in findings if f.severity == "info"]
    out = ["\n".join(loud)] if loud else []
    for f in findings:
        examples = example_table(f) if f.severity != "info" else None
        if examples is not None:
            out.append(f"Example rows ({f.id}):\n\n" + _table(examples))
    if info:
        noun = "finding" if len(info) == 1 else "findings"
        out.append(
            f"<details><summary>{len(info)} informational {noun}</summary>\n\n" + "\n".join(info) + "\n\n</details>"
        )
    return "\n\n".join(out)
