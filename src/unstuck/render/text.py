"""The terminal report: rich renderables, in the order a reader needs them.

``render_report`` returns renderables; the CLI prints them. Colours are the
terminal's named ones (red/yellow/cyan/green, bold), which stay readable on
light and dark backgrounds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from unstuck.measured import from_json
from unstuck.render.layout import fmt_gap, fmt_value, skipped_checks

if TYPE_CHECKING:
    from unstuck.checks.baselines import BaselinesResult
    from unstuck.checks.decomposition import GapResult
    from unstuck.findings import Report

__all__ = ["render_report"]

_SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}
_SPLIT_LABELS = {
    "human": "human-level",
    "train": "train",
    "train_dev": "train-dev",
    "dev": "dev",
    "test": "test",
}
_GAP_LABELS = {
    "avoidable_bias": "avoidable bias (train − human)",
    "variance": "variance (train-dev − train)",
    "data_mismatch": "data mismatch (dev − train-dev)",
    "dev_overfit": "dev overfitting (test − dev)",
}


def _fmt(report: Report, value: float | None, gap: bool = False) -> str:
    return fmt_gap(report, value) if gap else fmt_value(report, value)


def render_report(report: Report, *, verbose: bool = False) -> RenderableType:
    """The whole report as one rich renderable."""
    parts: list[RenderableType] = [_header(report)]
    if report.splits:  # a training log alone has no rows, so no errors to tabulate
        parts += [_errors_table(report), _gaps_table(report)]
    from unstuck.checks.baselines import BaselinesResult

    ladder = report.sections.get("baselines")
    if ladder:
        parts.append(_ladder_table(report, from_json(BaselinesResult, ladder)))
    parts.append(_findings_table(report, verbose))
    parts.append(_interventions_table(report))
    if report.skipped:
        parts.append(_skipped_text(report))
    return Group(*parts)


def _skipped_text(report: Report) -> Text:
    """Skipped checks grouped by reason, so twelve checks that need the same input take one line."""
    by_reason: dict[str, list[str]] = {}
    for s in skipped_checks(report):
        by_reason.setdefault(s.reason, []).append(s.check)
    text = Text("Skipped: ", style="bold")
    text.append("; ".join(f"{', '.join(checks)} ({reason})" for reason, checks in by_reason.items()))
    return text


def _header(report: Report) -> RenderableType:
    text = Text()
    for notice in report.notices:
        text.append(f"!! {notice}\n", style="bold red")
    text.append("Bottleneck: ", style="bold")
    undetermined = report.bottleneck == "none" and any(n.startswith("No verdict") for n in report.notices)
    text.append(
        "not determined (see above)" if undetermined else report.bottleneck.replace("_", " "),
        style="bold red" if report.bottleneck != "none" or undetermined else "green",
    )
    if not report.splits:
        text.append(
            "\nTraining log only: no data or predictions, so no error decomposition "
            "(add train.csv --target COLUMN, or --predictions FILE, for one)"
        )
        return text
    splits = ", ".join(f"{_SPLIT_LABELS[s]} {n:,}" for s, n in report.splits.items())
    text.append(f"\n{report.task}, metric {report.metric['name']}; rows: {splits}")
    for key, note in report.inferred.items():
        if key in ("task", "dev", "train_dev", "budget", "text", "images"):
            text.append(f"\n· {note}", style="dim")
    return text


def _errors_table(report: Report) -> RenderableType:
    table = Table(title="Errors", box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column("split")
    table.add_column(report.metric["name"], justify="right")
    table.add_column("95% interval", justify="right")
    for split, label in _SPLIT_LABELS.items():
        value = report.errors.get(split)
        if value is None and split != "human":
            continue
        interval = report.intervals.get(split)
        shown = f"{_fmt(report, interval[0])} – {_fmt(report, interval[1])}" if interval else ""
        table.add_row(label, _fmt(report, value) if value is not None else "unknown", shown)
    return table


def _gap_label(name: str, comp: GapResult) -> str:
    """The gap's name and the splits it is measured between (dev − train when there is no train-dev)."""
    upper, lower = comp.between
    words = name.replace("_", " ").replace("dev overfit", "dev overfitting")
    if name == "variance" and upper == "dev":
        words = "variance + mismatch"
    short = {"human": "human", **_SPLIT_LABELS}
    return f"{words} ({short.get(upper, upper)} − {short.get(lower, lower)})"


def _gaps_table(report: Report) -> RenderableType:
    from unstuck.checks.decomposition import DecompositionResult

    stored = report.sections.get("decomposition")
    result = from_json(DecompositionResult, stored) if stored is not None else None
    components = result.components if result is not None else {}
    missing = result.missing if result is not None else {}
    dominant = set(result.dominant) if result is not None else set()
    table = Table(title="Where the error comes from", box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column("gap")
    table.add_column("size", justify="right")
    table.add_column("95% interval", justify="right")
    table.add_column("verdict")
    for name, label in _GAP_LABELS.items():
        comp = components.get(name)
        if comp is None:
            table.add_row(label, "—", "", Text(missing.get(name, "not computable"), style="dim"))
            continue
        low, high = comp.interval
        said = comp.verdict or ("bottleneck" if name in dominant else "within noise")
        style = {"bottleneck": "bold red", "within noise": "dim"}.get(said, "")
        verdict = Text("BOTTLENECK" if said == "bottleneck" else said, style=style)
        table.add_row(
            _gap_label(name, comp),
            _fmt(report, comp.value, gap=True),
            f"{_fmt(report, low, True)} – {_fmt(report, high, True)}",
            verdict,
        )
    return table


def _ladder_table(report: Report, ladder: BaselinesResult) -> RenderableType:
    table = Table(title="Quick baselines", box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column("model")
    splits = [s for s in ("train", "train_dev", "dev", "test") if s in report.splits]
    for split in splits:
        table.add_column(_SPLIT_LABELS[split], justify="right")
    table.add_column("fit s", justify="right")
    for rung in ladder.rungs:
        name = rung.name.replace("_", " ") + (" ★" if rung.name == ladder.best else "")
        table.add_row(
            name,
            *(_fmt(report, rung.errors.get(s)) for s in splits),
            f"{rung.fit_seconds:.1f}",
        )
    return table


def _findings_table(report: Report, verbose: bool) -> RenderableType:
    shown = [f for f in report.findings if verbose or f.severity != "info" or f.lever]
    table = Table(title=f"Findings ({len(report.findings)})", box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column("severity")
    table.add_column("finding", ratio=1)
    table.add_column("lever")
    for finding in shown:
        table.add_row(
            Text(finding.severity, style=_SEVERITY_STYLE[finding.severity]),
            finding.title,
            finding.lever or "",
        )
    hidden = len(report.findings) - len(shown)
    if hidden:
        table.caption = f"{hidden} informational finding(s) hidden; --verbose shows them"
    return table


def _interventions_table(report: Report) -> RenderableType:
    table = Table(title="What to do next", box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("lever")
    table.add_column("gain up to", justify="right")
    table.add_column("next experiment", ratio=1)
    for item in report.interventions:
        gain = _fmt(report, item.expected_gain, gap=True).lstrip("+") if item.expected_gain is not None else "unknown"
        table.add_row(
            str(item.rank),
            item.lever,
            gain,
            f"{item.action}. Change: {item.next_experiment.change}.",
        )
    if not report.interventions:
        table.add_row("", "—", "", "nothing to fix: no gap beyond noise")
    return table
