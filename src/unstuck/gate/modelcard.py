"""A Markdown model card written only from the gate's measured facts.

Every sentence of the card is filled from a number the gate computed or a file the user
gave: the data (files, splits, features), the metrics with their intervals, the comparison
with the baseline, the classes and slices, calibration, latency and cost, the known limits
(failed and unchecked conditions), and — when given — the ledger's experiments that led
here. Nothing is invented: a section whose facts are absent says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from unstuck.gate.condition import FAIL, NOT_CHECKED, PASS
from unstuck.units import percent

if TYPE_CHECKING:
    from unstuck.gate.result import GateResult
    from unstuck.ledger.record import Experiment

__all__ = ["render_model_card"]

MAX_ROWS = 10
_MARK = {PASS: "pass", FAIL: "**FAIL**", NOT_CHECKED: "not checked"}


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _format(result: GateResult, value: float | None) -> str:
    from unstuck.metrics import METRICS

    metric = METRICS[result.facts["metric"]["name"]]
    return metric.format(value)


def _gap(result: GateResult, value: float) -> str:
    from unstuck.metrics import METRICS

    return METRICS[result.facts["metric"]["name"]].format_gap(value)


def render_model_card(result: GateResult, experiments: Sequence[Experiment] = ()) -> str:
    """The model card of the gated candidate, as Markdown."""
    facts = result.facts
    metric = facts["metric"]["name"]
    lines = [
        "# Model card",
        "",
        f"Production gate: **{result.verdict}** ({len(result.failed)} condition(s) failed, "
        f"{len(result.not_checked)} not checked; thresholds from {result.settings.source}).",
        "",
        "## Data",
        "",
        f"- Task: {facts['task']}; metric: {metric} (lower is better).",
        f"- Predictions: `{facts['files']['candidate']}`"
        + (f"; baseline: `{facts['files']['baseline']}`" if "baseline" in facts["files"] else "")
        + ".",
        "- Rows per split: " + ", ".join(f"{s} {n:,}" for s, n in facts["splits"].items()) + ".",
        "- Features: " + (", ".join(f"`{c}`" for c in facts["features"]) if facts["features"] else "none given") + ".",
    ]
    if facts["classes"]:
        lines.append("- Classes: " + ", ".join(f"`{c}`" for c in facts["classes"]) + ".")
    lines += ["", "## Metrics", "", f"| split | rows | {metric} | interval |", "|---|---:|---:|---|"]
    for split, error in facts["errors"].items():
        low, high = error["interval"]
        lines.append(
            f"| {split} | {error['rows']:,} | {_format(result, error['value'])} | "
            f"{_format(result, low)} – {_format(result, high)} |"
        )
    base = facts.get("baseline")
    if base is not None:
        low, high = base["interval"]
        lines += [
            "",
            f"Against the baseline on the same {base['n']:,} test rows: {_format(result, base['candidate'])} vs "
            f"{_format(result, base['baseline'])}, a gain of {_gap(result, base['gain'])} "
            f"({percent(base['level'], 0)} interval {_gap(result, low)} to {_gap(result, high)}; "
            f"paired test p = {base['p_value']:.3g}).",
        ]
    lines += ["", "## Classes and slices", ""]
    lines += _groups(result)
    lines += ["", "## Calibration, latency and cost", ""]
    for name in ("calibration", "latency", "cost"):
        condition = result.condition(name)
        lines.append(f"- {name}: {condition.summary}.")
    lines += ["", "## Gate conditions", "", "| condition | result | measured | threshold | what was found |"]
    lines.append("|---|---|---:|---:|---|")
    for c in result.conditions:
        measured = "" if c.measured is None else f"{c.measured:.4g}"
        threshold = "" if c.threshold is None else f"{c.threshold:.4g}"
        lines.append(f"| {c.name} | {_MARK[c.status]} | {measured} | {threshold} | {_cell(c.summary)} |")
    lines += ["", "## Known limits", ""]
    limits = [f"- Fails {c.name}: {c.summary}." for c in result.failed]
    limits += [f"- Not checked, {c.name}: {c.summary.removeprefix('not checked: ')}." for c in result.not_checked]
    lines += limits or ["- Every condition of the gate was checked and passed."]
    lines += ["", "## Experiments that led here", ""]
    if experiments:
        lines += ["| id | parent | hypothesis | changed | verdict | metrics |", "|---:|---:|---|---|---|---|"]
        for e in experiments:
            changed = ", ".join(f"{k}: {v[0]} → {v[1]}" for k, v in e.changed.items())
            shown = ", ".join(f"{k} {v:.4g}" for k, v in sorted(e.metrics.items()))
            lines.append(
                f"| {e.id} | {e.parent_id if e.parent_id is not None else ''} | {_cell(e.hypothesis or '')} | "
                f"{_cell(changed)} | {e.verdict or ''} | {_cell(shown)} |"
            )
    else:
        lines.append("No ledger experiments were given (`unstuck gate --experiment ID` lists its lineage).")
    return "\n".join(lines) + "\n"


def _groups(result: GateResult) -> list[str]:
    """Class and slice rows: from the floor check when floors were set, else from the baseline comparison."""
    floors = result.condition("slice_floors").detail.get("groups", [])
    regressions = result.condition("slice_regressions").detail.get("groups", [])
    if regressions:
        rows = sorted(regressions, key=lambda g: g["gain"])[:MAX_ROWS]
        out = ["| group | rows | candidate | baseline | worse beyond noise |", "|---|---:|---:|---:|---|"]
        out += [
            f"| {_cell(g['group'])} | {g['rows']:,} | {_format(result, g['candidate'])} | "
            f"{_format(result, g['baseline'])} | {'yes' if g['regresses'] else 'no'} |"
            for g in rows
        ]
        return out
    if floors:
        rows = sorted(floors, key=lambda g: -g["error"])[:MAX_ROWS]
        out = ["| group | rows | error | floor | above beyond noise |", "|---|---:|---:|---:|---|"]
        out += [
            f"| {_cell(g['group'])} | {g['rows']:,} | {_format(result, g['error'])} | "
            f"{_format(result, g['floor'])} | {'yes' if g['above_floor'] else 'no'} |"
            for g in rows
        ]
        return out
    return ["No floor and no baseline were given, so no class or slice was judged."]
