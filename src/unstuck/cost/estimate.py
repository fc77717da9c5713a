"""Where a cost estimate's numbers come from, and the ``unstuck.cost/1`` documents built from them.

A cost estimate needs token counts, a request volume and prices. Token counts come
from the caller (``given``), else from the provider's counts in a traffic file
(``measured``), else from the traffic's text (``approximated``, see
:mod:`unstuck.cost.tokens`); :func:`token_counts` decides, and says which. The volume
is a month-by-month series the caller gives, or a starting volume with compound
growth (:func:`request_volume`).

>>> from unstuck.cost.estimate import Pricing, cost_report, request_volume
>>> pricing = Pricing(api_input_price=2.5, api_output_price=10, small_model_hourly=1.2, throughput=40)
>>> document = cost_report(pricing, request_volume(requests=50_000, growth=0.3), tokens_in=800, tokens_out=150)
>>> document["cost"]["break_even"]["month"]
11

``unstuck cost`` and ``unstuck distill`` parse their options into these calls and
print the document; the assistant's ``cost`` tool calls :func:`cost_report` too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Literal

from unstuck.arguments import check_arguments
from unstuck.cost.parameters import COST_PARAMETERS
from unstuck.errors import ConfigError

if TYPE_CHECKING:
    from unstuck.cost.distill import DistillResult
    from unstuck.cost.model import CostCurve, SmallModelCosts
    from unstuck.cost.traffic import Traffic

__all__ = [
    "CostEstimate",
    "Pricing",
    "RequestVolume",
    "TokenCounts",
    "choose_models",
    "cost_report",
    "distill_report",
    "estimate_cost",
    "request_volume",
    "token_counts",
]

TokenSource = Literal["given", "measured", "approximated"]

APPROXIMATED_NOTE = (
    "Token counts approximated offline (1 token ≈ 4 characters, CJK 1 each); pass --tokens-in-field/"
    "--tokens-out-field with your provider's counts for exact numbers."
)
GIVEN_OVER_TRAFFIC_NOTE = "Token counts from --tokens-in/--tokens-out, not from the traffic file."
NO_ONE_OFF_NOTE = (
    "One-off cost is 0: add --finetune-gpu-hours/--gpu-hourly, --engineering-days/--daily-rate and "
    "--labelling-cost for a fair break-even."
)


@dataclass(frozen=True)
class Pricing:
    """What the LLM API and the small model cost, in one currency.

    API prices are per million tokens; ``small_model_hourly`` is one serving instance's
    price per hour, ``throughput`` the requests per second one instance serves (None:
    :func:`distill_report` measures it), ``utilisation`` the share of that throughput
    used on average, ``min_instances`` the instances always running. The one-off cost
    of switching is ``finetune_gpu_hours`` x ``gpu_hourly`` + ``labelling_cost`` +
    ``engineering_days`` x ``daily_rate``. ``budget`` is the monthly budget for the API
    bill (None: none).
    """

    api_input_price: float
    api_output_price: float
    small_model_hourly: float
    throughput: float | None = None
    utilisation: float = 0.5
    min_instances: int = 1
    finetune_gpu_hours: float = 0.0
    gpu_hourly: float = 0.0
    labelling_cost: float = 0.0
    engineering_days: float = 0.0
    daily_rate: float = 0.0
    budget: float | None = None

    def __post_init__(self) -> None:
        # each field is declared in COST_PARAMETERS, under its own name
        given = {f.name: getattr(self, f.name) for f in fields(self)}
        check_arguments(given, COST_PARAMETERS, entry="unstuck.cost.estimate.Pricing")

    def small_model(self, throughput: float) -> SmallModelCosts:
        """What the small model costs to switch to and to serve at ``throughput`` requests/s per instance."""
        from unstuck.cost.model import SmallModelCosts

        return SmallModelCosts(
            instance_hourly=self.small_model_hourly,
            throughput=throughput,
            utilisation=self.utilisation,
            min_instances=self.min_instances,
            gpu_hours=self.finetune_gpu_hours,
            gpu_hourly=self.gpu_hourly,
            labelling=self.labelling_cost,
            engineering_days=self.engineering_days,
            daily_rate=self.daily_rate,
        )


@dataclass(frozen=True)
class RequestVolume:
    """Requests per month over the horizon, month 1 first, and where the series came from.

    ``source`` is ``"series"`` (given month by month; ``growth`` is None) or ``"growth"``
    (``requests`` in month 1 growing by ``growth`` a month for ``months`` months).
    """

    series: tuple[float, ...]
    source: Literal["series", "growth"]
    requests: float
    growth: float | None
    months: int

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "requests": self.requests, "growth": self.growth, "months": self.months}


def request_volume(
    *, requests: float | None = None, growth: float = 0.0, months: int = 24, volumes: Sequence[float] = ()
) -> RequestVolume:
    """The monthly volume: ``volumes`` month by month when given, else ``requests`` with compound ``growth``.

    Raises :class:`~unstuck.errors.ConfigError` when neither is given, and for an argument of the wrong
    type or out of range (:data:`COST_PARAMETERS`).
    """
    from unstuck.cost.model import volume_series

    given: dict[str, Any] = {"requests": requests, "growth": growth, "months": months, "volumes": volumes}
    check_arguments(given, COST_PARAMETERS, entry="unstuck.cost.estimate.request_volume")
    if volumes:
        series = tuple(float(v) for v in volumes)
        return RequestVolume(series, "series", series[0], None, len(series))
    if requests is None:
        raise ConfigError(
            "No request volume: the cost curve needs --requests (per month) or --volumes.",
            "Pass e.g. --requests 50000 --growth 0.3, or --volumes 50000,80000,120000 "
            "(requests= or volumes= in Python).",
        )
    return RequestVolume(tuple(volume_series(requests, growth, months)), "growth", requests, growth, months)


@dataclass(frozen=True)
class TokenCounts:
    """Mean input and output tokens per request, their source, and a note for the reader (or None)."""

    tokens_in: float
    tokens_out: float
    source: TokenSource
    note: str | None = None


def token_counts(
    traffic: Traffic | None = None, *, tokens_in: float | None = None, tokens_out: float | None = None
) -> TokenCounts:
    """Mean tokens per request: given numbers win, then the provider's counts in ``traffic``, then its text.

    A count not given is taken from ``traffic``: its ``tokens_in``/``tokens_out``
    columns (the provider's counts, ``measured``) when it has them, else approximated
    from the text (:func:`unstuck.cost.tokens.mean_tokens`). The source is
    ``approximated`` when either count is.
    """
    from unstuck.cost.tokens import mean_tokens

    check_arguments(
        {"tokens_in": tokens_in, "tokens_out": tokens_out}, COST_PARAMETERS, entry="unstuck.cost.estimate.token_counts"
    )
    if tokens_in is not None and tokens_out is not None:
        note = GIVEN_OVER_TRAFFIC_NOTE if traffic is not None else None
        return TokenCounts(float(tokens_in), float(tokens_out), "given", note)
    if traffic is None:
        raise ConfigError(
            "No token counts: the API cost needs --tokens-in and --tokens-out, or a traffic file to measure them.",
            "Pass e.g. --tokens-in 800 --tokens-out 150, or --traffic traffic.jsonl.",
        )
    frame = traffic.frame
    measured: list[bool] = []

    def mean(given: float | None, column: str, text: str) -> float:
        if given is not None:
            return float(given)
        measured.append(column in frame.columns)
        return float(frame[column].mean()) if column in frame.columns else mean_tokens(frame[text])

    counted_in = mean(tokens_in, "tokens_in", "input")
    counted_out = mean(tokens_out, "tokens_out", "output")
    if all(measured):
        return TokenCounts(counted_in, counted_out, "measured")
    return TokenCounts(counted_in, counted_out, "approximated", APPROXIMATED_NOTE)


@dataclass(frozen=True)
class CostEstimate:
    """The cost curve and its ``cost`` section of ``unstuck.cost/1``, with the notes for the reader."""

    curve: CostCurve
    section: dict[str, Any]
    notes: tuple[str, ...] = field(default=())


def estimate_cost(
    pricing: Pricing,
    volume: RequestVolume,
    tokens: TokenCounts,
    *,
    coverage: float | None = None,
    coverage_source: str | None = None,
    throughput_source: str = "given",
) -> CostEstimate:
    """Monthly bills of the API, the small model and (with ``coverage``) a cascade; break-even, budget, totals.

    ``coverage`` is the share of requests a cascade's small model answers;
    ``coverage_source`` and ``throughput_source`` say where the numbers came from
    (``given`` or ``measured``), for the report.
    """
    from unstuck.cost.model import api_cost_per_request, cost_curve
    from unstuck.cost.report import cost_to_dict

    if pricing.throughput is None:
        raise ConfigError(
            "The small model's throughput is unknown.",
            "Pass --throughput (throughput= in Python): requests per second one instance serves.",
        )
    per_request = api_cost_per_request(
        tokens.tokens_in, tokens.tokens_out, pricing.api_input_price, pricing.api_output_price
    )
    small = pricing.small_model(pricing.throughput)
    curve = cost_curve(list(volume.series), per_request, small, coverage=coverage, budget=pricing.budget)
    section = cost_to_dict(
        curve,
        small,
        input_price=pricing.api_input_price,
        output_price=pricing.api_output_price,
        tokens_in=tokens.tokens_in,
        tokens_out=tokens.tokens_out,
        tokens_source=tokens.source,
        throughput_source=throughput_source,
        volume=volume.to_dict(),
        coverage_source=coverage_source,
    )
    return CostEstimate(curve, section, (tokens.note,) if tokens.note else ())


def cost_report(
    pricing: Pricing,
    volume: RequestVolume,
    *,
    tokens_in: float | None = None,
    tokens_out: float | None = None,
    traffic: Traffic | None = None,
    coverage: float | None = None,
) -> dict[str, Any]:
    """The ``unstuck.cost/1`` document of ``unstuck cost``: LLM API vs a fine-tuned small model.

    Token counts as :func:`token_counts` resolves them; ``coverage`` (given) adds a cascade.
    """
    from unstuck.cost.report import build_report, traffic_to_dict

    check_arguments({"coverage": coverage}, COST_PARAMETERS, entry="unstuck.cost.estimate.cost_report")
    estimate = estimate_cost(
        pricing,
        volume,
        token_counts(traffic, tokens_in=tokens_in, tokens_out=tokens_out),
        coverage=coverage,
        coverage_source="given" if coverage is not None else None,
    )
    notes = list(estimate.notes)
    if estimate.section["small_model"]["one_off"] == 0:
        notes.append(NO_ONE_OFF_NOTE)
    return build_report(
        "cost", cost=estimate.section, traffic=traffic_to_dict(traffic) if traffic is not None else None, notes=notes
    )


def choose_models(models: Sequence[str] | None) -> tuple[list[str], dict[str, str]]:
    """The small models to train, cheapest first, and those left out with why.

    None means TF-IDF, plus MiniLM when the optional ``text`` extra is installed.
    """
    from unstuck.cost.small_models import MODELS, TEXT_EXTRA_INSTALL, text_extra_missing

    if models is None:
        missing = text_extra_missing()
        if missing:
            why = f"the optional 'text' extra is not installed ({', '.join(missing)}): {TEXT_EXTRA_INSTALL}"
            return ["tfidf"], {"minilm": why}
        return ["tfidf", "minilm"], {}
    chosen = [m.strip().lower() for m in models if m.strip()]
    unknown = [m for m in chosen if m not in MODELS]
    if unknown or not chosen:
        raise ConfigError(
            f"Unknown small model(s) in --models: {', '.join(unknown) or '(none)'}.",
            f"Choose from: {', '.join(MODELS)} (comma-separated, e.g. --models tfidf,minilm).",
        )
    return sorted(set(chosen), key=list(MODELS).index), {}


def distill_report(
    traffic: Traffic,
    *,
    models: Sequence[str] | None = None,
    quality_floor: float = 0.97,
    guarantee: float | None = None,
    max_labels: int = 50,
    seed: int = 0,
    pricing: Pricing | None = None,
    volume: RequestVolume | None = None,
    tokens_in: float | None = None,
    tokens_out: float | None = None,
    notes: Sequence[str] = (),
    on_step: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The ``unstuck.cost/1`` document of ``unstuck distill``: small models vs the LLM, a cascade, its savings.

    The small models (:func:`choose_models`) learn the LLM's answers in ``traffic`` and
    are judged on held-out traffic; the best one's cascade is priced against the API
    when both ``pricing`` and ``volume`` are given, with the cascade's measured
    coverage and, unless ``pricing`` has one, the throughput measured here. ``notes`` go
    first among the document's notes.
    """
    from unstuck.cost.distill import distill

    given = {"models": models, "quality_floor": quality_floor, "guarantee": guarantee}
    given |= {"max_labels": max_labels, "seed": seed, "tokens_in": tokens_in, "tokens_out": tokens_out}
    check_arguments(given, COST_PARAMETERS, entry="unstuck.cost.estimate.distill_report")
    from unstuck.cost.report import build_report, distill_to_dict, traffic_to_dict

    chosen, skipped = choose_models(models)
    result = distill(
        traffic,
        models=chosen,
        floor=quality_floor,
        seed=seed,
        max_labels=max_labels,
        guarantee=guarantee,
        on_step=on_step,
    )
    result = replace(result, skipped_models=skipped)
    section, notes = None, list(notes)
    if pricing is not None and volume is not None:
        tokens = token_counts(traffic, tokens_in=tokens_in, tokens_out=tokens_out)
        estimate = _price_cascade(result, pricing, volume, tokens)
        section = estimate.section
        notes.extend(estimate.notes)
    return build_report(
        "distill", cost=section, distill=distill_to_dict(result), traffic=traffic_to_dict(traffic), notes=notes
    )


def _price_cascade(result: DistillResult, pricing: Pricing, volume: RequestVolume, tokens: TokenCounts) -> CostEstimate:
    best = result.best
    measured = pricing.throughput is None
    if measured:
        if not math.isfinite(best.throughput):
            raise ConfigError("The small model's throughput could not be measured.", "Pass --throughput.")
        pricing = replace(pricing, throughput=best.throughput)
    estimate = estimate_cost(
        pricing,
        volume,
        tokens,
        coverage=best.cascade.test.coverage,
        coverage_source="measured",
        throughput_source="measured" if measured else "given",
    )
    if not measured:
        return estimate
    note = (
        f"Throughput {best.throughput:,.0f} requests/s measured for {best.description} on this machine, "
        "one request at a time; pass --throughput for your serving hardware."
    )
    return replace(estimate, notes=(*estimate.notes, note))
