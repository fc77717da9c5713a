"""The HTML report: one self-contained page (inline CSS and SVG plots), offline and printable.

``render_html(report)`` returns the whole page; ``render_fragment(report)`` the
same content as one ``<div class="unstuck-report">`` with its ``<style>``, for
a notebook cell (``Report._repr_html_``). The page makes no request when opened:
no script, no web font, no image file; plots are inline SVG from
:mod:`unstuck.render.plots`.

The content follows :func:`unstuck.render.layout.reading_order`: the verdict, then one
heading per group of checks. A check's block is its plot (a function registered
with :func:`plot`, HTML only), its tables (:mod:`unstuck.render.tables`, shared
with Markdown), then its findings, each with the example rows it carries. A
check with neither plot nor tables (yet) is shown through its findings only;
one with nothing at all is named in a "nothing to report" line.

Every text that comes from the report is escaped (``html.escape``); renderers
build markup only with :func:`table`, :func:`esc` and literal tags. The page
skeleton and CSS are the files in ``templates/`` beside this module, filled
with :class:`string.Template` (no template engine needed for three holes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from html import escape
from importlib import resources
from string import Template
from typing import TYPE_CHECKING, Any

from unstuck.render.layout import fmt_gap, reading_order
from unstuck.render.tables import TABLES, Table, example_table

if TYPE_CHECKING:
    from unstuck.findings import Finding, Report
    from unstuck.render.layout import Block

__all__ = ["PLOTS", "esc", "plot", "render_fragment", "render_html", "table"]

PlotRenderer = Callable[["Report", dict[str, Any]], str]

#: check name → function drawing its section as an HTML ``<figure>`` ("" when there is nothing to draw).
PLOTS: dict[str, PlotRenderer] = {}

#: Keys of ``report.inferred`` whose text is shown under the title (what unstuck decided for the user).
INFERRED_NOTES = ("task", "dev", "train_dev")

_SPLIT_LABELS = {"human": "human-level", "train": "train", "train_dev": "train-dev", "dev": "dev", "test": "test"}


def plot(check: str) -> Callable[[PlotRenderer], PlotRenderer]:
    """Register the decorated function as the plot of ``report.sections[check]`` (drawn above its tables)."""

    def register(function: PlotRenderer) -> PlotRenderer:
        PLOTS[check] = function
        return function

    return register


def esc(value: object) -> str:
    """``value`` as text, HTML-escaped (quotes included)."""
    return escape(str(value), quote=True)


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    numeric: Iterable[int] = (),
    caption: str | None = None,
    highlight: int | None = None,
) -> str:
    """An HTML table; cells are escaped. ``numeric``: column indexes aligned right; ``highlight``: a bold row."""
    right = set(numeric)
    head = "".join(
        f'<th class="num">{esc(h)}</th>' if i in right else f"<th>{esc(h)}</th>" for i, h in enumerate(headers)
    )
    body = []
    for r, row in enumerate(rows):
        cells = "".join(
            f'<td class="num">{esc(c)}</td>' if i in right else f"<td>{esc(c)}</td>" for i, c in enumerate(row)
        )
        body.append(f'<tr class="best">{cells}</tr>' if r == highlight else f"<tr>{cells}</tr>")
    note = f'<p class="note">{esc(caption)}</p>' if caption else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{note}"


def _table(t: Table) -> str:
    return table(t.headers, t.rows, numeric=t.numeric, caption=t.caption or None, highlight=t.highlight)


def _figure(svg: str | None, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>" if svg else ""


def _css() -> str:
    return resources.files("unstuck.render").joinpath("templates/report.css").read_text(encoding="utf-8")


def render_fragment(report: Report) -> str:
    """The report as one ``<div class="unstuck-report">`` preceded by its scoped ``<style>`` (for notebooks)."""
    return f"<style>{_css()}</style>\n{_body(report)}"


def render_html(report: Report, title: str = "unstuck diagnosis") -> str:
    """The report as a complete, self-contained HTML page (UTF-8 text)."""
    from unstuck import __version__

    page = resources.files("unstuck.render").joinpath("templates/report.html").read_text(encoding="utf-8")
    return Template(page).substitute(title=esc(title), css=_css(), body=_body(report), version=esc(__version__))


def _body(report: Report) -> str:
    parts = ['<div class="unstuck-report">', "<h1>unstuck diagnosis</h1>", _meta(report), _verdict(report)]
    for group in reading_order(report):
        drawn = [(block, _block(report, block)) for block in group.blocks]
        shown = [(block, html) for block, html in drawn if html]
        quiet = [block.check.replace("_", " ") for block, html in drawn if not html]
        parts.append(f"<h2>{esc(group.title)}</h2>")
        for block, html in shown:
            if block.check != group.key:
                parts.append(f"<h3>{esc(block.check.replace('_', ' '))}</h3>")
            parts.append(html)
        if quiet:
            parts.append(f'<p class="note">Also checked, nothing to report: {esc(", ".join(quiet))}.</p>')
    if report.skipped:
        parts.append("<h2>Skipped checks</h2>")
        parts.append(table(["check", "why it did not run"], [(s.check, s.reason) for s in report.skipped]))
    parts.append(
        f"<footer>unstuck {esc(report.unstuck_version)} · schema {esc(report.schema)} · "
        "every number above is computed from your data; the JSON report (--json) holds all of them.</footer>"
    )
    parts.append("</div>")
    return "\n".join(parts)


def _meta(report: Report) -> str:
    rows = ", ".join(f"{_SPLIT_LABELS.get(s, s)} {n:,}" for s, n in report.splits.items())
    lines = [f'<p class="meta">{esc(report.task)} · metric {esc(report.metric.get("name"))} · rows: {esc(rows)}</p>']
    lines += [f'<p class="note">{esc(report.inferred[k])}</p>' for k in INFERRED_NOTES if k in report.inferred]
    return "\n".join(lines)


def _verdict(report: Report) -> str:
    none = report.bottleneck == "none"
    out = [
        f'<section class="verdict{" none" if none else ""}">',
        f'<div class="bottleneck">Bottleneck: <span>{esc(report.bottleneck.replace("_", " "))}</span></div>',
    ]
    out += [f'<p class="notice">{esc(notice)}</p>' for notice in report.notices]
    top = report.interventions[:3]
    if top:
        out.append('<ol class="steps">')
        for item in top:
            gain = (
                f"up to {fmt_gap(report, item.expected_gain, signed=False)}"
                if item.expected_gain is not None
                else "gain unknown"
            )
            out.append(
                f'<li><span class="gain">{esc(gain)}</span> <strong>{esc(item.action)}</strong> '
                f'<span class="lever">{esc(item.lever)}</span><br><span class="note">Why: {esc(_sentence(item.why))} '
                f"Next experiment: {esc(_sentence(item.next_experiment.hypothesis))} "
                f"Change: {esc(_sentence(item.next_experiment.change))}</span></li>"
            )
        out.append("</ol>")
    else:
        out.append('<p class="note">Nothing to fix: no gap stands out beyond noise.</p>')
    rest = report.interventions[3:]
    if rest:
        out.append(
            table(
                ["#", "lever", "gain up to", "action"],
                [(i.rank, i.lever, fmt_gap(report, i.expected_gain, signed=False), i.action) for i in rest],
                numeric=(0, 2),
                caption="Further interventions, in the method's order.",
            )
        )
    out.append("</section>")
    return "\n".join(out)


def _sentence(text: str) -> str:
    """``text`` ending with a full stop (advice strings come with or without one)."""
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."


def _block(report: Report, block: Block) -> str:
    """The block's plot, tables and findings; "" when none of them shows anything."""
    out = []
    if block.section:
        drawer = PLOTS.get(block.check)
        if drawer is not None and (figure := drawer(report, block.section)):
            out.append(figure)
        builder = TABLES.get(block.check)
        if builder is not None:
            out += [_table(t) for t in builder(report, block.section)]
    if block.findings:
        out.append(_findings(report, block.findings))
    return "\n".join(out)


def _findings(report: Report, findings: Sequence[Finding]) -> str:
    items = []
    for f in findings:
        extra = f' <span class="lever">{esc(f.lever)}</span>' if f.lever else ""
        if f.expected_gain is not None:
            extra += f' <span class="note">(gain up to {esc(fmt_gap(report, f.expected_gain, signed=False))})</span>'
        examples = example_table(f)
        if examples is not None:
            extra += _table(examples)
        items.append(
            f'<li class="{esc(f.severity)}"><span class="sev {esc(f.severity)}">{esc(f.severity)}</span>'
            f"<span>{esc(f.title)}{extra}</span></li>"
        )
    return f'<ul class="findings">{"".join(items)}</ul>'


# --- plots ------------------------------------------------------------------------------------------------


@plot("decomposition")
def _decomposition_plot(report: Report, data: dict[str, Any]) -> str:
    from unstuck.render.plots import decomposition_svg

    return _figure(
        decomposition_svg(report),
        "Error at each level of the method, with 95% intervals; arrows are the gaps between levels "
        "(red: the bottleneck, grey: within noise).",
    )


@plot("learning_curve")
def _learning_curve_plot(report: Report, data: dict[str, Any]) -> str:
    from unstuck.render.plots import learning_curve_svg

    model = str(data.get("model", "best")).replace("_", " ")
    return _figure(
        learning_curve_svg(report, data),
        f"Dev error of the {model} baseline against training rows, with the fitted curve and its forecast band "
        "out to 10× today's data.",
    )
