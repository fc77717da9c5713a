"""The cost formulas on hand-computed cases."""

from __future__ import annotations

import pytest

from unstuck.cost.model import (
    HOURS_PER_MONTH,
    SmallModelCosts,
    api_cost_per_request,
    break_even_month,
    budget_crossing_month,
    cascade_bill,
    cost_curve,
    instances_needed,
    run_rate_break_even_volume,
    serving_bill,
    volume_series,
)
from unstuck.errors import ConfigError

# Throughput 10 req/s at 50 % utilisation: q = 10 × 0.5 × 3600 × 730 = 13,140,000 requests/month per instance.
# $2/hour: s = 2 × 730 = $1,460 per instance-month. Engineering 5 days × $1,000: one-off $5,000.
PLAN = SmallModelCosts(instance_hourly=2.0, throughput=10.0, utilisation=0.5, engineering_days=5, daily_rate=1000)
C = 0.0002  # 40 input tokens at $5 per million


def test_api_cost_per_request_by_hand() -> None:
    # (800 × 2.50 + 150 × 10) / 1e6 = 0.0035
    assert api_cost_per_request(800, 150, 2.50, 10) == pytest.approx(0.0035)
    assert api_cost_per_request(40, 0, 5, 100) == pytest.approx(C)


def test_volume_series_compounds() -> None:
    assert volume_series(1000, 0.5, 3) == pytest.approx([1000, 1500, 2250])
    assert volume_series(1000, 0.0, 2) == [1000, 1000]


def test_small_model_quantities() -> None:
    assert PLAN.capacity == pytest.approx(13_140_000)
    assert PLAN.instance_monthly == pytest.approx(1460)
    assert PLAN.one_off == 5000
    assert HOURS_PER_MONTH == 730


def test_instances_and_serving() -> None:
    assert instances_needed(0, PLAN) == 1
    assert instances_needed(13_140_000, PLAN) == 1
    assert instances_needed(13_140_001, PLAN) == 2
    assert instances_needed(40e6, PLAN) == 4
    assert serving_bill(20e6, PLAN) == pytest.approx(2920)


def test_cascade_bill_by_hand() -> None:
    # serving 1 instance $1,460 + 25 % of 10M requests at $0.0002 = $500
    assert cascade_bill(10e6, 0.75, C, PLAN) == pytest.approx(1960)
    assert cascade_bill(10e6, 0.0, C, PLAN) == pytest.approx(1460 + 2000)
    with pytest.raises(ConfigError):
        cascade_bill(10e6, 1.5, C, PLAN)


def test_cost_curve_break_even_budget_and_cascade_by_hand() -> None:
    volumes = [10e6, 20e6, 40e6, 40e6]
    curve = cost_curve(volumes, C, PLAN, coverage=0.75, budget=5000)
    assert curve.api == pytest.approx([2000, 4000, 8000, 8000])
    assert curve.instances == [1, 2, 4, 4]
    assert curve.small_model == pytest.approx([6460, 2920, 5840, 5840])
    # cumulative API 2000, 6000, 14000, 22000; small 6460, 9380, 15220, 21060 -> paid back in month 4
    assert curve.break_even_month == 4
    # API bill 8000 > 5000 first in month 3: two months ahead of month 1
    assert curve.budget_crossing_month == 3
    assert curve.months_ahead == 2
    # cascade: S + 0.25 × API (+ one-off in month 1) = 6960, 3920, 7840, 7840; never below the API cumulatively
    assert curve.cascade == pytest.approx([6960, 3920, 7840, 7840])
    assert curve.cascade_break_even_month is None
    assert curve.totals["api"] == pytest.approx(22000)
    assert curve.totals["savings_small_model"] == pytest.approx(940)
    assert curve.totals["savings_cascade"] == pytest.approx(22000 - 26560)


def test_break_even_and_budget_helpers() -> None:
    assert break_even_month([6, 1, 1], [3, 3, 3]) == 3  # cumulative 6, 7, 8 vs 3, 6, 9
    assert break_even_month([10, 0, 0], [3, 3, 3]) is None  # 10 > 9
    assert break_even_month([5, 5], [5, 5]) == 1  # equal counts as paid back
    assert budget_crossing_month([1, 2, 3], 2) == 3
    assert budget_crossing_month([3], 2) == 1
    assert budget_crossing_month([1, 2], 5) is None


def test_run_rate_break_even_volume_closed_form_and_brute_force() -> None:
    # c q = 2628 > s = 1460; r = 2628 / 1168 = 2.25; V* = (ceil(r) - 1) × s / c = 2 × 1460 / 0.0002
    v_star = run_rate_break_even_volume(C, PLAN)
    assert v_star == pytest.approx(14_600_000)
    # brute force: the small model is never dearer above V*, and is dearer just below it
    for v in range(int(v_star), int(v_star) + 10 * int(PLAN.capacity), 97_001):
        assert serving_bill(v, PLAN) <= C * v + 1e-9
    assert serving_bill(v_star - 1000, PLAN) > C * (v_star - 1000)


def test_run_rate_break_even_none_when_api_cheaper_at_any_scale() -> None:
    # c q = 0.0001 × 13.14M = 1314 < s = 1460: per request the API always wins
    assert run_rate_break_even_volume(0.0001, PLAN) is None
    assert run_rate_break_even_volume(0.0, PLAN) is None


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"instance_hourly": 1.0, "throughput": 0.0}, "throughput"),
        ({"instance_hourly": 1.0, "throughput": 1.0, "utilisation": 0.0}, "utilisation"),
        ({"instance_hourly": -1.0, "throughput": 1.0}, "instance price"),
        ({"instance_hourly": 1.0, "throughput": 1.0, "min_instances": 0}, "instance"),
    ],
)
def test_small_model_costs_reject_bad_values(kwargs: dict[str, float], words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        SmallModelCosts(**kwargs)  # type: ignore[arg-type]


def test_bad_volumes_and_prices() -> None:
    with pytest.raises(ConfigError):
        volume_series(1000, -1.0, 3)
    with pytest.raises(ConfigError):
        volume_series(1000, 0.1, 0)
    with pytest.raises(ConfigError):
        api_cost_per_request(-1, 0, 1, 1)
    with pytest.raises(ConfigError):
        cost_curve([], C, PLAN)
    tiny = cost_curve([1.0], C, PLAN)
    assert tiny.break_even_month is None
    assert tiny.budget_crossing_month is None
