"""The terminal view of ``unstuck cost`` and ``unstuck distill``: an ``unstuck.cost/1`` document as rich renderables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from unstuck.units import percent

if TYPE_CHECKING:
    from rich.console import RenderableType

__all__ = ["render_cost", "render_distill"]


def _money(x: float | None) -> str:
    if x is None:
        return "-"
    if x == 0:
        return "$0"
    if abs(x) >= 100:
        return f"${x:,.0f}"
    if abs(x) >= 1:
        return f"${x:,.2f}"
    return f"${x:.5f}"


def _saving(x: float) -> str:
    return f"saves {_money(x)}" if x >= 0 else f"costs {_money(-x)} more than the API"


def render_cost(section: dict[str, Any]) -> list[RenderableType]:
    from rich.table import Table
    from rich.text import Text

    api, small = section["api"], section["small_model"]
    out: list[RenderableType] = []
    out.append(
        Text(
            f"API cost per request: {_money(api['cost_per_request'])} "
            f"({api['tokens_in']:,.0f} input + {api['tokens_out']:,.0f} output tokens, {api['tokens_source']}; "
            f"${api['input_price_per_million']:g} / ${api['output_price_per_million']:g} per million tokens)"
        )
    )
    out.append(
        Text(
            f"Small model: {_money(small['instance_hourly'])}/hour per instance, {small['throughput']:,.1f} requests/s "
            f"({small['throughput_source']}) at {percent(small['utilisation'], 0)} utilisation = "
            f"{small['capacity_per_instance']:,.0f} requests/month per instance; one-off {_money(small['one_off'])}"
        )
    )
    has_cascade = section["cascade"] is not None
    table = Table(title="Monthly bills", title_justify="left")
    for name in ("month", "requests", "API", "small model", "instances"):
        table.add_column(name, justify="right")
    if has_cascade:
        table.add_column(f"cascade ({percent(section['cascade']['coverage'], 0)} small)", justify="right")
    budget = section["budget"]
    for row in section["months"]:
        over = budget is not None and row["api"] > budget
        cells: list[str | Text] = [
            str(row["month"]),
            f"{row['requests']:,.0f}",
            Text(_money(row["api"]), style="bold red" if over else ""),
            _money(row["small_model"]),
            str(row["instances"]),
        ]
        if has_cascade:
            cells.append(_money(row["cascade"]))
        table.add_row(*cells)
    out.append(table)

    be, totals = section["break_even"], section["totals"]
    lines = []
    if be["month"] is not None:
        lines.append(
            f"Break-even: the small model has paid for itself by month {be['month']} "
            f"(volume {be['volume']:,.0f} requests/month)."
        )
    else:
        lines.append("Break-even: not within the horizon — the small model costs more than the API over it.")
    if be["run_rate_volume"] is not None:
        lines.append(
            f"Run-rate break-even: above {be['run_rate_volume']:,.0f} requests/month a small model is cheaper."
        )
    else:
        lines.append("Run-rate break-even: none — per request, the API stays cheaper than serving at any volume.")
    if has_cascade:
        cm = be["cascade_month"]
        lines.append(f"Cascade break-even: month {cm}." if cm else "Cascade break-even: not within the horizon.")
    crossing = section["budget_crossing"]
    if budget is not None:
        if crossing is None:
            lines.append(f"Budget {_money(budget)}/month: the API bill stays under it over the horizon.")
        elif crossing["months_ahead"] == 0:
            lines.append(
                f"Budget {_money(budget)}/month: the API bill is over it already ({_money(crossing['bill'])})."
            )
        else:
            lines.append(
                f"Budget {_money(budget)}/month: the API bill crosses it in month {crossing['month']} "
                f"({_money(crossing['bill'])}), {crossing['months_ahead']} month(s) from now."
            )
            if crossing["months_ahead"] <= 3:
                lines.append(
                    "  -> Start the switch now: the method says to bend the cost curve 2-3 months before the "
                    "bill crosses the budget (`unstuck distill` on your traffic)."
                )
    lines.append(
        f"Totals over {len(section['months'])} months: API {_money(totals['api'])}, small model "
        f"{_money(totals['small_model'])} ({_saving(totals['savings_small_model'])})"
        + (f", cascade {_money(totals['cascade'])} ({_saving(totals['savings_cascade'])})." if has_cascade else ".")
    )
    out.extend(Text(line) for line in lines)
    return out


def render_distill(section: dict[str, Any], traffic: dict[str, Any]) -> list[RenderableType]:
    from rich.table import Table
    from rich.text import Text

    out: list[RenderableType] = []
    labels = section["labels"]
    split = section["split"]
    out.append(
        Text(
            f"Traffic: {traffic['good_lines']:,} usable lines of {traffic['lines']:,}"
            + (f" ({len(traffic['bad_lines'])} bad lines skipped)" if traffic["bad_lines"] else "")
            + f"; {len(labels['classes'])} labels: "
            + ", ".join(f"{c['label']} ({c['count']:,})" for c in labels["classes"][:12])
            + (" …" if len(labels["classes"]) > 12 else "")
        )
    )
    for canonical, variants in labels["merged"].items():
        out.append(Text(f"  merged into '{canonical}': " + ", ".join(repr(v) for v in variants)))
    how = "by time (oldest train, newest test)" if split["method"] == "time" else "at random (no timestamps)"
    out.append(
        Text(f"Split {how}: train {split['train']:,}, calibration {split['calibration']:,}, test {split['test']:,}.")
    )
    floor = section["quality_floor"]
    guarantee = section["models"][0]["cascade"]["guarantee"]
    table = Table(
        title=f"Small models vs the LLM on held-out traffic (quality floor {percent(floor, 0)})", title_justify="left"
    )
    for name in ("model", "agreement [95% CI]", "gold (LLM)", "train s", "ms/req", "threshold", "coverage", "cascade"):
        table.add_column(name, justify="left" if name == "model" else "right")
    for m in section["models"]:
        lo, hi = m["agreement_interval"]
        gold = m["gold"]
        casc = m["cascade"]
        test = casc["test"]
        table.add_row(
            m["name"],
            f"{percent(m['agreement'])} [{percent(lo)}, {percent(hi)}]",
            f"{percent(gold['small_model'])} ({percent(gold['llm'])})" if gold else "-",
            f"{m['train_seconds']:.1f}",
            f"{m['latency_ms_single']:.2f}",
            "-" if casc["threshold"] is None else f"{casc['threshold']:.3f}",
            percent(test["coverage"]),
            Text(percent(test["agreement"]), style="" if casc["meets_floor_on_test"] else "bold red"),
        )
    out.append(table)
    out.append(
        Text(
            "agreement: small model = LLM on the test part; gold: accuracy on gold labels (the LLM's in brackets); "
            "ms/req: one request at a time; threshold/coverage/cascade: the cascade at the floor, on the test part. "
            + "; ".join(f"{m['name']} = {m['description']}" for m in section["models"])
            + ".",
            style="dim",
        )
    )
    best = next(m for m in section["models"] if m["name"] == section["best_model"])
    per_class = Table(title=f"Per class, {best['description']}", title_justify="left")
    for name in ("LLM label", "support", "agreement", "precision"):
        per_class.add_column(name, justify="left" if name == "LLM label" else "right")
    for row in best["per_class"]:
        per_class.add_row(
            row["label"],
            f"{row['support']:,}",
            "-" if row["agreement"] is None else percent(row["agreement"]),
            "-" if row["precision"] is None else percent(row["precision"]),
        )
    out.append(per_class)
    casc = best["cascade"]
    curve = "  ".join(
        f"{percent(p['coverage'], 0)}→{percent(p['agreement'])}"
        for p in casc["curve"][:: max(1, len(casc["curve"]) // 8)]
    )
    out.append(Text(f"Coverage → cascade agreement (test): {curve}"))
    verdict = "meets" if casc["meets_floor_on_test"] else "MISSES"
    threshold = "-" if casc["threshold"] is None else format(casc["threshold"], ".3f")
    out.append(
        Text(
            f"Cascade: {best['description']} answers when its confidence ≥ "
            f"{threshold} (chosen on the calibration part"
            + (f", floor guaranteed with {percent(guarantee, 0)} confidence" if guarantee else "")
            + "): "
            f"{percent(casc['test']['coverage'])} of held-out traffic, cascade agreement "
            f"{percent(casc['test']['agreement'])} — {verdict} the {percent(floor, 0)} floor."
        )
    )
    for name, reason in section["skipped_models"].items():
        out.append(Text(f"Skipped {name}: {reason}", style="dim"))
    return out
