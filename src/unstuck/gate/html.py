"""The gate's HTML page: the verdict, every condition, and the reliability plot.

One self-contained page (inline CSS and SVG, no script, no request when opened) built
from the diagnosis report's template, stylesheet and table helper
(:mod:`unstuck.render.html`), so a gate page looks like a diagnosis page. The
reliability plot draws the calibration condition's table: each bin's accuracy against its
mean confidence, the diagonal being perfect calibration and each point sized by its rows.
"""

from __future__ import annotations

from importlib import resources
from string import Template
from typing import TYPE_CHECKING, Any

from unstuck.units import percent

if TYPE_CHECKING:
    from unstuck.gate.result import GateResult

__all__ = ["reliability_svg", "render_gate_html"]

_MARK = {"pass": "pass", "fail": "FAIL", "not_checked": "not checked"}


def reliability_svg(reliability: list[dict[str, Any]], ece: float) -> str:
    """A reliability plot (accuracy vs confidence per bin) as an ``<svg>`` element."""
    from unstuck.render.plots import BLUE, GREY, RED, _figure, _svg

    fig, ax = _figure(4.6, 4.0)
    ax.plot([0, 1], [0, 1], color=GREY, linewidth=1, linestyle="--", label="perfectly calibrated")
    confidence = [b["confidence"] for b in reliability]
    accuracy = [b["accuracy"] for b in reliability]
    rows = [b["rows"] for b in reliability]
    largest = max(rows) if rows else 1
    ax.plot(confidence, accuracy, color=BLUE, linewidth=1.5)
    ax.scatter(confidence, accuracy, s=[20 + 180 * r / largest for r in rows], color=BLUE, zorder=3, label="bins")
    for c, a in zip(confidence, accuracy, strict=True):
        ax.plot([c, c], [c, a], color=RED, linewidth=1, alpha=0.7)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("mean confidence in the bin")
    ax.set_ylabel("accuracy in the bin")
    ax.set_title(f"Reliability (ECE {ece:.3f})", fontsize=10)
    ax.legend(loc="upper left", frameon=False, fontsize=8)
    return _svg(fig)


def render_gate_html(result: GateResult) -> str:
    """The gate result as a complete, self-contained HTML page."""
    from unstuck import __version__
    from unstuck.render.html import esc, table

    files = resources.files("unstuck.render")
    page = files.joinpath("templates/report.html").read_text(encoding="utf-8")
    css = files.joinpath("templates/report.css").read_text(encoding="utf-8")
    parts = [
        '<div class="unstuck-report">',
        "<h1>unstuck production gate</h1>",
        f"<p><strong>{esc(result.verdict)}</strong>: {len(result.failed)} condition(s) failed, "
        f"{len(result.not_checked)} not checked (thresholds: {esc(result.settings.source)}, significance "
        f"{result.settings.significance:g}, power {percent(result.settings.power, 0)}).</p>",
        "<h2>Conditions</h2>",
        table(
            ["family", "condition", "result", "measured", "threshold", "what was found", "why it matters"],
            [
                (
                    c.family,
                    c.name,
                    _MARK[c.status],
                    "" if c.measured is None else f"{c.measured:.4g}",
                    "" if c.threshold is None else f"{c.threshold:.4g}",
                    c.summary,
                    c.why,
                )
                for c in result.conditions
            ],
            numeric=(3, 4),
        ),
    ]
    calibration = result.condition("calibration")
    if calibration.status != "not_checked":
        detail = calibration.detail
        parts += [
            "<h2>Calibration</h2>",
            f"<figure>{reliability_svg(detail['reliability'], detail['ece'])}</figure>",
            table(
                ["confidence bin", "rows", "mean confidence", "accuracy"],
                [
                    (f"{b['low']:.1f}–{b['high']:.1f}", b["rows"], f"{b['confidence']:.3f}", f"{b['accuracy']:.3f}")
                    for b in detail["reliability"]
                ],
                numeric=(1, 2, 3),
            ),
        ]
    parts.append(f"<footer>unstuck {esc(__version__)} · schema unstuck.gate/1</footer>")
    parts.append("</div>")
    return Template(page).substitute(
        title="unstuck production gate", css=css, body="\n".join(parts), version=esc(__version__)
    )
