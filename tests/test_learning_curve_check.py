"""The learning_curve check: its forecast against the truth on planted data, and its verdicts."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from unstuck import curves
from unstuck.baselines import fit_ladder, make_baseline
from unstuck.checks import learning_curve as lc
from unstuck.checks.curve_parts import (
    MIN_GAIN_SHARE,
    TREND_Z,
    _overall_drop,
    _which_slice,
    forecast_at,
    loss_trend,
    verdict,
)
from unstuck.checks.learning_curve import (
    MAX_CURVE_ROWS,
    _curve_sizes,
    nested_order,
    smallest_size,
)
from unstuck.context import Context
from unstuck.metrics import METRICS
from unstuck.problem import Problem
from unstuck.registry import CheckSpec, registered_checks
from unstuck.runner import RunResult, run_checks
from unstuck.slices import Slice

SPEC = [s for s in registered_checks() if s.name == "learning_curve"]
WEIGHTS = np.random.default_rng(99).normal(size=40)
SLICE_WEIGHTS = np.random.default_rng(7).normal(size=30)


def linear_rows(n: int, d: int, noise: float, seed: int) -> pd.DataFrame:
    """A logistic-model classification table: label = sign(x·w + noise·logistic)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    label = np.where(x @ WEIGHTS[:d] + noise * rng.logistic(size=n) > 0, "a", "b")
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(d)])
    frame["y"] = label
    return frame


def slice_rows(n: int, seed: int, starved: float, noisy: float) -> pd.DataFrame:
    """Rows of four groups ``g``: in ``p`` and ``q`` (the rest) the label is ``x0 > 0`` with 5 % flipped,
    which a linear model learns from a few dozen rows; in ``r`` (share ``starved``) it is a noise-free
    linear rule on 30 features of its own (``z*``, zero elsewhere) — data-hungry; in ``s`` (share
    ``noisy``) it is a coin flip, which no amount of data learns. No ``z*`` columns without ``r``."""
    rng = np.random.default_rng(seed)
    common = (1 - starved - noisy) / 2
    g = rng.choice(["p", "q", "r", "s"], size=n, p=[common, common, starved, noisy])
    x = rng.normal(size=(n, 2))
    y = (x[:, 0] > 0) ^ (rng.random(n) < 0.05)
    frame = pd.DataFrame(x, columns=["x0", "x1"])
    if starved > 0:
        z = rng.normal(size=(n, len(SLICE_WEIGHTS))) * (g == "r")[:, None]
        y = np.where(g == "r", z @ SLICE_WEIGHTS > 0, y)
        for i in range(z.shape[1]):
            frame[f"z{i}"] = z[:, i]
    y = np.where(g == "s", rng.random(n) < 0.5, y)
    frame["g"] = g
    frame["y"] = np.where(y, "a", "b")
    return frame


def slice_problem(train_starved: float, dev_starved: float) -> Problem:
    """2,000 train, 3,000 dev and 500 train-dev rows of :func:`slice_rows`; slice ``s`` is 10 % noise everywhere."""
    return Problem.from_frames(
        slice_rows(2000, 1, train_starved, 0.1),
        dev=slice_rows(3000, 2, dev_starved, 0.1),
        train_dev=slice_rows(500, 3, train_starved, 0.1),
        target="y",
        seed=0,
    )


def run_curve(problem: Problem, checks: list[CheckSpec] = SPEC) -> tuple[Context, RunResult]:
    ctx = Context(problem)
    # Keep the test fast: a ladder of trivial + linear only (Context.ladder is a cached property).
    ctx.__dict__["ladder"] = fit_ladder(problem, names=("trivial", "linear"))
    return ctx, run_checks(problem, ctx, checks=checks)


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


def test_a_tiny_train_is_skipped_with_a_reason() -> None:
    problem = Problem.from_frames(linear_rows(36, 3, 1.0, 1), dev=linear_rows(200, 3, 1.0, 2), target="y")
    _, result = run_curve(problem)
    assert result.findings == ()
    assert "training rows" in result.skipped[0].reason


def test_a_small_train_gets_a_curve_from_many_seeds() -> None:
    """Greenfield: about a hundred rows are enough for the method's first measure of data needs."""
    assert smallest_size(120) == 30 and smallest_size(60) == 15 and smallest_size(60, n_classes=10) == 20
    sizes = _curve_sizes(120)
    assert [size for size, _ in sizes] == [60, 42, 30]
    assert all(repeats == 8 for _, repeats in sizes)  # cheap fits, noisy sizes: many seeds
    problem = Problem.from_frames(linear_rows(150, 3, 1.0, 1), dev=linear_rows(300, 3, 1.0, 2), target="y")
    _, result = run_curve(problem)
    assert result.skipped == ()
    section = result.sections["learning_curve"]
    assert min(section["plot"]["sizes"]) < 50  # below the old 50-row floor


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
    sizes = _curve_sizes(100_000)
    assert sum(size * repeats for size, repeats in sizes) <= 0.4 * 100_000
    assert sum(repeats for _, repeats in sizes) == 16  # MAX_FITS: the fixed cost of a fit dominates small sizes
    assert sizes[0] == (8_838, 1) and all(size <= MAX_CURVE_ROWS and r <= 2 for size, r in sizes)
    assert [r for size, r in sizes if size < 2_500] == [2] * 6  # small sizes, where noise is large, run twice
    assert len(sizes) >= 8


def test_per_slice_curve_names_the_data_starved_slice_not_the_noisy_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # 'r' is 10 % of dev but 3 % of train (about 60 rows for 30 features); 's' is 10 % of both, pure noise
    monkeypatch.setattr(lc, "MAX_DEV_ROWS", 2500)  # dev has 3,000 rows: slices are mapped onto a sample
    problem = slice_problem(train_starved=0.03, dev_starved=0.1)
    slices_spec = [s for s in registered_checks() if s.name == "slices"]
    ctx, result = run_curve(problem, [*SPEC, *slices_spec])
    assert ctx.counts["dev_slices"] == 1  # one search, read by both checks
    per_slice = result.sections["learning_curve"]["per_slice"]
    rules = [s["rule"] for s in per_slice]
    assert {"g = r", "g = s"} <= set(rules)
    assert set(rules) <= {s["rule"] for s in result.sections["slices"]["slices"]}
    noisy, starved = (next(s for s in per_slice if s["rule"] == rule) for rule in ("g = s", "g = r"))
    # the noisy slice carries most dev errors, but its curve is flat: never "collect more of it"
    assert rules[0] == "g = s" and noisy["share_of_dev_errors"] > starved["share_of_dev_errors"]
    assert noisy["verdict"] != "more_data" and noisy["gain_2x"] < 0.01
    assert abs(noisy["loss_trend"]) < 2 * noisy["loss_trend_se"]  # no measurable trend either
    assert starved["loss_trend"] < -TREND_Z * starved["loss_trend_se"]  # r's error falls, beyond noise
    which = next(f for f in result.findings if f.id == "learning_curve.which_slice")
    assert which.evidence["rule"] == "g = r" and which.lever == "targeted_data" and which.bottleneck is None
    assert which.expected_gain == pytest.approx(starved["contribution_2x"]) and which.expected_gain > 0
    assert "'g = r'" in which.title and "not 'g = s' (flat)" in which.title
    assert starved["verdict"] == "more_data" and starved["gain_2x_interval"][0] > 0 and starved["gain_2x"] > 0.02
    # the numbers, recomputed on the sampled dev rows from the full model's predictions
    dev = problem.frames["dev"]
    sample = np.sort(np.random.default_rng(problem.seed).choice(len(dev), size=2500, replace=False))
    wrong = (np.asarray(ctx.predictions["dev"].y_pred) != dev["y"].to_numpy())[sample]
    inside = (dev["g"] == "r").to_numpy()[sample]
    assert starved["dev_rows"] == inside.sum() and starved["dev_share"] == pytest.approx(inside.mean())
    assert starved["error"] == pytest.approx(wrong[inside].mean())
    assert starved["share_of_dev_errors"] == pytest.approx(wrong[inside].sum() / wrong.sum())
    assert starved["contribution_2x"] == pytest.approx(inside.mean() * starved["gain_2x"])
    # the truth: trained on 4,000 rows (2x), the same learner's error on 'r' falls, by no less than was forecast
    # (2 points of slack)
    pool, true_errors = slice_rows(20_000, 11, 0.03, 0.1), {}
    in_r = (dev["g"] == "r").to_numpy()
    for size in (2000, 4000):
        errors = []
        for seed in range(3):
            rows = pool.iloc[np.random.default_rng(seed).permutation(len(pool))[:size]]
            model = make_baseline("linear", "classification", rows.drop(columns="y"), seed=seed)
            model.fit(rows.drop(columns="y"), rows["y"])
            errors.append(float(np.mean(model.predict(dev.drop(columns="y"))[in_r] != dev["y"].to_numpy()[in_r])))
        true_errors[size] = float(np.mean(errors))
    true_gain = true_errors[2000] - true_errors[4000]
    assert true_gain > 0.02 and starved["gain_2x"] <= true_gain + 0.02


def test_a_slice_whose_error_does_not_fall_with_data_is_not_named() -> None:
    problem = slice_problem(train_starved=0.0, dev_starved=0.0)
    _, result = run_curve(problem)
    per_slice = result.sections["learning_curve"]["per_slice"]
    noisy = next(s for s in per_slice if s["rule"] == "g = s")
    assert per_slice[0] is noisy and noisy["error"] > 0.4
    # its fitted gain at 2x is under 2 % of its error: saturated (or an ill-behaved curve), never more_data
    assert noisy["verdict"] != "more_data" and noisy["gain_2x"] < MIN_GAIN_SHARE * noisy["error"]
    named = [f.evidence["rule"] for f in result.findings if f.id == "learning_curve.which_slice"]
    assert "g = s" not in named


def test_overall_drop_of_a_slice_in_metric_units() -> None:
    # error rate: share x the slice's drop
    losses = np.array([1.0, 0.0, 0.0, 1.0])
    assert _overall_drop(METRICS["error_rate"], losses, 0.25, 0.4, 0.1) == pytest.approx(0.075)
    # RMSE: all squared errors 4 (RMSE 2); half the rows go from RMSE 2 to 0 -> MSE 2 -> RMSE sqrt(2)
    assert _overall_drop(METRICS["rmse"], np.full(10, 4.0), 0.5, 2.0, 0.0) == pytest.approx(2 - np.sqrt(2))


def test_loss_trend_per_doubling_and_its_standard_error() -> None:
    # two rows at sizes 1, 2, 4, 8 (log2: 0..3): their slopes are -0.4 and -0.2, mean -0.3,
    # spread 0.1414 / sqrt(2) = 0.1; the points' scatter around the line gives 0.0707: the larger counts
    sizes = np.array([1.0, 2.0, 4.0, 8.0])
    losses = np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    slope, se = loss_trend(sizes, losses)
    assert slope == pytest.approx(-0.3) and se == pytest.approx(0.1)
    # a flat slice: no trend
    assert loss_trend(sizes, np.tile([[1.0, 0.0, 1.0, 0.0]], (4, 1)))[0] == pytest.approx(0.0)


def drifting_slice(rows: int, churn: float) -> dict[str, Any]:
    """The per-slice entry of one slice of ``rows`` dev rows whose error falls from 50 % by 8 points
    over the curve's sizes (n_train 2,000): 8 % of its rows stop failing one after another as the
    data grows, while a ``churn`` share of the other failing rows swap places with as many
    passing ones at every point (no change to the mean). The curve is the same for every
    ``rows`` and ``churn``; only the per-row evidence differs."""
    rng = np.random.default_rng(0)
    sizes = [2000] + [size for size, repeats in _curve_sizes(2000) for _ in range(repeats)]
    reach = (np.log(sizes) - np.log(min(sizes))) / (np.log(max(sizes)) - np.log(min(sizes)))
    half, drifting = rows // 2, int(0.08 * rows)
    when = (np.arange(drifting) + 0.5) / drifting
    failing, passing = np.arange(drifting, half), np.arange(half, rows)
    points = []
    for size, t in zip(sizes, reach, strict=True):
        losses = (np.arange(rows) < half).astype(np.float64)
        losses[np.flatnonzero(when <= t)] = 0.0
        swap = int(churn * len(failing))
        losses[rng.choice(failing, swap, replace=False)] = 0.0
        losses[rng.choice(passing, swap, replace=False)] = 1.0
        points.append({"size": size, "losses": losses})
    whole = Slice((), rows, half, 0.5, 0.1, 1.0, 0.0, 0.0, np.arange(rows))
    problem = SimpleNamespace(metric=METRICS["error_rate"], seed=0, frames={"dev": np.zeros(rows)})
    ctx = SimpleNamespace(dev_slices=SimpleNamespace(slices=(whole,)))
    data = {"points": points, "n_train": 2000, "dev_index": np.arange(rows)}
    return lc._per_slice(problem, ctx, data)[0]  # type: ignore[arg-type]


def test_a_curve_the_slice_rows_cannot_tell_from_chance_is_not_more_data() -> None:
    small, large = drifting_slice(300, churn=0.8), drifting_slice(3000, churn=0.8)
    steady = drifting_slice(300, churn=0.0)
    # the same curve and forecast: a material gain at 2x, interval above zero
    assert small["errors"] == pytest.approx(large["errors"], abs=0.002)
    assert small["gain_2x"] == pytest.approx(large["gain_2x"], abs=0.001) and small["gain_2x_interval"][0] > 0
    # on 300 rows that churn, the 8-point fall is within the rows' noise; on 3,000, or without churn, it is not
    assert -TREND_Z < small["loss_trend"] / small["loss_trend_se"] < 0 and small["verdict"] == "uncertain"
    assert large["loss_trend"] < -TREND_Z * large["loss_trend_se"] and large["verdict"] == "more_data"
    assert steady["verdict"] == "more_data"
    assert _which_slice([small], METRICS["error_rate"]) is None
    named = _which_slice([small, large], METRICS["error_rate"])
    assert named is not None and "(gain within noise)" in named.title


def test_a_curve_that_misses_todays_error_by_more_than_its_gain_claims_no_more_data() -> None:
    # 50 rows of scikit-learn's wine: below ~40 rows LightGBM cannot split (20 rows a leaf), so its subsets
    # predict one class (55-60 % error) and the full fit 6.7 %. The fitted curve passes far above today's
    # error and forecasts a "fall" to a level still above it: no claim, and no error rate beyond 100 %.
    from sklearn.datasets import load_wine

    frame = load_wine(as_frame=True).frame.sample(frac=1.0, random_state=0).reset_index(drop=True)
    problem = Problem.from_frames(frame.iloc[:50], dev=frame.iloc[50:110], target="target")
    result = run_checks(problem, Context(problem), checks=SPEC)
    section = result.sections["learning_curve"]
    forecast = section["forecast"]
    (observed,) = [p["dev_error"] for p in section["points"] if p["size"] == 50]  # the full fit
    assert section["verdict"] == "uncertain"
    assert "learning_curve.more_data" not in {f.id for f in result.findings}
    finding = next(f for f in result.findings if f.id == "learning_curve.uncertain")
    assert finding.lever is None and "misses today's dev error" in finding.title
    assert abs(forecast["now"] - observed) >= forecast["gain_2x"] > 0
    assert max(forecast["interval_2x"] + forecast["interval_10x"]) <= 1.0


def test_misfit_is_judged_against_the_gain_it_would_support() -> None:
    from unstuck.checks.curve_parts import misfits

    assert misfits({"gain_2x": 0.05, "now": 0.30}, 0.20)  # 10 points off, 5 points of gain
    assert not misfits({"gain_2x": 0.05, "now": 0.21}, 0.20)  # 1 point off: the curve passes near today
    assert not misfits({"gain_2x": -0.01, "now": 0.30}, 0.20)  # no gain claimed, nothing to withhold
