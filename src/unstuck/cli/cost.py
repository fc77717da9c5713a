"""``unstuck cost`` and ``unstuck distill``: the LLM-API cost curve, distillation, a cascade."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from unstuck.cli._console import console, err_console, quiet_callback

if TYPE_CHECKING:
    from rich.console import RenderableType

    from unstuck.cost.model import CostCurve
    from unstuck.cost.traffic import Traffic

__all__ = ["register"]

# ----------------------------------------------------------------------------- shared options

ApiInputPrice = Annotated[float | None, typer.Option(help="API price per million INPUT tokens (e.g. 2.50).")]
ApiOutputPrice = Annotated[float | None, typer.Option(help="API price per million OUTPUT tokens (e.g. 10).")]
TokensIn = Annotated[
    float | None, typer.Option(help="Mean input tokens per request (overrides what the traffic file gives).")
]
TokensOut = Annotated[
    float | None, typer.Option(help="Mean output tokens per request (overrides what the traffic file gives).")
]
TokensInField = Annotated[
    str | None, typer.Option(help="Traffic field with the provider's input token count (e.g. usage.prompt_tokens).")
]
TokensOutField = Annotated[
    str | None,
    typer.Option(help="Traffic field with the provider's output token count (e.g. usage.completion_tokens)."),
]
InputField = Annotated[str, typer.Option("--input", help="Traffic field with the request text (dotted paths ok).")]
OutputField = Annotated[str, typer.Option("--output", help="Traffic field with the LLM's answer (dotted paths ok).")]
SkipBad = Annotated[
    bool, typer.Option("--skip-bad-lines", help="Keep the good lines of a traffic file that has bad ones.")
]
Requests = Annotated[float | None, typer.Option(help="Requests per month now (month 1 of the horizon).")]
Growth = Annotated[float, typer.Option(help="Compound monthly growth of the volume (0.3 = +30 % a month).")]
Volumes = Annotated[
    str | None, typer.Option(help="Your own monthly volumes, comma-separated (e.g. 50000,80000,120000).")
]
Months = Annotated[int, typer.Option(help="Horizon in months (with --requests).")]
Budget = Annotated[float | None, typer.Option(help="Monthly budget for the API bill.")]
SmallHourly = Annotated[float | None, typer.Option(help="Price per hour of one instance serving the small model.")]
Throughput = Annotated[
    float | None, typer.Option(help="Requests per second one instance serves (distill measures it if left out).")
]
Utilisation = Annotated[float, typer.Option(help="Average share of that throughput actually used (0-1].")]
MinInstances = Annotated[int, typer.Option(help="Instances always running, even at low volume.")]
GpuHours = Annotated[float, typer.Option(help="One-off fine-tuning GPU hours.")]
GpuHourly = Annotated[float, typer.Option(help="Price per GPU hour for fine-tuning.")]
Labelling = Annotated[float, typer.Option(help="One-off labelling cost (0 when the LLM's answers are the labels).")]
EngDays = Annotated[float, typer.Option(help="Engineering days to build and ship the small model.")]
DailyRate = Annotated[float, typer.Option(help="Price of one engineering day.")]
Encoding = Annotated[str, typer.Option(help="Text encoding of the traffic file.")]
JsonPath = Annotated[
    Path | None, typer.Option("--json", help="Write the report as JSON (schema unstuck.cost/1) to this path.")
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print no report; only errors.", callback=quiet_callback)]


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


def _volumes(
    requests: float | None, growth: float, volumes: str | None, months: int
) -> tuple[list[float], dict[str, Any]]:
    from unstuck.cost.model import volume_series
    from unstuck.errors import ConfigError

    if volumes:
        try:
            series = [float(v) for v in volumes.replace(" ", "").split(",") if v]
        except ValueError:
            raise ConfigError(
                f"--volumes must be numbers separated by commas; got '{volumes}'.",
                "Pass e.g. --volumes 50000,80000,120000 (requests per month, month 1 first).",
            ) from None
        if not series:
            raise ConfigError("--volumes is empty.", "Pass e.g. --volumes 50000,80000,120000.")
        return series, {"source": "series", "requests": series[0], "growth": None, "months": len(series)}
    if requests is None:
        raise ConfigError(
            "No request volume: the cost curve needs --requests (per month) or --volumes.",
            "Pass e.g. --requests 50000 --growth 0.3, or --volumes 50000,80000,120000.",
        )
    series = volume_series(requests, growth, months)
    return series, {"source": "growth", "requests": requests, "growth": growth, "months": months}


def _tokens(
    traffic: Traffic | None, tokens_in: float | None, tokens_out: float | None, notes: list[str]
) -> tuple[float, float, str]:
    """Mean tokens in/out and their source: given flags win, then measured counts, then the approximation."""
    from unstuck.cost.tokens import mean_tokens
    from unstuck.errors import ConfigError

    if tokens_in is not None and tokens_out is not None:
        if traffic is not None:
            notes.append("Token counts from --tokens-in/--tokens-out, not from the traffic file.")
        return tokens_in, tokens_out, "given"
    if traffic is None:
        raise ConfigError(
            "No token counts: the API cost needs --tokens-in and --tokens-out, or a traffic file to measure them.",
            "Pass e.g. --tokens-in 800 --tokens-out 150, or --traffic traffic.jsonl.",
        )
    frame = traffic.frame
    sources = []
    if tokens_in is None:
        if "tokens_in" in frame.columns:
            tokens_in, src = float(frame["tokens_in"].mean()), "measured"
        else:
            tokens_in, src = mean_tokens(frame["input"]), "approximated"
        sources.append(src)
    if tokens_out is None:
        if "tokens_out" in frame.columns:
            tokens_out, src = float(frame["tokens_out"].mean()), "measured"
        else:
            tokens_out, src = mean_tokens(frame["output"]), "approximated"
        sources.append(src)
    source = "approximated" if "approximated" in sources else "measured"
    if source == "approximated":
        notes.append(
            "Token counts approximated offline (1 token ≈ 4 characters, CJK 1 each); pass --tokens-in-field/"
            "--tokens-out-field with your provider's counts for exact numbers."
        )
    return float(tokens_in or 0.0), float(tokens_out or 0.0), source


def _cost(
    *,
    api_input_price: float,
    api_output_price: float,
    tokens: tuple[float, float, str],
    volumes: tuple[list[float], dict[str, Any]],
    budget: float | None,
    small_model_hourly: float,
    throughput: float,
    throughput_source: str,
    utilisation: float,
    min_instances: int,
    one_off: dict[str, float],
    coverage: float | None,
    coverage_source: str | None,
) -> tuple[CostCurve, dict[str, Any]]:
    from unstuck.cost.model import SmallModelCosts, api_cost_per_request, cost_curve
    from unstuck.cost.report import cost_to_dict

    tin, tout, source = tokens
    per_request = api_cost_per_request(tin, tout, api_input_price, api_output_price)
    small_model = SmallModelCosts(
        instance_hourly=small_model_hourly,
        throughput=throughput,
        utilisation=utilisation,
        min_instances=min_instances,
        **one_off,
    )
    curve = cost_curve(volumes[0], per_request, small_model, coverage=coverage, budget=budget)
    section = cost_to_dict(
        curve,
        small_model,
        input_price=api_input_price,
        output_price=api_output_price,
        tokens_in=tin,
        tokens_out=tout,
        tokens_source=source,
        throughput_source=throughput_source,
        volume=volumes[1],
        coverage_source=coverage_source,
    )
    return curve, section


def _read(path: Path, **kwargs: Any) -> Traffic:
    from unstuck.cost.traffic import read_traffic

    return read_traffic(path, **kwargs)


def _write_json(document: dict[str, Any], path: Path) -> None:
    from unstuck.errors import FileProblem
    from unstuck.schemas import validate

    validate(document, "cost-1")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise FileProblem(
            f"Could not write the JSON report to '{path}': {exc.strerror}.", "Choose a writable path for --json."
        ) from None


def _missing_prices(api_input_price: float | None, api_output_price: float | None) -> list[str]:
    return [
        flag
        for flag, value in (("--api-input-price", api_input_price), ("--api-output-price", api_output_price))
        if value is None
    ]


# ----------------------------------------------------------------------------- rendering


def _render_cost(section: dict[str, Any]) -> list[RenderableType]:
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
            f"({small['throughput_source']}) at {small['utilisation']:.0%} utilisation = "
            f"{small['capacity_per_instance']:,.0f} requests/month per instance; one-off {_money(small['one_off'])}"
        )
    )
    has_cascade = section["cascade"] is not None
    table = Table(title="Monthly bills", title_justify="left")
    for name in ("month", "requests", "API", "small model", "instances"):
        table.add_column(name, justify="right")
    if has_cascade:
        table.add_column(f"cascade ({section['cascade']['coverage']:.0%} small)", justify="right")
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


def _render_distill(section: dict[str, Any], traffic: dict[str, Any]) -> list[RenderableType]:
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
        title=f"Small models vs the LLM on held-out traffic (quality floor {floor:.0%})", title_justify="left"
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
            f"{m['agreement']:.1%} [{lo:.1%}, {hi:.1%}]",
            f"{gold['small_model']:.1%} ({gold['llm']:.1%})" if gold else "-",
            f"{m['train_seconds']:.1f}",
            f"{m['latency_ms_single']:.2f}",
            "-" if casc["threshold"] is None else f"{casc['threshold']:.3f}",
            f"{test['coverage']:.1%}",
            Text(f"{test['agreement']:.1%}", style="" if casc["meets_floor_on_test"] else "bold red"),
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
            "-" if row["agreement"] is None else f"{row['agreement']:.1%}",
            "-" if row["precision"] is None else f"{row['precision']:.1%}",
        )
    out.append(per_class)
    casc = best["cascade"]
    curve = "  ".join(
        f"{p['coverage']:.0%}→{p['agreement']:.1%}" for p in casc["curve"][:: max(1, len(casc["curve"]) // 8)]
    )
    out.append(Text(f"Coverage → cascade agreement (test): {curve}"))
    verdict = "meets" if casc["meets_floor_on_test"] else "MISSES"
    threshold = "-" if casc["threshold"] is None else format(casc["threshold"], ".3f")
    out.append(
        Text(
            f"Cascade: {best['description']} answers when its confidence ≥ "
            f"{threshold} (chosen on the calibration part"
            + (f", floor guaranteed with {guarantee:.0%} confidence" if guarantee else "")
            + "): "
            f"{casc['test']['coverage']:.1%} of held-out traffic, cascade agreement {casc['test']['agreement']:.1%} — "
            f"{verdict} the {floor:.0%} floor."
        )
    )
    for name, reason in section["skipped_models"].items():
        out.append(Text(f"Skipped {name}: {reason}", style="dim"))
    return out


def _print(parts: list[RenderableType], notes: list[str], written: Path | None) -> None:
    for part in parts:
        console.print(part)
    for note in notes:
        console.print(f"note: {note}", style="dim")
    if written is not None:
        console.print(f"Wrote {written}")


# ----------------------------------------------------------------------------- commands


def cost(
    api_input_price: ApiInputPrice = None,
    api_output_price: ApiOutputPrice = None,
    tokens_in: TokensIn = None,
    tokens_out: TokensOut = None,
    traffic: Annotated[
        Path | None, typer.Option(help="Traffic JSONL file to measure token counts from (see --input/--output).")
    ] = None,
    input_field: InputField = "prompt",
    output_field: OutputField = "response",
    tokens_in_field: TokensInField = None,
    tokens_out_field: TokensOutField = None,
    skip_bad_lines: SkipBad = False,
    requests: Requests = None,
    growth: Growth = 0.0,
    volumes: Volumes = None,
    months: Months = 24,
    budget: Budget = None,
    small_model_hourly: SmallHourly = None,
    throughput: Throughput = None,
    utilisation: Utilisation = 0.5,
    min_instances: MinInstances = 1,
    finetune_gpu_hours: GpuHours = 0.0,
    gpu_hourly: GpuHourly = 0.0,
    labelling_cost: Labelling = 0.0,
    engineering_days: EngDays = 0.0,
    daily_rate: DailyRate = 0.0,
    coverage: Annotated[
        float | None, typer.Option(help="Share of requests a cascade's small model answers (distill measures it).")
    ] = None,
    encoding: Encoding = "utf-8",
    json_path: JsonPath = None,
    quiet: Quiet = False,
) -> None:
    """LLM API vs a fine-tuned small model: monthly bills, break-even, budget crossing, savings."""
    from unstuck.cost.report import build_report, traffic_to_dict
    from unstuck.errors import ConfigError

    missing = _missing_prices(api_input_price, api_output_price)
    if small_model_hourly is None:
        missing.append("--small-model-hourly")
    if throughput is None:
        missing.append("--throughput")
    if missing:
        raise ConfigError(
            f"The cost curve needs {', '.join(missing)}.",
            "Example: unstuck cost --api-input-price 2.50 --api-output-price 10 --tokens-in 800 --tokens-out 150 "
            "--requests 50000 --growth 0.3 --budget 20000 --small-model-hourly 1.2 --throughput 40",
        )
    assert api_input_price is not None and api_output_price is not None
    assert small_model_hourly is not None and throughput is not None
    notes: list[str] = []
    log = None
    if traffic is not None:
        log = _read(
            traffic,
            input_field=input_field,
            output_field=output_field,
            tokens_in_field=tokens_in_field,
            tokens_out_field=tokens_out_field,
            skip_bad_lines=skip_bad_lines,
            encoding=encoding,
        )
    one_off = {
        "gpu_hours": finetune_gpu_hours,
        "gpu_hourly": gpu_hourly,
        "labelling": labelling_cost,
        "engineering_days": engineering_days,
        "daily_rate": daily_rate,
    }
    _, section = _cost(
        api_input_price=api_input_price,
        api_output_price=api_output_price,
        tokens=_tokens(log, tokens_in, tokens_out, notes),
        volumes=_volumes(requests, growth, volumes, months),
        budget=budget,
        small_model_hourly=small_model_hourly,
        throughput=throughput,
        throughput_source="given",
        utilisation=utilisation,
        min_instances=min_instances,
        one_off=one_off,
        coverage=coverage,
        coverage_source="given" if coverage is not None else None,
    )
    if section["small_model"]["one_off"] == 0:
        notes.append(
            "One-off cost is 0: add --finetune-gpu-hours/--gpu-hourly, --engineering-days/--daily-rate and "
            "--labelling-cost for a fair break-even."
        )
    document = build_report(
        "cost", cost=section, traffic=traffic_to_dict(log) if log is not None else None, notes=notes
    )
    if json_path is not None:
        _write_json(document, json_path)
    if not quiet:
        _print(_render_cost(section), notes, json_path)


def distill(
    traffic: Annotated[Path, typer.Argument(help="Traffic JSONL: one request per line with the LLM's answer.")],
    input_field: InputField = "prompt",
    output_field: OutputField = "response",
    gold: Annotated[
        str | None, typer.Option(help="Field with human (gold) labels, where some lines have them.")
    ] = None,
    time_field: Annotated[
        str | None, typer.Option(help="Field with the request time. Default: timestamp/time/created_at if present.")
    ] = None,
    models: Annotated[
        str | None,
        typer.Option(
            help="Small models to train, comma-separated, from: tfidf, minilm, finetune. "
            "Default: tfidf, plus minilm when the 'text' extra is installed."
        ),
    ] = None,
    quality_floor: Annotated[
        float, typer.Option(help="Least agreement with the LLM the cascade must keep (0.97 = 97 %).")
    ] = 0.97,
    guarantee: Annotated[
        float | None,
        typer.Option(
            help="Choose the cascade threshold so the floor holds on new traffic with this confidence (e.g. 0.9; "
            "Clopper-Pearson bound on the calibration part). Default: the calibration estimate."
        ),
    ] = None,
    max_labels: Annotated[int, typer.Option(help="Most distinct answers that still count as a label set.")] = 50,
    seed: Annotated[int, typer.Option(help="Seed of the random split and the models.")] = 0,
    skip_bad_lines: SkipBad = False,
    encoding: Encoding = "utf-8",
    api_input_price: ApiInputPrice = None,
    api_output_price: ApiOutputPrice = None,
    tokens_in: TokensIn = None,
    tokens_out: TokensOut = None,
    tokens_in_field: TokensInField = None,
    tokens_out_field: TokensOutField = None,
    requests: Requests = None,
    growth: Growth = 0.0,
    volumes: Volumes = None,
    months: Months = 24,
    budget: Budget = None,
    small_model_hourly: SmallHourly = None,
    throughput: Throughput = None,
    utilisation: Utilisation = 0.5,
    min_instances: MinInstances = 1,
    finetune_gpu_hours: GpuHours = 0.0,
    gpu_hourly: GpuHourly = 0.0,
    labelling_cost: Labelling = 0.0,
    engineering_days: EngDays = 0.0,
    daily_rate: DailyRate = 0.0,
    json_path: JsonPath = None,
    quiet: Quiet = False,
) -> None:
    """Production traffic -> small models -> held-out agreement -> a cascade and its savings."""
    from unstuck.cost.distill import MODELS, TEXT_EXTRA_INSTALL, text_extra_missing
    from unstuck.cost.distill import distill as run_distill
    from unstuck.cost.report import build_report, distill_to_dict, traffic_to_dict
    from unstuck.errors import ConfigError

    notes: list[str] = []
    skipped: dict[str, str] = {}
    if models is None:
        chosen = ["tfidf"]
        missing = text_extra_missing()
        if missing:
            skipped["minilm"] = (
                f"the optional 'text' extra is not installed ({', '.join(missing)}): {TEXT_EXTRA_INSTALL}"
            )
        else:
            chosen.append("minilm")
    else:
        chosen = [m.strip().lower() for m in models.split(",") if m.strip()]
        unknown = [m for m in chosen if m not in MODELS]
        if unknown or not chosen:
            raise ConfigError(
                f"Unknown small model(s) in --models: {', '.join(unknown) or '(none)'}.",
                f"Choose from: {', '.join(MODELS)} (comma-separated, e.g. --models tfidf,minilm).",
            )
        chosen = sorted(set(chosen), key=list(MODELS).index)
    log = _read(
        traffic,
        input_field=input_field,
        output_field=output_field,
        gold_field=gold,
        time_field=time_field,
        tokens_in_field=tokens_in_field,
        tokens_out_field=tokens_out_field,
        skip_bad_lines=skip_bad_lines,
        encoding=encoding,
    )
    if quiet:
        result = run_distill(
            log, models=chosen, floor=quality_floor, seed=seed, max_labels=max_labels, guarantee=guarantee
        )
    else:
        with err_console.status("distilling…") as status:
            result = run_distill(
                log,
                models=chosen,
                floor=quality_floor,
                seed=seed,
                max_labels=max_labels,
                guarantee=guarantee,
                on_step=lambda message: status.update(f"{message}…"),
            )
    result = replace(result, skipped_models=skipped)
    best = result.best

    cost_section = None
    needed = _missing_prices(api_input_price, api_output_price)
    if small_model_hourly is None:
        needed.append("--small-model-hourly")
    if requests is None and not volumes:
        needed.append("--requests (or --volumes)")
    if needed:
        notes.append(f"No savings computed: pass {', '.join(needed)} to price the cascade against the API.")
    else:
        assert api_input_price is not None and api_output_price is not None and small_model_hourly is not None
        measured = best.throughput if math.isfinite(best.throughput) else None
        use_throughput = throughput if throughput is not None else measured
        if use_throughput is None:
            raise ConfigError("The small model's throughput could not be measured.", "Pass --throughput.")
        _, cost_section = _cost(
            api_input_price=api_input_price,
            api_output_price=api_output_price,
            tokens=_tokens(log, tokens_in, tokens_out, notes),
            volumes=_volumes(requests, growth, volumes, months),
            budget=budget,
            small_model_hourly=small_model_hourly,
            throughput=use_throughput,
            throughput_source="given" if throughput is not None else "measured",
            utilisation=utilisation,
            min_instances=min_instances,
            one_off={
                "gpu_hours": finetune_gpu_hours,
                "gpu_hourly": gpu_hourly,
                "labelling": labelling_cost,
                "engineering_days": engineering_days,
                "daily_rate": daily_rate,
            },
            coverage=best.cascade.test.coverage,
            coverage_source="measured",
        )
        if throughput is None:
            notes.append(
                f"Throughput {use_throughput:,.0f} requests/s measured for {best.description} on this machine, "
                "one request at a time; pass --throughput for your serving hardware."
            )
    document = build_report(
        "distill", cost=cost_section, distill=distill_to_dict(result), traffic=traffic_to_dict(log), notes=notes
    )
    if json_path is not None:
        _write_json(document, json_path)
    if not quiet:
        parts = _render_distill(document["distill"], document["traffic"])
        if cost_section is not None:
            parts.extend(_render_cost(cost_section))
        _print(parts, notes, json_path)


def register(app: typer.Typer) -> None:
    app.command("cost")(cost)
    app.command("distill")(distill)
