"""The learning_curve check: its forecast against the truth on planted data, and its verdicts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from unstuck import curves
from unstuck.baselines import fit_ladder, make_baseline
from unstuck.checks.learning_curve import MAX_CURVE_ROWS, _plan, forecast_at, nested_order, verdict
from unstuck.context import Context
from unstuck.problem import Problem
from unstuck.registry import registered_checks
from unstuck.runner import RunResult, run_checks

SPEC = [s for s in registered_checks() if s.name == "learning_curve"]
WEIGHTS = np.random.default_rng(99).normal(size=40)


def linear_rows(n: int, d: int, noise: float, seed: int) -> pd.DataFrame:
    """A logistic-model classification table: label = sign(x·w + noise·logistic)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    label = np.where(x @ WEIGHTS[:d] + noise * rng.logistic(size=n) > 0, "a", "b")
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(d)])
    frame["y"] = label
    return frame


def run_curve(problem: Problem) -> tuple[Context, RunResult]:
    ctx = Context(problem)
    # Keep the test fast: a ladder of trivial + linear only (Context.ladder is a cached property).
    ctx.__dict__["ladder"] = fit_ladder(problem, names=("trivial", "linear"))
    return ctx, run_checks(problem, ctx, checks=SPEC)


def test_more_data_forecast_matches_training_on_twice_the_data() -> None:
    d, noise = 40, 0.5
    pool = linear_rows(12_000, d, noise, seed=1)
    dev = linear_rows(4000, d, noise, seed=2)
    problem = Problem.from_frames(pool.iloc[:1500], dev=dev, train_dev=linear_rows(500, d, noise, 3), target="y")
    _, result = run_curve(problem)
    assert result.skipped == ()
    finding = next(
        f for f in result.findings if f.id.startswith("learning_curve.") and f.id != "learning_curve.which_data"
    )
    assert finding.id == "learning_curve.more_data"
    assert finding.lever == "more_data" and finding.bottleneck == "variance"
    forecast = finding.evidence["forecast"]
    assert finding.expected_gain == pytest.approx(forecast["gain_2x"])
    assert forecast["gain_2x_interval"][0] > 0
    # the truth: the same learner trained on 3,000 rows (2x), averaged over 5 draws of the pool
    truth = []
    for seed in range(5):
        rows = pool.iloc[np.random.default_rng(seed).permutation(len(pool))[:3000]]
        model = make_baseline("linear", "classification", rows.drop(columns="y"), seed=seed)
        model.fit(rows.drop(columns="y"), rows["y"])
        truth.append(float(np.mean(model.predict(dev.drop(columns="y")) != dev["y"])))
    true_2x = float(np.mean(truth))
    assert forecast["at_2x"] == pytest.approx(true_2x, abs=0.01)
    low, high = forecast["interval_2x"]
    assert low - 0.005 <= true_2x <= high + 0.005
    assert forecast["at_10x"] <= forecast["at_2x"] <= forecast["now"]


def test_saturated_curve_does_not_recommend_more_data_and_is_deterministic() -> None:
    d, noise = 3, 3.0  # three features, heavy label noise: the linear model saturates early
    build = lambda: Problem.from_frames(  # noqa: E731
        linear_rows(1200, d, noise, 1),
        dev=linear_rows(3000, d, noise, 2),
        train_dev=linear_rows(300, d, noise, 3),
        target="y",
        seed=4,
    )
    _, one = run_curve(build())
    _, two = run_curve(build())
    ids = [f.id for f in one.findings]
    assert "learning_curve.more_data" not in ids
    assert ids[0] in {"learning_curve.saturated", "learning_curve.uncertain"}
    assert all(f.lever is None for f in one.findings)
    assert [f.to_dict() for f in one.findings] == [f.to_dict() for f in two.findings]
    section = one.sections["learning_curve"]
    assert section["verdict"] == ids[0].split(".")[1]
    assert len(section["plot"]["sizes"]) == len(section["plot"]["dev_fit"]) == 40


def test_small_train_is_skipped_with_a_reason() -> None:
    problem = Problem.from_frames(linear_rows(300, 3, 1.0, 1), dev=linear_rows(200, 3, 1.0, 2), target="y")
    _, result = run_curve(problem)
    assert result.findings == ()
    assert "training rows" in result.skipped[0].reason


def test_verdicts_on_known_curves() -> None:
    sizes = np.array([100, 200, 400, 800, 1600, 3200])
    steep = curves.fit(np.repeat(sizes, 3), np.repeat(0.02 + 3.0 * sizes**-0.5, 3))
    assert verdict(steep, forecast_at(steep, 3200), 0.073) == "more_data"
    flat = curves.fit(np.repeat(sizes, 3), np.full(18, 0.2))
    assert verdict(flat, forecast_at(flat, 3200), 0.2) == "saturated"
    dip = curves.fit(sizes, [0.3, 0.2, 0.12, 0.2, 0.25, 0.3])
    assert verdict(dip, forecast_at(dip, 3200), 0.3) == "ill_behaved"


def test_nested_order_prefixes_are_stratified() -> None:
    y = np.array(["a"] * 900 + ["b"] * 100)
    order = nested_order(y, len(y), seed=0)
    assert sorted(order.tolist()) == list(range(1000))
    for m in (10, 50, 100, 500):
        assert abs(int(np.sum(y[order[:m]] == "b")) - m / 10) <= 1
    np.testing.assert_array_equal(order, nested_order(y, len(y), seed=0))
    assert not np.array_equal(order, nested_order(y, len(y), seed=1))


def test_plan_keeps_the_cost_bounded() -> None:
    plan = _plan(100_000)
    assert sum(size * repeats for size, repeats in plan) <= 0.6 * 100_000
    assert sum(repeats for _, repeats in plan) <= 24
    assert plan[0] == (8_838, 1) and all(size <= MAX_CURVE_ROWS and r <= 3 for size, r in plan)
    assert len(plan) >= 8
