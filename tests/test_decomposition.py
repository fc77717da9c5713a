"""The seed tables of the method, in predictions mode: exact errors and exact verdicts."""

from __future__ import annotations

import pytest

from conftest import planted_predictions
from unstuck.context import Context
from unstuck.decomposition import decompose
from unstuck.metrics import METRICS, estimate_error
from unstuck.pipeline import diagnose_problem
from unstuck.problem import Problem

CASES = [
    # (human, errors per split, dominant gaps, report bottleneck)
    (0.01, {"train": 0.05, "dev": 0.06}, {"avoidable_bias"}, "avoidable_bias"),
    (0.01, {"train": 0.02, "dev": 0.06}, {"variance"}, "variance"),
    (0.01, {"train": 0.05, "dev": 0.10}, {"avoidable_bias", "variance"}, "variance"),
    (0.01, {"train": 0.02, "train_dev": 0.021, "dev": 0.10}, {"data_mismatch"}, "data_mismatch"),
    (0.01, {"train": 0.015, "dev": 0.02, "test": 0.07}, {"dev_overfit"}, "dev_overfit"),
]


@pytest.mark.parametrize(("human", "errors", "dominant", "bottleneck"), CASES)
def test_seed_tables(human: float, errors: dict[str, float], dominant: set[str], bottleneck: str) -> None:
    problem = Problem.from_predictions(planted_predictions(errors), human_error=human)
    report = diagnose_problem(problem)
    for split, rate in errors.items():
        assert report.errors[split] == pytest.approx(rate)
    assert report.errors["human"] == human
    assert report.decomposition["avoidable_bias"] == pytest.approx(errors["train"] - human)
    assert set(report.sections["decomposition"]["dominant"]) == dominant
    assert report.bottleneck == bottleneck
    warned = {f.id.split(".")[1] for f in report.findings if f.check == "decomposition" and f.severity == "warning"}
    assert warned == dominant


def test_gap_values_follow_the_definitions() -> None:
    errors = {"train": 0.05, "train_dev": 0.07, "dev": 0.10, "test": 0.12}
    report = diagnose_problem(Problem.from_predictions(planted_predictions(errors), human_error=0.01))
    assert report.decomposition == pytest.approx(
        {"avoidable_bias": 0.04, "variance": 0.02, "data_mismatch": 0.03, "dev_overfit": 0.02}
    )


def test_a_small_gap_on_few_rows_is_noise_not_a_bottleneck() -> None:
    # 0.5-point gap on 200 rows per split: far inside the bootstrap noise.
    errors = {"train": 0.10, "dev": 0.105}
    report = diagnose_problem(Problem.from_predictions(planted_predictions(errors, n=200), human_error=0.10))
    variance = report.sections["decomposition"]["components"]["variance"]
    assert variance["significant"] is False
    assert report.bottleneck == "none"
    assert all(f.severity == "info" for f in report.findings)


def test_unknown_human_error_is_said_with_how_to_supply_it() -> None:
    report = diagnose_problem(Problem.from_predictions(planted_predictions({"train": 0.05, "dev": 0.06})))
    assert report.decomposition["avoidable_bias"] is None
    finding = report.finding("decomposition.human_unknown")
    assert finding is not None and "--human-error" in finding.evidence["how_to_supply"]


def test_variance_without_train_dev_says_it_mixes_mismatch() -> None:
    problem = Problem.from_predictions(planted_predictions({"train": 0.02, "dev": 0.06}), human_error=0.01)
    gap = Context(problem).decomposition.gaps["variance"]
    assert gap is not None and "mixes variance and data mismatch" in gap.note


def test_interval_contains_the_truth_and_narrows_with_n() -> None:
    metric = METRICS["error_rate"]
    small = planted_predictions({"dev": 0.1}, n=200)
    large = planted_predictions({"dev": 0.1}, n=20000)
    e_small = estimate_error(metric, small.y_true.to_numpy(), small.y_pred.to_numpy())
    e_large = estimate_error(metric, large.y_true.to_numpy(), large.y_pred.to_numpy())
    for e in (e_small, e_large):
        assert e.interval[0] < 0.1 < e.interval[1]
    width = lambda e: e.interval[1] - e.interval[0]  # noqa: E731
    # Binomial standard error scales with 1/sqrt(n): 100x the rows, ~10x narrower.
    assert 7 < width(e_small) / width(e_large) < 13


def test_decompose_with_human_only_and_dev_from_train() -> None:
    metric = METRICS["error_rate"]
    data = planted_predictions({"train": 0.05, "dev": 0.09})
    errors = {s: estimate_error(metric, g.y_true.to_numpy(), g.y_pred.to_numpy()) for s, g in data.groupby("split")}
    parts = decompose(errors, human=0.02, dev_from_train=True)
    assert parts.values()["avoidable_bias"] == pytest.approx(0.03)
    assert parts.values()["variance"] == pytest.approx(0.04)
    assert parts.values()["data_mismatch"] is None
    assert "carved from train" in parts.missing["data_mismatch"]


def test_expected_gain_is_capped_at_the_dev_error_above_human() -> None:
    # Variance 5 points measured on train-dev, but dev error is only 3% (human 1%): at most 2 points to gain.
    errors = {"train": 0.0, "train_dev": 0.05, "dev": 0.03}
    report = diagnose_problem(Problem.from_predictions(planted_predictions(errors), human_error=0.01))
    variance = report.finding("decomposition.variance")
    assert variance is not None and variance.evidence["gap"] == pytest.approx(0.05)
    assert variance.expected_gain == pytest.approx(0.02)
