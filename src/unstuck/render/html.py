"""The HTML report: one self-contained page (inline CSS and SVG plots), offline and printable.

``render_html(report)`` returns the whole page; ``render_fragment(report)`` the
same content as one ``<div class="unstuck-report">`` with its ``<style>``, for
a notebook cell (registered with IPython by ``import unstuck``). The page makes no request when opened:
no script, no web font, no image file; plots are inline SVG from
:mod:`unstuck.render.plots`, and thumbnails of example images are PNG ``data:`` URIs kept in the report.

The content follows :func:`unstuck.render.layout.reading_order`: the verdict, then one
heading per group of checks. A check's block is its plot (drawn here from the
kind of plot the check declares: :data:`PLOT_KINDS`, HTML only), its tables (the
check's own, shared with Markdown), then its findings, each with the example rows
it carries. A check with neither plot nor tables is shown through its findings
only; one with nothing at all is named in a "nothing to report" line.

Every text that comes from the report is escaped (``html.escape``); renderers
build markup only with :func:`table`, :func:`esc` and literal tags. The page
skeleton and CSS are the files in ``templates/`` beside this module, filled
with :class:`string.Template` (no template engine needed for three holes).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from html import escape
from importlib import resources
from string import Template
from typing import TYPE_CHECKING, Any

from unstuck.render.layout import fmt_gap, reading_order, shown, skipped_checks
from unstuck.render.tables import Table, example_table

if TYPE_CHECKING:
    from unstuck.checks.decomposition import DecompositionResult
    from unstuck.checks.learning_curve import LearningCurveResult
    from unstuck.findings import Finding, Report
    from unstuck.render.layout import Block

__all__ = ["PLOT_KINDS", "esc", "render_fragment", "render_html", "table"]


def _error_levels(report: Report, result: DecompositionResult) -> str | None:
    from unstuck.render.plots import decomposition_svg

    return decomposition_svg(report, result)


def _learning_curve(report: Report, result: LearningCurveResult) -> str | None:
    from unstuck.render.plots import learning_curve_svg

    return learning_curve_svg(report, result)


#: Kind of plot (what a check's :class:`~unstuck.view.Plot` names) → the SVG drawing of it from the
#: report and the plot's data (the check's typed result), or None when there is nothing to draw.
PLOT_KINDS: dict[str, Callable[[Report, Any], str | None]] = {
    "error_levels": _error_levels,
    "learning_curve": _learning_curve,
}

#: Keys of ``report.inferred`` whose text is shown under the title (what unstuck decided for the user).
INFERRED_NOTES = ("task", "dev", "train_dev")

_SPLIT_LABELS = {"human": "human-level", "train": "train", "train_dev": "train-dev", "dev": "dev", "test": "test"}


def esc(value: object) -> str:
    """``value`` as text, HTML-escaped (quotes included)."""
    return escape(str(value), quote=True)


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    numeric: Iterable[int] = (),
    caption: str | None = None,
    highlight: int | None = None,
    thumbnails: Sequence[str | None] = (),
) -> str:
    """An HTML table; cells are escaped. ``numeric``: column indexes aligned right; ``highlight``: a bold row;
    ``thumbnails``: a picture per row, drawn in a first column."""
    right = set(numeric)
    head = "".join(
        f'<th class="num">{esc(h)}</th>' if i in right else f"<th>{esc(h)}</th>" for i, h in enumerate(headers)
    )
    head = ("<th></th>" if thumbnails else "") + head
    body = []
    for r, row in enumerate(rows):
        cells = "".join(
            f'<td class="num">{esc(c)}</td>' if i in right else f"<td>{esc(c)}</td>" for i, c in enumerate(row)
        )
        if thumbnails:
            cells = _thumbnail(thumbnails[r] if r < len(thumbnails) else None) + cells
        body.append(f'<tr class="best">{cells}</tr>' if r == highlight else f"<tr>{cells}</tr>")
    note = f'<p class="note">{esc(caption)}</p>' if caption else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{note}"


def _table(t: Table) -> str:
    return table(
        t.headers,
        t.rows,
        numeric=t.numeric,
        caption=t.caption or None,
        highlight=t.highlight,
        thumbnails=t.thumbnails,
    )


#: The only pictures drawn: PNG ``data:`` URIs, so that no request leaves the page.
_DATA_URI = re.compile(r"data:image/png;base64,[A-Za-z0-9+/]*={0,2}")


def _thumbnail(picture: str | None) -> str:
    """A table cell with the picture, or an empty cell when there is none (or it is not a PNG data URI)."""
    if picture is None or not _DATA_URI.fullmatch(picture):
        return "<td></td>"
    return f'<td class="thumb"><img src="{esc(picture)}" alt=""></td>'


def _figure(svg: str | None, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>" if svg else ""


def _css() -> str:
    return resources.files("unstuck.render").joinpath("templates/report.css").read_text(encoding="utf-8")


def render_fragment(report: Report) -> str:
    """The report as one ``<div class="unstuck-report">`` preceded by its scoped ``<style>`` (for notebooks)."""
    return f"<style>{_css()}</style>\n{_body(report)}"


def render_html(report: Report, title: str = "unstuck diagnosis") -> str:
    """The report as a complete, self-contained HTML page (UTF-8 text), signed with the version of
    unstuck that measured it (the report's own, so a re-rendered old report names its maker)."""
    page = resources.files("unstuck.render").joinpath("templates/report.html").read_text(encoding="utf-8")
    version = report.unstuck_version
    return Template(page).substitute(title=esc(title), css=_css(), body=_body(report), version=esc(version))


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
        parts.append(table(["check", "why it did not run"], [(s.check, s.reason) for s in skipped_checks(report)]))
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
    figure, tables = shown(report, block)
    if figure is not None:
        drawn = PLOT_KINDS[figure.kind](report, figure.data)
        if drawn := _figure(drawn, figure.caption):
            out.append(drawn)
    out += [_table(t) for t in tables]
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
