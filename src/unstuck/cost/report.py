"""The machine-readable cost report: one JSON object of schema ``unstuck.cost/1``.

Top-level keys (the JSON Schema ships as ``unstuck/schemas/cost-1.json``):

- ``schema`` (``"unstuck.cost/1"``), ``unstuck_version``, ``command`` (``cost`` or ``distill``);
- ``traffic``: the file read, its line count and its bad lines (``null`` without a file);
- ``cost``: prices, token counts and where they came from, the small model's costs, the
  monthly bills, break-even, budget crossing and totals (``null`` when ``distill`` ran
  without prices);
- ``distill``: the label set, the split, one result per small model, the best cascade
  (``null`` for ``unstuck cost``);
- ``notes``: sentences the terminal report also shows (assumptions, skipped models).

New keys may be added; existing ones keep their meaning within ``unstuck.cost/1``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from unstuck.cost.distill import DistillResult
    from unstuck.cost.model import CostCurve, SmallModelCosts
    from unstuck.cost.traffic import Traffic

__all__ = ["SCHEMA", "build_report", "cost_to_dict", "distill_to_dict", "traffic_to_dict"]

SCHEMA = "unstuck.cost/1"


def _num(value: float | None) -> float | None:
    """JSON has no infinity: map it (and NaN) to ``None``."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def traffic_to_dict(traffic: Traffic) -> dict[str, Any]:
    """The traffic file: path, non-blank lines, usable lines, bad lines with their numbers."""
    return {
        "path": str(traffic.path),
        "lines": traffic.lines,
        "good_lines": len(traffic.frame),
        "bad_lines": [{"line": b.line, "reason": b.reason} for b in traffic.bad_lines],
        "input_field": traffic.input_field,
        "output_field": traffic.output_field,
        "gold_field": traffic.gold_field,
        "time_field": traffic.time_field,
    }


def cost_to_dict(
    curve: CostCurve,
    small_model: SmallModelCosts,
    *,
    input_price: float,
    output_price: float,
    tokens_in: float,
    tokens_out: float,
    tokens_source: str,
    throughput_source: str,
    volume: dict[str, Any],
    coverage_source: str | None,
) -> dict[str, Any]:
    """The ``cost`` object: inputs with their sources, bills per month, break-even, budget, totals."""
    months = []
    for i, requests in enumerate(curve.volumes):
        months.append(
            {
                "month": i + 1,
                "requests": requests,
                "api": curve.api[i],
                "small_model": curve.small_model[i],
                "cascade": curve.cascade[i] if curve.cascade else None,
                "instances": curve.instances[i],
            }
        )
    be = curve.break_even_month
    crossing = curve.budget_crossing_month
    return {
        "api": {
            "input_price_per_million": input_price,
            "output_price_per_million": output_price,
            "tokens_in": tokens_in,
            "tokens_out": tokens_out,
            "tokens_source": tokens_source,
            "cost_per_request": curve.api_per_request,
        },
        "small_model": {
            "instance_hourly": small_model.instance_hourly,
            "throughput": small_model.throughput,
            "throughput_source": throughput_source,
            "utilisation": small_model.utilisation,
            "min_instances": small_model.min_instances,
            "capacity_per_instance": small_model.capacity,
            "one_off": small_model.one_off,
            "one_off_parts": {
                "finetuning": small_model.gpu_hours * small_model.gpu_hourly,
                "labelling": small_model.labelling,
                "engineering": small_model.engineering_days * small_model.daily_rate,
            },
        },
        "volume": volume,
        "cascade": None if curve.coverage is None else {"coverage": curve.coverage, "coverage_source": coverage_source},
        "budget": curve.budget,
        "months": months,
        "break_even": {
            "month": be,
            "volume": curve.volumes[be - 1] if be is not None else None,
            "run_rate_volume": _num(curve.run_rate_break_even_volume),
            "cascade_month": curve.cascade_break_even_month,
        },
        "budget_crossing": None
        if crossing is None
        else {"month": crossing, "months_ahead": curve.months_ahead, "bill": curve.api[crossing - 1]},
        "totals": dict(curve.totals),
    }


def distill_to_dict(result: DistillResult) -> dict[str, Any]:
    """The ``distill`` object: labels (with merged spellings), split sizes, models, the best model's name."""
    labels = result.labels
    return {
        "labels": {
            "classes": [{"label": c, "count": labels.counts[c]} for c in labels.classes],
            "merged": labels.merged,
        },
        "split": {"method": result.split.method, **result.split.sizes()},
        "quality_floor": result.floor,
        "models": [m.to_dict() for m in result.models],
        "best_model": result.best.name,
        "skipped_models": dict(result.skipped_models),
    }


def build_report(
    command: str,
    *,
    cost: dict[str, Any] | None = None,
    distill: dict[str, Any] | None = None,
    traffic: dict[str, Any] | None = None,
    notes: list[str] | None = None,
) -> dict[str, Any]:
    """The whole ``unstuck.cost/1`` document."""
    from unstuck import __version__

    return {
        "schema": SCHEMA,
        "unstuck_version": __version__,
        "command": command,
        "traffic": traffic,
        "cost": cost,
        "distill": distill,
        "notes": list(notes or []),
    }
