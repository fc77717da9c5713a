"""The HTML report: one self-contained page (inline CSS and SVG plots), offline and printable.

``render_html(report)`` returns the whole page; ``render_fragment(report)`` the
same content as one ``<div class="unstuck-report">`` with its ``<style>``, for
a notebook cell (``Report._repr_html_``). The page makes no request when opened:
no script, no web font, no image file; plots are inline SVG from
:mod:`unstuck.render.plots`.

The content follows :func:`unstuck.render.layout.plan`: the verdict, then one
heading per group of checks. A check's section is drawn by the renderer
registered for its name with :func:`section`; a check with no renderer (yet)
is shown through its findings only. Adding one is one function::

    @section("my_check")
    def _my_check(report: Report, data: dict[str, Any]) -> str | None:
        return table(["column", "score"], [[r["column"], pct(r["score"])] for r in data["rows"]])

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

from unstuck.render.layout import fmt_gap, fmt_interval, fmt_value, plan

if TYPE_CHECKING:
    from unstuck.findings import Finding, Report
    from unstuck.render.layout import Block

__all__ = ["SECTIONS", "esc", "render_fragment", "render_html", "section", "table"]

SectionRenderer = Callable[["Report", dict[str, Any]], "str | None"]

#: check name → function drawing its section as HTML (None or "" when there is nothing to draw).
SECTIONS: dict[str, SectionRenderer] = {}

#: Keys of ``report.inferred`` whose text is shown under the title (what unstuck decided for the user).
INFERRED_NOTES = ("task", "dev", "train_dev")

#: How many example rows a table shows at most: keeps a 100k-row report's page small.
MAX_ROWS = 12

_SPLIT_LABELS = {"human": "human-level", "train": "train", "train_dev": "train-dev", "dev": "dev", "test": "test"}
_GAP_LABELS = {
    "avoidable_bias": ("avoidable bias", "train − human-level"),
    "variance": ("variance", "train-dev − train"),
    "data_mismatch": ("data mismatch", "dev − train-dev"),
    "dev_overfit": ("dev overfitting", "test − dev"),
}


def section(check: str) -> Callable[[SectionRenderer], SectionRenderer]:
    """Register the decorated function as the HTML renderer of ``report.sections[check]``."""

    def register(function: SectionRenderer) -> SectionRenderer:
        SECTIONS[check] = function
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
    for group in plan(report):
        drawn = [(block, _block(report, block)) for block in group.blocks]
        shown = [(block, html) for block, html in drawn if html]
        quiet = [block.check.replace("_", " ") for block, html in drawn if not html]
        parts.append(f"<h2>{esc(group.title)}</h2>")
        for block, html in shown:
            if len(group.blocks) > 1:
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
                f'<span class="lever">{esc(item.lever)}</span><br><span class="note">Why: {esc(item.why)} '
                f"Next experiment: {esc(item.next_experiment.hypothesis)} Change only: "
                f"{esc(item.next_experiment.change)}.</span></li>"
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


def _block(report: Report, block: Block) -> str:
    """The block's drawn section (if it has a renderer) and findings; "" when neither shows anything."""
    out = []
    renderer = SECTIONS.get(block.check)
    if renderer is not None and block.section:
        drawn = renderer(report, block.section)
        if drawn:
            out.append(drawn)
    if block.findings:
        out.append(_findings(report, block.findings))
    return "\n".join(out)


def _findings(report: Report, findings: Sequence[Finding]) -> str:
    items = []
    for f in findings:
        extra = f' <span class="lever">{esc(f.lever)}</span>' if f.lever else ""
        if f.expected_gain is not None:
            extra += f' <span class="note">(gain up to {esc(fmt_gap(report, f.expected_gain, signed=False))})</span>'
        items.append(
            f'<li class="{esc(f.severity)}"><span class="sev {esc(f.severity)}">{esc(f.severity)}</span>'
            f"<span>{esc(f.title)}{extra}</span></li>"
        )
    return f'<ul class="findings">{"".join(items)}</ul>'


# --- section renderers -------------------------------------------------------------------------------------


@section("decomposition")
def _decomposition(report: Report, data: dict[str, Any]) -> str:
    from unstuck.render.plots import decomposition_svg

    errors = [
        (
            label,
            fmt_value(report, report.errors.get(key)),
            _interval(report, report.intervals.get(key)),
            f"{data.get('n', {}).get(key, ''):,}" if isinstance(data.get("n", {}).get(key), int) else "",
        )
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
        verdict = "BOTTLENECK" if name in dominant else ("real, smaller" if comp.get("significant") else "within noise")
        gaps.append(
            (label, formula, fmt_gap(report, comp["value"]), _interval(report, comp["interval"], gap=True), verdict)
        )
    return "\n".join(
        [
            _figure(
                decomposition_svg(report),
                "Error at each level of the method; arrows are the gaps between levels "
                "(red: the bottleneck, grey: within noise).",
            ),
            table(["split", report.metric.get("name", "error"), "95% interval", "rows"], errors, numeric=(1, 2, 3)),
            table(["gap", "between", "size", "95% interval", "verdict"], gaps, numeric=(2, 3)),
        ]
    )


def _interval(report: Report, interval: Sequence[float] | None, gap: bool = False) -> str:
    return fmt_interval(report, interval, gap)


@section("baselines")
def _baselines(report: Report, data: dict[str, Any]) -> str | None:
    rungs = data.get("rungs") or []
    if not rungs:
        return None
    splits = [s for s in ("train", "train_dev", "dev", "test") if s in report.splits]
    rows = [
        [
            r["name"].replace("_", " ") + (" ★" if r["name"] == data.get("best") else ""),
            r.get("description", ""),
            *(fmt_value(report, r["errors"].get(s)) for s in splits),
            f"{r.get('fit_seconds', 0.0):.1f}",
        ]
        for r in rungs
    ]
    best = next((i for i, r in enumerate(rungs) if r["name"] == data.get("best")), None)
    return table(
        ["model", "what", *(_SPLIT_LABELS[s] for s in splits), "fit s"],
        rows,
        numeric=range(2, 3 + len(splits)),
        highlight=best,
        caption="★ best on dev.",
    )


@section("learning_curve")
def _learning_curve(report: Report, data: dict[str, Any]) -> str | None:
    from unstuck.render.plots import learning_curve_svg

    out = [
        _figure(
            learning_curve_svg(report, data),
            f"Dev error of the {str(data.get('model', 'best')).replace('_', ' ')} baseline against training "
            "rows, with the fitted curve and its forecast band out to 10× today's data.",
        )
    ]
    forecast = data.get("forecast") or {}
    if forecast.get("now") is not None:
        rows = [("today", f"{data.get('n_train', 0):,}", fmt_value(report, forecast.get("now")), "", "")]
        for key, factor in (("2x", 2), ("10x", 10)):
            if forecast.get(f"at_{key}") is not None:
                rows.append(
                    (
                        f"{factor}× data",
                        f"{factor * int(data.get('n_train', 0)):,}",
                        fmt_value(report, forecast[f"at_{key}"]),
                        _interval(report, forecast.get(f"interval_{key}")),
                        fmt_gap(report, forecast.get(f"gain_{key}"), signed=False),
                    )
                )
        out.append(
            table(
                [
                    "training data",
                    "rows",
                    "forecast dev error",
                    f"{int(100 * forecast.get('level', 0.9))}% interval",
                    "gain",
                ],
                rows,
                numeric=(1, 2, 3, 4),
            )
        )
    per_class = data.get("per_class") or []
    if per_class:
        out.append(
            table(
                ["class", "dev share", "dev error", "forecast at 2×", "share of the 2× gain"],
                [
                    (
                        c["class"],
                        _pct(c.get("dev_share")),
                        fmt_value(report, c.get("error")),
                        fmt_value(report, c.get("forecast_2x")),
                        fmt_gap(report, c.get("contribution_2x"), False),
                    )
                    for c in per_class[:MAX_ROWS]
                ],
                numeric=(1, 2, 3, 4),
                caption="Classes that carry most dev errors: where more data would pay.",
            )
        )
    return "\n".join(out)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"
