"""How a check's result is shown, as data: tables of formatted text, plots named by kind, groups.

A check owns its view (declared in its own module with :func:`unstuck.registry.shows` and
:func:`unstuck.registry.draws`); the renderers (``render/html``, ``render/markdown``) only
lay these out, and know layouts, never a particular check. Nothing here prints or builds
markup. Formatting follows the report's metric: error rates in percent and points,
other metrics with four significant digits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from unstuck.units import metric_gap, metric_value, percent

if TYPE_CHECKING:
    from unstuck.findings import Report

__all__ = [
    "GROUPS",
    "MAX_ROWS",
    "SPLIT_LABELS",
    "Plot",
    "PlotBuilder",
    "Table",
    "TableBuilder",
    "cell_text",
    "count_text",
    "fmt_gap",
    "fmt_interval",
    "fmt_value",
    "pct",
]

#: (key, heading) of each group of checks, in the order a report is read by someone deciding what
#: to do next: after the verdict, where the error comes from, data surprises, per-class and slice
#: errors, error tags, learning curves, sweeps, training curves, other checks, the baseline ladder.
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

#: Example rows one table shows at most (the JSON report keeps everything).
MAX_ROWS = 10

SPLIT_LABELS = {"human": "human-level", "train": "train", "train_dev": "train-dev", "dev": "dev", "test": "test"}


@dataclass(frozen=True)
class Table:
    """Headers and rows of text; ``numeric`` columns align right; ``highlight`` marks one row (the best);
    ``thumbnails``: one picture per row (a PNG ``data:`` URI, or None), which the HTML report draws before
    the row's cells and the text and Markdown reports leave out."""

    headers: tuple[str, ...]
    rows: Sequence[Sequence[str]]
    numeric: tuple[int, ...] = ()
    caption: str = ""
    highlight: int | None = None
    thumbnails: Sequence[str | None] = ()


@dataclass(frozen=True)
class Plot:
    """A plot of a ``kind`` the renderers know how to draw, and ``data``, what the drawing reads: the
    check's typed result, so that a renamed field fails where the plot is drawn (and in the type
    checker), never as a plot quietly missing its lines."""

    kind: str
    caption: str
    data: Any = field(default=None, compare=False, repr=False)


#: A check's tables: (the report, for the metric's units; the check's result) -> tables ([] when nothing to show).
TableBuilder = Callable[["Report", Any], list[Table]]
#: A check's plot: (the report; the check's result) -> the plot, or None when there is nothing to draw.
PlotBuilder = Callable[["Report", Any], Plot | None]


def fmt_value(report: Report, value: float | None) -> str:
    """An error in the report's metric: ``12.3%`` for error rates, 4 significant digits otherwise; ``—`` if None."""
    if value is None:
        return "—"
    return metric_value(str(report.metric.get("name")), value, digits=4)


def fmt_gap(report: Report, value: float | None, signed: bool = True) -> str:
    """A difference of errors: ``+2.3 pts`` for error rates, ``+0.012`` otherwise; ``—`` if None."""
    if value is None:
        return "—"
    return metric_gap(str(report.metric.get("name")), value, digits=4, word="pts", signed=signed)


def fmt_interval(report: Report, interval: Sequence[float] | None, gap: bool = False) -> str:
    """``low – high`` of an interval of errors (or of gaps, signed); "" when there is none."""
    if not interval:
        return ""
    if gap:
        return f"{fmt_gap(report, interval[0])} – {fmt_gap(report, interval[1])}"
    return f"{fmt_value(report, interval[0])} – {fmt_value(report, interval[1])}"


def pct(value: float | None, digits: int = 1) -> str:
    """A share as a percentage (``12.5%``); ``—`` if None."""
    return "—" if value is None else percent(value, digits)


def count_text(value: Any) -> str:
    """A count with thousands separators (``1,234``); ``—`` if None; other values as text."""
    return f"{value:,}" if isinstance(value, int) else ("—" if value is None else str(value))


def error_without_row(report: Report, split: str, effect: Any) -> list[str]:
    """One row of the tables of a split's error with and without its copied rows (leakage, text and image
    copies): the split, how many rows were copied, and both errors. ``effect`` has ``n_leaked``,
    ``everything`` and ``without`` (:class:`unstuck.leakage.ErrorWithoutLeaked`)."""
    return [
        SPLIT_LABELS.get(str(split), str(split)),
        count_text(effect.n_leaked),
        fmt_value(report, effect.everything),
        fmt_value(report, effect.without),
    ]


def cell_text(value: Any) -> str:
    """A value from the data as one short cell: floats to 4 significant digits, text cut at 40 characters."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"
