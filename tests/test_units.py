"""How numbers are written: one module, the same text wherever a report, a verdict or a plan shows a number."""

from __future__ import annotations

import pytest

from unstuck.metrics import metric_for
from unstuck.units import metric_gap, metric_value, percent, points, significant


def test_percent_and_points() -> None:
    assert percent(0.1234) == "12.3%"
    assert percent(0.1234, 0) == "12%"
    assert percent(0.0005, 2) == "0.05%"
    assert points(0.041) == "4.1 points"
    assert points(0.041, word="pts", signed=True) == "+4.1 pts"
    assert points(-0.041, word="pts", signed=True) == "-4.1 pts"


def test_significant_digits() -> None:
    assert significant(0.012345) == "0.0123"
    assert significant(1234.5, 4) == "1234"
    assert significant(0.5, signed=True) == "+0.5"
    assert significant(1e-7) == "1e-07"


@pytest.mark.parametrize(("metric", "value", "gap"), [("error_rate", "4.1%", "4.1 points"), ("rmse", "0.041", "0.041")])
def test_metric_units_and_the_metric_type_agree(metric: str, value: str, gap: str) -> None:
    assert metric_value(metric, 0.041) == value
    assert metric_gap(metric, 0.041) == gap
    task = "classification" if metric == "error_rate" else "regression"
    chosen = metric_for(task, metric)
    assert chosen.format(0.041) == value and chosen.format_gap(0.041) == gap


def test_report_precision_is_four_digits_with_signed_gaps() -> None:
    assert metric_value("rmse", 1.234567, digits=4) == "1.235"
    assert metric_gap("rmse", 0.25, digits=4, signed=True) == "+0.25"
    assert metric_gap("error_rate", 0.023, digits=4, word="pts", signed=True) == "+2.3 pts"


def test_floating_point_residue_reads_as_no_difference() -> None:
    from unstuck.units import metric_gap

    # a flat forecast's "gain" is the residue of subtracting two nearly equal numbers
    assert metric_gap("rmse", 1.11e-16) == "0" and metric_gap("rmse", 9.4e-10) == "0"
    assert metric_gap("error_rate", -2e-17) == "0.0 points"
    assert metric_gap("rmse", 0.0123) == "0.0123"
