"""What the cost functions accept, declared once: type, range and the command-line option of each argument.

:func:`~unstuck.cost.estimate.request_volume`, :func:`~unstuck.cost.estimate.token_counts`,
:func:`~unstuck.cost.estimate.cost_report`, :func:`~unstuck.cost.estimate.distill_report`,
:class:`~unstuck.cost.estimate.Pricing` and the distillation itself check the arguments they take
against :data:`COST_PARAMETERS` with :func:`unstuck.arguments.check_arguments`, so a price below 0
or a quality floor above 1 gets the one message that names the argument and its option. What depends
on the traffic (too few lines, a single label) is checked where the traffic is read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from unstuck.arguments import MAX_SEED, Parameter, is_names, is_number, is_numbers, is_whole

__all__ = ["COST_PARAMETERS"]


def _option(name: str, expected: str, accepts: Callable[[Any], bool], example: str, **bounds: Any) -> Parameter:
    """A cost argument: ``unstuck cost`` and ``unstuck distill`` set it with the option of the same name."""
    return Parameter(name, expected, accepts, example, flag=f"--{name.replace('_', '-')}", **bounds)


_SHARE = {"low": 0, "high": 1}

#: What the cost functions and :class:`Pricing` accept, by argument name: types, ranges and the command-line
#: option that sets each. Each function checks the ones it takes.
COST_PARAMETERS: dict[str, Parameter] = {
    p.name: p
    for p in (
        _option("requests", "a number of requests per month", is_number, "requests=50000", low=0),
        _option("growth", "a number (0.3 is +30 % a month)", is_number, "growth=0.3", low=-1, low_open=True),
        _option("months", "a whole number of months", is_whole, "months=24", low=1),
        _option(
            "volumes",
            "a list of monthly request volumes (numbers)",
            is_numbers,
            "volumes=[50000, 80000, 120000]",
            low=0,
        ),
        _option("tokens_in", "a number of prompt tokens per request", is_number, "tokens_in=800", low=0),
        _option("tokens_out", "a number of completion tokens per request", is_number, "tokens_out=150", low=0),
        _option("coverage", "a share of requests (a number from 0 to 1)", is_number, "coverage=0.8", **_SHARE),
        _option("models", "a list of model names (text)", is_names, 'models=["tfidf"]'),
        _option(
            "quality_floor", "a share (a number from 0 to 1)", is_number, "quality_floor=0.97", **_SHARE, low_open=True
        ),
        _option(
            "guarantee",
            "a confidence (a number from 0 to 1)",
            is_number,
            "guarantee=0.95",
            **_SHARE,
            low_open=True,
            high_open=True,
        ),
        # one label is nothing to learn from: a label set has two at least
        _option("max_labels", "a whole number of labels", is_whole, "max_labels=50", low=2),
        _option("seed", "a whole number", is_whole, "seed=0", low=0, high=MAX_SEED),
        _option("api_input_price", "a price per million input tokens", is_number, "api_input_price=2.5", low=0),
        _option("api_output_price", "a price per million output tokens", is_number, "api_output_price=10", low=0),
        _option("small_model_hourly", "a price per hour of one instance", is_number, "small_model_hourly=1.2", low=0),
        _option("throughput", "a number of requests per second", is_number, "throughput=40", low=0, low_open=True),
        _option(
            "utilisation",
            "a share of the throughput (a number from 0 to 1)",
            is_number,
            "utilisation=0.5",
            **_SHARE,
            low_open=True,
        ),
        _option("min_instances", "a whole number of instances", is_whole, "min_instances=1", low=1),
        _option("finetune_gpu_hours", "a number of GPU hours", is_number, "finetune_gpu_hours=8", low=0),
        _option("gpu_hourly", "a price per GPU hour", is_number, "gpu_hourly=2.5", low=0),
        _option("labelling_cost", "an amount of money", is_number, "labelling_cost=0", low=0),
        _option("engineering_days", "a number of days", is_number, "engineering_days=5", low=0),
        _option("daily_rate", "a price per engineering day", is_number, "daily_rate=800", low=0),
        _option("budget", "a monthly budget", is_number, "budget=20000", low=0),
    )
}
