"""The Markdown report: the HTML report's content as tables and short text, sized for a PR comment.

Same reading order as the HTML page (:func:`unstuck.render.layout.plan`), no
plots: the decomposition and the learning-curve forecast become tables.
Warnings and critical findings are listed; informational ones are folded into
a ``<details>`` block (GitHub and GitLab render it collapsed). A check's
section is drawn by the function registered with :func:`section`; a check
without one is shown through its findings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from unstuck.render.layout import fmt_gap, fmt_interval, fmt_value, plan

if TYPE_CHECKING:
    from unstuck.findings import Finding, Report
    from unstuck.render.layout import Block

__all__ = ["SECTIONS", "cell", "render_markdown", "section", "table"]

SectionRenderer = Callable[["Report", dict[str, Any]], "str | None"]

#: check name → function drawing its section as Markdown (None or "" when there is nothing to draw).
SECTIONS: dict[str, SectionRenderer] = {}

#: Example rows a table shows at most, so the comment stays short.
MAX_ROWS = 8

_SPLIT_LABELS = {"human": "human-level", "train": "train", "train_dev": "train-dev", "dev": "dev", "test": "test"}
_GAP_LABELS = {
    "avoidable_bias": ("avoidable bias", "train − human-level"),
    "variance": ("variance", "train-dev − train"),
    "data_mismatch": ("data mismatch", "dev − train-dev"),
    "dev_overfit": ("dev overfitting", "test − dev"),
}


def section(check: str) -> Callable[[SectionRenderer], SectionRenderer]:
    """Register the decorated function as the Markdown renderer of ``report.sections[check]``."""

    def register(function: SectionRenderer) -> SectionRenderer:
        SECTIONS[check] = function
        return function

    return register


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


def render_markdown(report: Report) -> str:
    """The report as Markdown text (ends with a newline)."""
    parts = [_verdict(report)]
    for group in plan(report):
        drawn = [(block, _block(report, block)) for block in group.blocks]
        quiet = [block.check.replace("_", " ") for block, text in drawn if not text]
        body = []
        for block, text in drawn:
            if not text:
                continue
            body.append(f"**{block.check.replace('_', ' ')}**\n\n{text}" if len(group.blocks) > 1 else text)
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
    if not report.interventions:
        lines.append("Nothing to fix: no gap stands out beyond noise.")
    for item in report.interventions[:3]:
        gain = (
            f"up to {fmt_gap(report, item.expected_gain, signed=False)}"
            if item.expected_gain is not None
            else "gain unknown"
        )
        lines.append(f"{item.rank}. **{item.action}** (`{item.lever}`, {gain}). Change: {item.next_experiment.change}.")
    rest = report.interventions[3:]
    if rest:
        lines.append("")
        lines.append("Then: " + ", ".join(f"{i.rank}. `{i.lever}`" for i in rest) + ".")
    return "\n".join(lines)


def _block(report: Report, block: Block) -> str:
    out = []
    renderer = SECTIONS.get(block.check)
    if renderer is not None and block.section:
        drawn = renderer(report, block.section)
        if drawn:
            out.append(drawn)
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
    if info:
        noun = "finding" if len(info) == 1 else "findings"
        out.append(
            f"<details><summary>{len(info)} informational {noun}</summary>\n\n" + "\n".join(info) + "\n\n</details>"
        )
    return "\n\n".join(out)


def _interval(report: Report, interval: Sequence[float] | None, gap: bool = False) -> str:
    return fmt_interval(report, interval, gap)


# --- section renderers -------------------------------------------------------------------------------------


@section("decomposition")
def _decomposition(report: Report, data: dict[str, Any]) -> str:
    levels = [
        (label, fmt_value(report, report.errors.get(key)), _interval(report, report.intervals.get(key)))
        for key, label in _SPLIT_LABELS.items()
        if report.errors.get(key) is not None
    ]
    components = data.get("components") or {}
    missing = data.get("missing") or {}
    dominant = set(data.get("dominant") or ())
    gaps = []
    for name, (label, formula) in _GAP_LABELS.items():
        comp = components.get(name)
        if comp is None:
            gaps.append((label, formula, "—", "", missing.get(name, "not computable")))
            continue
        verdict = (
            "**BOTTLENECK**" if name in dominant else ("real, smaller" if comp.get("significant") else "within noise")
        )
        gaps.append(
            (label, formula, fmt_gap(report, comp["value"]), _interval(report, comp["interval"], gap=True), verdict)
        )
    return "\n\n".join(
        [
            table(["split", str(report.metric.get("name", "error")), "95% interval"], levels, numeric=(1, 2)),
            table(["gap", "between", "size", "95% interval", "verdict"], gaps, numeric=(2, 3)),
        ]
    )


@section("baselines")
def _baselines(report: Report, data: dict[str, Any]) -> str | None:
    rungs = data.get("rungs") or []
    if not rungs:
        return None
    splits = [s for s in ("train", "train_dev", "dev", "test") if s in report.splits]
    rows = [
        [
            r["name"].replace("_", " ") + (" ★" if r["name"] == data.get("best") else ""),
            *(fmt_value(report, r["errors"].get(s)) for s in splits),
            f"{r.get('fit_seconds', 0.0):.1f}",
        ]
        for r in rungs
    ]
    return table(["model", *(_SPLIT_LABELS[s] for s in splits), "fit s"], rows, numeric=range(1, 2 + len(splits)))


@section("learning_curve")
def _learning_curve(report: Report, data: dict[str, Any]) -> str | None:
    forecast = data.get("forecast") or {}
    if forecast.get("now") is None:
        return None
    n_train = int(data.get("n_train", 0))
    level = int(100 * forecast.get("level", 0.9))
    rows = [("today", f"{n_train:,}", fmt_value(report, forecast.get("now")), "", "")]
    for key, factor in (("2x", 2), ("10x", 10)):
        if forecast.get(f"at_{key}") is not None:
            rows.append(
                (
                    f"{factor}× data",
                    f"{factor * n_train:,}",
                    fmt_value(report, forecast[f"at_{key}"]),
                    _interval(report, forecast.get(f"interval_{key}")),
                    fmt_gap(report, forecast.get(f"gain_{key}"), signed=False),
                )
            )
    return table(
        ["training data", "rows", "forecast dev error", f"{level}% interval", "gain"], rows, numeric=(1, 2, 3, 4)
    )
