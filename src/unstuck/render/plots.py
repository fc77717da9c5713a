"""Plots of a report as inline SVG strings (matplotlib, Agg backend).

Each function takes the report (for the metric's units) and the typed result of the
check whose plot it draws (the :class:`~unstuck.view.Plot`'s ``data``), and returns an
``<svg>`` element as text, or None when there is nothing to draw: a renderer never shows
an empty plot. Text stays text (``svg.fonttype = "none"``), so the file is small, the
labels are selectable and the page's own font is used; ids are seeded
(``svg.hashsalt``) and the date is left out, so the same report gives byte-identical SVG.

matplotlib is imported inside :func:`_figure`, so importing this module (and
``unstuck --help``) stays instant.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from unstuck.checks.decomposition import DecompositionResult, GapResult
    from unstuck.checks.learning_curve import LearningCurveResult
    from unstuck.findings import Report

__all__ = ["decomposition_svg", "learning_curve_svg"]

#: Colours that read on white and in greyscale print: blue (measured), red (bottleneck), grey (noise).
BLUE = "#2b6cb0"
RED = "#c53030"
GREY = "#718096"
GREEN = "#2f855a"

_LEVELS = (
    ("human", "human-level"),
    ("train", "train"),
    ("train_dev", "train-dev"),
    ("dev", "dev"),
    ("test", "test"),
)
_GAP_NAMES = {
    "avoidable_bias": "avoidable bias",
    "variance": "variance",
    "data_mismatch": "data mismatch",
    "dev_overfit": "dev overfitting",
}


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    """A new Agg figure (never pyplot's global state) of ``width`` × ``height`` inches."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e2e8f0", linewidth=0.8)
    ax.set_axisbelow(True)
    return fig, ax


def _svg(fig: Figure) -> str:
    """The figure as an ``<svg>`` element (no XML prolog, no date), deterministic for the same figure."""
    import matplotlib as mpl

    buffer = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "unstuck", "font.size": 10}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _scale(report: Report) -> tuple[float, str]:
    """Multiplier and axis label of the report's metric: error rates in percent, others as they are."""
    name = str(report.metric.get("name", "error"))
    if name == "error_rate":
        return 100.0, "error rate (%)"
    return 1.0, name.replace("_", " ")


def decomposition_svg(report: Report, result: DecompositionResult) -> str | None:
    """The method's picture: human → train → train-dev → dev → test errors, each gap labelled.

    Bars are the errors of each known level, with their 95% bootstrap interval;
    between two adjacent known levels a bracket names the gap (avoidable bias,
    variance, data mismatch, dev overfitting) and its size, red when it is the
    bottleneck, grey when it is within noise. Returns None when fewer than two
    levels are known (no gap to show).
    """
    components: dict[str, GapResult] = {name: gap for name, gap in result.components.items() if gap is not None}
    dominant = set(result.dominant)
    levels = [(key, label, report.errors.get(key)) for key, label in _LEVELS]
    known = [(key, label, value) for key, label, value in levels if value is not None]
    if len(known) < 2:
        return None
    scale, ylabel = _scale(report)
    fig, ax = _figure(7.2, 3.6)
    xs = list(range(len(known)))
    heights = [scale * float(value) for _, _, value in known]
    colours = ["#a0aec0" if key == "human" else BLUE for key, _, _ in known]
    ax.bar(xs, heights, width=0.55, color=colours, zorder=2)
    for x, (key, _, _) in zip(xs, known, strict=True):
        interval = report.intervals.get(key)
        if interval:
            low, high = scale * interval[0], scale * interval[1]
            mid = heights[x]
            ax.errorbar(
                [x],
                [mid],
                yerr=[[max(mid - low, 0.0)], [max(high - mid, 0.0)]],
                fmt="none",
                ecolor="#1a202c",
                capsize=4,
            )
    top = max(heights + [scale * report.intervals[k][1] for k, _, _ in known if k in report.intervals])
    by_pair = {tuple(gap.between): name for name, gap in components.items()}
    for x in xs[:-1]:
        lower_key, upper_key = known[x][0], known[x + 1][0]
        name = by_pair.get((upper_key, lower_key))
        if name is None:
            continue
        comp = components[name]
        colour = RED if name in dominant else (BLUE if comp.significant else GREY)
        y = top * 1.12
        ax.annotate(
            "",
            xy=(x + 1, y),
            xytext=(x, y),
            arrowprops={"arrowstyle": "-|>", "color": colour, "linewidth": 1.4},
        )
        gap = scale * float(comp.value)
        unit = " pts" if scale == 100.0 else ""
        ax.text(
            x + 0.5,
            y * 1.03,
            f"{_GAP_NAMES.get(name, name)}\n{gap:+.1f}{unit}" if scale == 100.0 else f"{_GAP_NAMES[name]}\n{gap:+.3g}",
            ha="center",
            va="bottom",
            color=colour,
            fontsize=9,
            fontweight="bold" if name in dominant else "normal",
        )
    for x, height in enumerate(heights):
        inside = height > top * 0.15
        # a short bar's label goes beside the bar, clear of its whisker
        ax.text(
            x + (0.0 if inside else 0.3),
            height / 2 if inside else height,
            _short(height, scale),
            ha="center" if inside else "left",
            va="center" if inside else "bottom",
            color="white" if inside else "#1a202c",
            fontsize=9,
        )
    ax.set_xticks(xs, [label for _, label, _ in known])
    ax.set_ylim(0, top * 1.45 if top > 0 else 1.0)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("error measured on (95% bootstrap interval as whiskers)")
    return _svg(fig)


def _short(value: float, scale: float) -> str:
    return f"{value:.1f}%" if scale == 100.0 else f"{value:.3g}"


def learning_curve_svg(report: Report, result: LearningCurveResult) -> str | None:
    """Dev and train error against training-set size (log axis), the fitted curve and its forecast band.

    Draws the measured points (each seed's dev error, and train error), the
    fitted dev curve with its bootstrap band out to 10× the data, the fitted
    train curve, and a dotted line at today's training-set size. Returns None
    when the result has no points.
    """
    points = result.points
    if not points:
        return None
    plot = result.plot
    scale, ylabel = _scale(report)
    fig, ax = _figure(7.2, 3.6)
    ax.set_xscale("log")
    n_train = result.n_train
    sizes = list(plot.sizes)
    if sizes and plot.dev_low and plot.dev_high:
        ax.fill_between(
            sizes,
            [scale * v for v in plot.dev_low],
            [scale * v for v in plot.dev_high],
            color=BLUE,
            alpha=0.15,
            linewidth=0,
            label=f"forecast band ({int(100 * result.forecast.level)}%)",
        )
    if sizes and plot.dev_fit:
        ax.plot(sizes, [scale * v for v in plot.dev_fit], color=BLUE, linewidth=1.6, label="dev, fitted")
    if sizes and plot.train_fit:
        ax.plot(
            sizes,
            [scale * v for v in plot.train_fit],
            color=GREEN,
            linewidth=1.2,
            linestyle="--",
            label="train, fitted",
        )
    ax.scatter(
        [p.size for p in points],
        [scale * p.dev_error for p in points],
        color=BLUE,
        s=18,
        zorder=3,
        label="dev, measured",
    )
    ax.scatter(
        [p.size for p in points],
        [scale * p.train_error for p in points],
        color=GREEN,
        s=14,
        marker="s",
        zorder=3,
        label="train, measured",
    )
    if n_train:
        ax.axvline(float(n_train), color=GREY, linestyle=":", linewidth=1)
        ax.text(float(n_train), ax.get_ylim()[1], " today", color=GREY, va="top", fontsize=9)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("training rows (log scale)")
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    return _svg(fig)
