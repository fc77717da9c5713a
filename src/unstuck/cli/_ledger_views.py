"""The terminal views of the ledger commands: the ``log`` table (rich, or plain text for many rows)
and the lines of ``metrics`` (error-category coverage, layer decisions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape

if TYPE_CHECKING:
    from unstuck.layer_decision import LayerDecision
    from unstuck.ledger.coverage import CategoryCoverage
    from unstuck.ledger.record import Experiment
    from unstuck.ledger.views import Unavailable

__all__ = [
    "LOG_COLUMNS",
    "NARROW_LOG",
    "PLAIN_ABOVE",
    "coverage_lines",
    "layer_lines",
    "percent",
    "render_log",
    "render_log_plain",
]


def _dev_first(metrics: dict[str, float]) -> dict[str, float]:
    """The metrics with those named ``dev...`` first (the one a log row has room for)."""
    return dict(sorted(metrics.items(), key=lambda kv: ("dev" not in kv[0].lower(), kv[0])))


LOG_COLUMNS = ("id", "UTC", "status", "verdict", "parent", "changed", "metrics", "hypothesis")
#: Narrower than this (columns), ``log`` leaves out the time of each record.
NARROW_LOG = 100
#: Above this many rows ``log`` prints plain aligned text: rich takes tens of seconds to lay out 10,000 rows.
PLAIN_ABOVE = 200


def _log_rows(records: list[Experiment], sweeps: dict[str, list[Experiment]] | None = None) -> list[tuple[str, ...]]:
    """One tuple of cell texts per record, in :data:`LOG_COLUMNS` order.

    ``changed`` is what changed against the parent; a sweep's variant without a parent
    shows the values its sweep varied (``lr=0.03``), from the sweep's records in ``sweeps``.
    """
    from datetime import UTC, datetime

    from unstuck.ledger.views import format_value, summarize_changed, summarize_varied, varied_in_sweep

    rows: list[tuple[str, ...]] = []
    for r in records:
        first = next(iter(_dev_first(r.metrics).items()), None)
        changed = summarize_changed(r.changed) + (" ⚠" if r.multi_change else "")
        if not changed and r.sweep_id and sweeps:
            changed = summarize_varied(varied_in_sweep(r, sweeps.get(r.sweep_id, [])))
        rows.append(
            (
                str(r.id),
                datetime.fromtimestamp(r.created_at, tz=UTC).strftime("%m-%d %H:%M"),
                r.status,
                r.verdict or "-",
                f"#{r.parent_id}" if r.parent_id is not None else "-",
                changed or "-",
                f"{first[0]}={format_value(first[1])}" if first else "-",
                (r.hypothesis or "-")[:60],
            )
        )
    return rows


def render_log(
    records: list[Experiment], sweeps: dict[str, list[Experiment]] | None = None, *, width: int = 120
) -> Any:
    """The ``log`` table (a rich Table) of ``records`` in the order given, one line per record within ``width``
    (``sweeps``: see :func:`_log_rows`).

    Long cells are cut with an ellipsis, not folded: folding the free-text columns into
    narrow strips made the table unreadable at 80 columns. ``unstuck show ID`` prints a record in full.
    """
    from rich.table import Table

    rows = _log_rows(records, sweeps)
    # Below 100 columns the time goes (``show`` has it): the free-text cells need the room more.
    shown = [k for k, col in enumerate(LOG_COLUMNS) if not (col == "UTC" and width < NARROW_LOG)]
    table = Table(title=f"{len(records)} experiment(s), newest first", title_justify="left")
    fixed = {k: max([len(LOG_COLUMNS[k]), *(len(row[k]) for row in rows)]) for k in shown if k < 5}
    for k, size in fixed.items():
        table.add_column(LOG_COLUMNS[k], no_wrap=True, min_width=size)
    free = max(width - sum(fixed.values()) - 3 * len(shown) - 1, 3 * 12)
    needed = {col: max([len(col), *(len(row[LOG_COLUMNS.index(col)]) for row in rows)]) for col in LOG_COLUMNS[5:]}
    # The dev metric is the cell a reader scans for; it keeps up to 20 characters, the rest is shared.
    sizes = {"metrics": min(needed["metrics"], 20)}
    rest = free - sizes["metrics"]
    sizes["changed"] = min(needed["changed"], max(rest // 2, rest - needed["hypothesis"]))
    sizes["hypothesis"] = rest - sizes["changed"]
    for col in LOG_COLUMNS[5:]:
        table.add_column(col, no_wrap=True, overflow="ellipsis", max_width=max(len(col), sizes[col]))
    for row in rows:
        table.add_row(*[escape(row[k]) for k in shown])
    return table


def render_log_plain(records: list[Experiment], sweeps: dict[str, list[Experiment]] | None = None) -> str:
    """The ``log`` as aligned plain text (fast for many rows); long cells are cut to 40 characters."""
    rows = [tuple(cell if len(cell) <= 40 else cell[:39] + "…" for cell in row) for row in _log_rows(records, sweeps)]
    widths = [max([len(col), *(len(row[k]) for row in rows)]) for k, col in enumerate(LOG_COLUMNS)]
    lines = [
        f"{len(records)} experiment(s), newest first",
        "  ".join(c.ljust(w) for c, w in zip(LOG_COLUMNS, widths, strict=True)).rstrip(),
    ]
    lines.extend("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows)
    return "\n".join(lines)


def percent(x: float | None) -> str:
    """A share as a whole percentage (``12%``); ``-`` when nothing was measured."""
    from unstuck.units import percent as as_percent

    return "-" if x is None else as_percent(x, digits=0)


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def coverage_lines(coverage: CategoryCoverage | Unavailable) -> list[str]:
    """The error-category coverage, or why there is none, as text lines."""
    from unstuck.ledger.views import Unavailable

    if isinstance(coverage, Unavailable):
        return [f"error-category coverage: none — {coverage.reason}.", f"  {coverage.hint}"]
    a = coverage.analysis
    source = a.source + (f", tags from {a.tag_file}" if a.tag_file else "")
    lines = [
        f"error-category coverage (last tagged analysis: {source}):",
        f"  {a.examined_errors} dev errors examined, {percent(a.tagged_share)} of them tagged; "
        f"{len(coverage.categories)} categories",
    ]
    if not coverage.categories:
        return [*lines, "  no category to cover: tag the examined errors (the tags column) and diagnose again."]
    per_tag = " (a row with several tags counts once per tag)" if coverage.overlapping else ""
    lines.append(
        f"  with an experiment: {coverage.covered} of {len(coverage.categories)} categories "
        f"({percent(coverage.share_categories)}), holding {percent(coverage.share_errors)} of the tagged "
        f"errors{per_tag}"
    )
    if coverage.shared_levers:
        lines.append(
            f"  an experiment that names only the lever {', '.join(coverage.shared_levers)} links no category: "
            "several categories share it (name one with --finding error_tags.<tag>)"
        )
    width = max(len("category"), *(len(c.tag) for c in coverage.categories))
    lines.append(f"  {'category':<{width}}  errors  ceiling    lever            experiments")
    for c in coverage.categories:
        linked = ", ".join(f"#{i} ({'+'.join(via)})" for i, via in c.experiments.items()) or "-"
        lines.append(f"  {c.tag:<{width}}  {c.count:6d}  {100 * c.ceiling:4.1f} pts  {c.lever or '-':<15}  {linked}")
    return lines


def layer_lines(decision: LayerDecision | Unavailable) -> list[str]:
    """The card's layer decisions, or why there are none, as text lines."""
    from unstuck.ledger.views import Unavailable

    if isinstance(decision, Unavailable):
        return [f"layer decisions: none — {decision.reason}.", f"  {decision.hint}"]
    d = decision
    recorded = (
        "recorded in the card (decisions.layer; the card keeps no date for it)"
        if d.recorded
        else f"not recorded: the plan's default ({d.why}); record it as decisions.layer in {d.card}"
    )
    started = d.prompt_tuning_started
    used = d.days_used or 0
    box = {
        "not_applicable": (
            f"prompt tuning started {started} ({_days(used)} ago); the layer is now "
            f"{d.layer.replace('_', ' ')}, so its {d.time_box_days}-day box no longer runs"
            if started
            else "not applicable (the layer is not LLM prompting)"
        ),
        "not_started": f"no start date (performance.prompt_tuning_started): the {d.time_box_days}-day box is not "
        "running; record the day prompt tuning began",
        "scheduled": f"starts {started} (in {_days(-used)}); {d.time_box_days}-day box",
        "running": f"started {started}: day {used} of {d.time_box_days}, {_days(d.days_left or 0)} left — not exceeded",
        "exceeded": f"started {started}: {_days(used)} ago, exceeded by {_days(used - d.time_box_days)} "
        f"(box {d.time_box_days} days): move down a layer (`unstuck plan`)",
    }[d.time_box]
    return [
        f"layer decisions (project card {d.card}):",
        f"  layer: {d.layer.replace('_', ' ')} — {recorded}",
        f"  prompt-tuning time box: {box}",
    ]
