"""Pure cost formulas: LLM API vs a fine-tuned small model vs a cascade of the two.

Units: money in the user's currency (USD in the examples), prices of API tokens per
**million** tokens, instance and GPU prices per **hour**, throughput in **requests per
second per instance**, volumes in **requests per month**. A month is
``HOURS_PER_MONTH = 730`` hours (365 × 24 / 12), the convention cloud price lists use.

The formulas (every function below says which one it computes):

- API cost per request: ``c = (tokens_in × p_in + tokens_out × p_out) / 1e6``.
- Volume in month ``m`` (1-based) with compound monthly growth ``g``: ``V_m = V_1 × (1 + g)^(m-1)``,
  or a series the user gives.
- API bill: ``A_m = c × V_m``.
- Small-model one-off cost: ``F = gpu_hours × gpu_hourly + labelling + engineering_days × daily_rate``.
- Requests one instance serves per month: ``q = throughput × utilisation × 3600 × 730``.
- Instances needed: ``n(V) = max(min_instances, ceil(V / q))``; serving bill ``S(V) = n(V) × hourly × 730``.
- Small-model bill: ``M_m = S(V_m)``, plus ``F`` in month 1.
- Cascade (small model scores every request and answers those it is confident about, a share
  ``coverage``; the API answers the rest): ``C_m = S(V_m) + (1 - coverage) × c × V_m``, plus ``F`` in month 1.
- Break-even month: the first month whose cumulative small-model (or cascade) cost is at most the
  cumulative API cost, i.e. the month the one-off cost has been paid back.
- Run-rate break-even volume: the monthly volume above which the small model's monthly bill is never
  above the API's (see :func:`run_rate_break_even_volume` for the closed form).
- Budget crossing: the first month whose API bill exceeds the monthly budget; ``months_ahead = month - 1``
  (0 = over budget already in the first month).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from unstuck.errors import ConfigError

__all__ = [
    "HOURS_PER_MONTH",
    "SECONDS_PER_MONTH",
    "CostCurve",
    "SmallModelCosts",
    "SmallModelPlan",
    "api_cost_per_request",
    "break_even_month",
    "budget_crossing_month",
    "cascade_bill",
    "cost_curve",
    "instances_needed",
    "run_rate_break_even_volume",
    "serving_bill",
    "volume_series",
]

#: Hours in a month: 365 × 24 / 12.
HOURS_PER_MONTH = 730.0
#: Seconds in a month of ``HOURS_PER_MONTH`` hours.
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600.0


def _nonnegative(name: str, value: float, option: str) -> None:
    if not math.isfinite(value) or value < 0:
        raise ConfigError(f"{name} must be a finite number ≥ 0; got {value}.", f"Pass a value ≥ 0 to {option}.")


def api_cost_per_request(tokens_in: float, tokens_out: float, input_price: float, output_price: float) -> float:
    """API cost of one request: ``(tokens_in × input_price + tokens_out × output_price) / 1e6``.

    Parameters
    ----------
    tokens_in, tokens_out:
        Mean prompt and completion tokens per request.
    input_price, output_price:
        Price per **million** input / output tokens.
    """
    _nonnegative("Input tokens per request", tokens_in, "--tokens-in")
    _nonnegative("Output tokens per request", tokens_out, "--tokens-out")
    _nonnegative("The API input price", input_price, "--api-input-price")
    _nonnegative("The API output price", output_price, "--api-output-price")
    return (tokens_in * input_price + tokens_out * output_price) / 1e6


def volume_series(requests: float, growth: float, months: int) -> list[float]:
    """Monthly request volumes ``V_m = requests × (1 + growth)^(m-1)`` for ``m = 1..months``.

    ``growth`` is the compound growth per month (0.3 = +30 % a month); it may be negative
    (shrinking traffic) but not ≤ -1.
    """
    _nonnegative("The monthly request volume", requests, "--requests")
    if not math.isfinite(growth) or growth <= -1:
        raise ConfigError(
            f"The monthly growth must be > -1; got {growth}.", "Pass e.g. --growth 0.3 for +30 % a month."
        )
    if months < 1:
        raise ConfigError(f"The horizon must be at least one month; got {months}.", "Pass --months 24 or similar.")
    return [requests * (1.0 + growth) ** (m - 1) for m in range(1, months + 1)]


@dataclass(frozen=True)
class SmallModelCosts:
    """What a fine-tuned small model costs: once, and per month of serving.

    Attributes
    ----------
    instance_hourly:
        Price of one serving instance per hour.
    throughput:
        Requests per second one instance handles (measured by ``unstuck distill`` or given).
    utilisation:
        Share of that throughput usable on average (traffic is bursty); in (0, 1].
    gpu_hours, gpu_hourly:
        Fine-tuning compute: hours and price per hour.
    labelling:
        One-off labelling cost (0 when the LLM's own answers are the labels).
    engineering_days, daily_rate:
        Engineering time to build and ship the small model, and its price per day.
    min_instances:
        Instances kept running even at low volume (1 = always one up).
    """

    instance_hourly: float
    throughput: float
    utilisation: float = 0.5
    gpu_hours: float = 0.0
    gpu_hourly: float = 0.0
    labelling: float = 0.0
    engineering_days: float = 0.0
    daily_rate: float = 0.0
    min_instances: int = 1

    def __post_init__(self) -> None:
        _nonnegative("The small model's instance price", self.instance_hourly, "--small-model-hourly")
        if not math.isfinite(self.throughput) or self.throughput <= 0:
            raise ConfigError(
                f"The small model's throughput must be > 0 requests per second; got {self.throughput}.",
                "Pass --throughput (requests/s per instance), or let `unstuck distill` measure it.",
            )
        if not (0 < self.utilisation <= 1):
            raise ConfigError(
                f"The utilisation must be in (0, 1]; got {self.utilisation}.",
                "Pass e.g. --utilisation 0.5 (instances busy half the time on average).",
            )
        _nonnegative("Fine-tuning GPU hours", self.gpu_hours, "--finetune-gpu-hours")
        _nonnegative("The GPU price", self.gpu_hourly, "--gpu-hourly")
        _nonnegative("The labelling cost", self.labelling, "--labelling-cost")
        _nonnegative("Engineering days", self.engineering_days, "--engineering-days")
        _nonnegative("The engineering daily rate", self.daily_rate, "--daily-rate")
        if self.min_instances < 1:
            raise ConfigError(
                f"At least one instance must run; got min_instances={self.min_instances}.", "Pass --min-instances 1."
            )

    @property
    def one_off(self) -> float:
        """``F = gpu_hours × gpu_hourly + labelling + engineering_days × daily_rate``."""
        return self.gpu_hours * self.gpu_hourly + self.labelling + self.engineering_days * self.daily_rate

    @property
    def instance_monthly(self) -> float:
        """One instance for a month: ``hourly × 730``."""
        return self.instance_hourly * HOURS_PER_MONTH

    @property
    def capacity(self) -> float:
        """Requests one instance serves per month: ``q = throughput × utilisation × 3600 × 730``."""
        return self.throughput * self.utilisation * SECONDS_PER_MONTH


# The old name: "plan" now means only the project plan (``unstuck plan``); kept for callers of it.
SmallModelPlan = SmallModelCosts


def instances_needed(volume: float, small_model: SmallModelCosts) -> int:
    """Instances for ``volume`` requests a month: ``max(min_instances, ceil(volume / q))``."""
    return max(small_model.min_instances, math.ceil(volume / small_model.capacity - 1e-12))


def serving_bill(volume: float, small_model: SmallModelCosts) -> float:
    """Monthly serving bill of the small model: ``instances_needed(volume) × hourly × 730``."""
    return instances_needed(volume, small_model) * small_model.instance_monthly


def cascade_bill(volume: float, coverage: float, api_per_request: float, small_model: SmallModelCosts) -> float:
    """Monthly bill of a cascade: ``S(volume) + (1 - coverage) × api_per_request × volume``.

    The small model scores every request (so it is sized for the whole volume); the API
    answers the share ``1 - coverage`` the small model is not confident about.
    """
    if not (0.0 <= coverage <= 1.0):
        raise ConfigError(f"The cascade coverage must be in [0, 1]; got {coverage}.", "Pass e.g. --coverage 0.8.")
    return serving_bill(volume, small_model) + (1.0 - coverage) * api_per_request * volume


def run_rate_break_even_volume(api_per_request: float, small_model: SmallModelCosts) -> float | None:
    """The monthly volume above which the small model's monthly bill never exceeds the API's.

    With ``c`` the API cost per request, ``s`` one instance's monthly price, ``q`` its monthly
    capacity and ``m0`` the minimum instances: if ``c × q ≤ s`` the API stays cheaper per
    request at any scale and there is no break-even (``None``). Otherwise the bill ``S(V)``
    steps up by ``s`` at every multiple of ``q``, and the volumes where the small model is
    dearer are those just above a step while ``k × s > (k - 1) × c × q``, i.e. for step counts
    ``k < r = c q / (c q - s)``. The answer is

        ``V* = max(m0, ceil(r) - 1) × s / c``.

    Returns
    -------
    Requests per month, or ``None`` when the small model never becomes cheaper.
    """
    c, s, q = api_per_request, small_model.instance_monthly, small_model.capacity
    if s == 0:
        return 0.0
    if c <= 0 or c * q <= s:
        return None
    r = c * q / (c * q - s)
    return max(small_model.min_instances, math.ceil(r - 1e-12) - 1) * s / c


def break_even_month(alternative: Sequence[float], api: Sequence[float]) -> int | None:
    """First month (1-based) where ``sum(alternative[:m]) ≤ sum(api[:m])``; ``None`` within the horizon."""
    total_alt = total_api = 0.0
    for month, (a, b) in enumerate(zip(alternative, api, strict=True), start=1):
        total_alt += a
        total_api += b
        if total_alt <= total_api + 1e-9:
            return month
    return None


def budget_crossing_month(api: Sequence[float], budget: float) -> int | None:
    """First month (1-based) whose API bill exceeds the monthly ``budget``; ``None`` within the horizon."""
    for month, bill in enumerate(api, start=1):
        if bill > budget:
            return month
    return None


@dataclass(frozen=True)
class CostCurve:
    """Monthly bills over a horizon and what they imply.

    Lists are indexed by month - 1. ``cascade`` is empty when no coverage was given.
    """

    volumes: list[float]
    api_per_request: float
    api: list[float]
    small_model: list[float]
    cascade: list[float]
    instances: list[int]
    one_off: float
    coverage: float | None
    budget: float | None
    break_even_month: int | None
    cascade_break_even_month: int | None
    run_rate_break_even_volume: float | None
    budget_crossing_month: int | None
    totals: dict[str, float | None] = field(default_factory=dict)

    @property
    def months_ahead(self) -> int | None:
        """Months from the first month until the API bill crosses the budget (0 = already over)."""
        return None if self.budget_crossing_month is None else self.budget_crossing_month - 1


def cost_curve(
    volumes: Sequence[float],
    api_per_request: float,
    small_model: SmallModelCosts,
    *,
    coverage: float | None = None,
    budget: float | None = None,
) -> CostCurve:
    """Monthly API, small-model and cascade bills for ``volumes`` (requests per month, month 1 first).

    The one-off cost ``small_model.one_off`` is paid in month 1 by the small model and by the cascade.
    ``totals`` holds the sums over the horizon and the savings ``api - small_model`` and
    ``api - cascade`` (negative when the alternative costs more).
    """
    if not volumes:
        raise ConfigError("The volume series is empty.", "Pass --requests (and --growth) or a non-empty --volumes.")
    for v in volumes:
        _nonnegative("A monthly request volume", v, "--requests / --volumes")
    if budget is not None:
        _nonnegative("The monthly budget", budget, "--budget")
    api = [api_per_request * v for v in volumes]
    small = [serving_bill(v, small_model) for v in volumes]
    small[0] += small_model.one_off
    casc: list[float] = []
    if coverage is not None:
        casc = [cascade_bill(v, coverage, api_per_request, small_model) for v in volumes]
        casc[0] += small_model.one_off
    totals: dict[str, float | None] = {
        "api": sum(api),
        "small_model": sum(small),
        "cascade": sum(casc) if casc else None,
        "savings_small_model": sum(api) - sum(small),
        "savings_cascade": sum(api) - sum(casc) if casc else None,
    }
    return CostCurve(
        volumes=list(volumes),
        api_per_request=api_per_request,
        api=api,
        small_model=small,
        cascade=casc,
        instances=[instances_needed(v, small_model) for v in volumes],
        one_off=small_model.one_off,
        coverage=coverage,
        budget=budget,
        break_even_month=break_even_month(small, api),
        cascade_break_even_month=break_even_month(casc, api) if casc else None,
        run_rate_break_even_volume=run_rate_break_even_volume(api_per_request, small_model),
        budget_crossing_month=budget_crossing_month(api, budget) if budget is not None else None,
        totals=totals,
    )
