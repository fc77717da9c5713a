"""``unstuck cost`` and ``unstuck distill``: the LLM-API cost curve, distillation, a cascade.

The commands parse their options into the calls of :mod:`unstuck.cost.estimate`
(which decides where each number comes from) and print the document it returns.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from unstuck.cli._console import console, err_console, quiet_callback
from unstuck.cli._cost_render import render_cost, render_distill
from unstuck.cost.estimate import Pricing

if TYPE_CHECKING:
    from rich.console import RenderableType

    from unstuck.cost.estimate import RequestVolume

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


def _volumes(requests: float | None, growth: float, volumes: str | None, months: int) -> RequestVolume:
    from unstuck.cost.estimate import request_volume
    from unstuck.errors import ConfigError

    series: list[float] = []
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
    return request_volume(requests=requests, growth=growth, months=months, volumes=series)


def _missing_prices(api_input_price: float | None, api_output_price: float | None) -> list[str]:
    return [
        flag
        for flag, value in (("--api-input-price", api_input_price), ("--api-output-price", api_output_price))
        if value is None
    ]


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
    from unstuck.cost.estimate import cost_report
    from unstuck.cost.traffic import read_traffic
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
    assert api_input_price is not None and api_output_price is not None and small_model_hourly is not None
    pricing = Pricing(
        api_input_price=api_input_price,
        api_output_price=api_output_price,
        small_model_hourly=small_model_hourly,
        throughput=throughput,
        utilisation=utilisation,
        min_instances=min_instances,
        finetune_gpu_hours=finetune_gpu_hours,
        gpu_hourly=gpu_hourly,
        labelling_cost=labelling_cost,
        engineering_days=engineering_days,
        daily_rate=daily_rate,
        budget=budget,
    )
    log = None
    if traffic is not None:
        log = read_traffic(
            traffic,
            input_field=input_field,
            output_field=output_field,
            tokens_in_field=tokens_in_field,
            tokens_out_field=tokens_out_field,
            skip_bad_lines=skip_bad_lines,
            encoding=encoding,
        )
    document = cost_report(
        pricing,
        _volumes(requests, growth, volumes, months),
        tokens_in=tokens_in,
        tokens_out=tokens_out,
        traffic=log,
        coverage=coverage,
    )
    if json_path is not None:
        _write_json(document, json_path)
    if not quiet:
        _print(render_cost(document["cost"]), document["notes"], json_path)


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
    from unstuck.cost.estimate import distill_report
    from unstuck.cost.traffic import read_traffic

    log = read_traffic(
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
    needed = _missing_prices(api_input_price, api_output_price)
    if small_model_hourly is None:
        needed.append("--small-model-hourly")
    if requests is None and not volumes:
        needed.append("--requests (or --volumes)")
    pricing = volume = None
    notes = []
    if needed:
        notes.append(f"No savings computed: pass {', '.join(needed)} to price the cascade against the API.")
    else:
        assert api_input_price is not None and api_output_price is not None and small_model_hourly is not None
        pricing = Pricing(
            api_input_price=api_input_price,
            api_output_price=api_output_price,
            small_model_hourly=small_model_hourly,
            throughput=throughput,
            utilisation=utilisation,
            min_instances=min_instances,
            finetune_gpu_hours=finetune_gpu_hours,
            gpu_hourly=gpu_hourly,
            labelling_cost=labelling_cost,
            engineering_days=engineering_days,
            daily_rate=daily_rate,
            budget=budget,
        )
        volume = _volumes(requests, growth, volumes, months)
    arguments: dict[str, Any] = {
        "models": None if models is None else models.split(","),
        "quality_floor": quality_floor,
        "guarantee": guarantee,
        "max_labels": max_labels,
        "seed": seed,
        "pricing": pricing,
        "volume": volume,
        "tokens_in": tokens_in,
        "tokens_out": tokens_out,
        "notes": notes,
    }
    if quiet:
        document = distill_report(log, **arguments)
    else:
        with err_console.status("distilling…") as status:
            document = distill_report(log, **arguments, on_step=lambda message: status.update(f"{message}…"))
    if json_path is not None:
        _write_json(document, json_path)
    if not quiet:
        parts = render_distill(document["distill"], document["traffic"])
        if document["cost"] is not None:
            parts.extend(render_cost(document["cost"]))
        _print(parts, document["notes"], json_path)


def register(app: typer.Typer) -> None:
    app.command("cost")(cost)
    app.command("distill")(distill)
