"""The capacity / learning-rate sweeps: direction of the verdict on planted linear problems."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from unstuck.baselines import fit_ladder
from unstuck.checks.capacity import sweep
from unstuck.context import Context
from unstuck.problem import Problem
from unstuck.registry import registered_checks
from unstuck.runner import run_checks

SPEC = [s for s in registered_checks() if s.name == "capacity"]


def table(n: int, d: int, informative: int, noise: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    w = np.zeros(d)
    w[:informative] = np.random.default_rng(7).normal(size=informative) * 3
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(d)])
    frame["y"] = np.where(x @ w + noise * rng.logistic(size=n) > 0, "a", "b")
    return frame


def run(problem: Problem):  # type: ignore[no-untyped-def]
    ctx = Context(problem)
    ctx.__dict__["ladder"] = fit_ladder(problem, names=("trivial", "linear"))  # fast: no boosting
    return run_checks(problem, ctx, checks=SPEC)


def test_many_noise_features_call_for_a_smaller_model() -> None:
    # 2 informative features among 150: C = 1 overfits 500 rows, stronger regularisation wins
    build = lambda seed: table(500 if seed == 1 else 3000, 150, 2, 1.0, seed)  # noqa: E731
    problem = Problem.from_frames(build(1), dev=build(2), train_dev=build(3).iloc[:300], target="y")
    result = run(problem)
    ids = {f.id for f in result.findings}
    assert "capacity.smaller_model" in ids
    finding = next(f for f in result.findings if f.id == "capacity.smaller_model")
    assert finding.lever == "regularize" and finding.expected_gain is not None and finding.expected_gain > 0.01
    settings = result.sections["capacity"]["capacity"]["settings"]
    assert [s["value"] for s in settings] == [0.01, 0.1, 1.0, 10.0, 100.0]
    # train error falls as capacity grows
    assert settings[-1]["train_error"] <= settings[0]["train_error"]


def test_separable_data_calls_for_a_bigger_model_at_the_edge() -> None:
    # noiseless, 20 informative features: more capacity (weaker regularisation) keeps helping
    build = lambda seed, n: table(n, 20, 20, 0.0, seed)  # noqa: E731
    problem = Problem.from_frames(build(1, 2000), dev=build(2, 4000), train_dev=build(3, 300), target="y")
    result = run(problem)
    ids = [f.id for f in result.findings]
    assert "capacity.bigger_model" in ids and "capacity.at_edge" in ids
    bigger = next(f for f in result.findings if f.id == "capacity.bigger_model")
    assert bigger.lever == "bigger_model" and bigger.bottleneck == "avoidable_bias"


def test_small_train_is_skipped_and_boosting_sweep_runs() -> None:
    small = Problem.from_frames(table(80, 5, 2, 1.0, 1), dev=table(200, 5, 2, 1.0, 2), target="y")
    result = run(small)
    assert result.findings == () and "training rows" in result.skipped[0].reason
    problem = Problem.from_frames(table(600, 5, 2, 1.0, 1), dev=table(300, 5, 2, 1.0, 2), target="y")
    out = sweep(problem, "gradient_boosting", "learning_rate")
    assert [s["value"] for s in out["settings"]] == [0.0125, 0.025, 0.05, 0.1, 0.2, 0.4]
    assert all(0 <= s["dev_error"] <= 1 for s in out["settings"])


def wavy(n: int, seed: int) -> pd.DataFrame:
    """A curved boundary: 300 trees at the smallest learning rate underfit it on a quarter of the rows."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    frame = pd.DataFrame(x, columns=list("abcd"))
    frame["y"] = np.where(np.sin(2 * x[:, 0]) + x[:, 1] * x[:, 2] + 0.1 * rng.normal(size=n) > 0, "p", "q")
    return frame


def test_successive_halving_drops_only_a_clearly_worse_setting_and_keeps_the_full_fits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from unstuck.checks import capacity as module

    problem = Problem.from_frames(wavy(6000, 1), dev=wavy(4000, 2), target="y")  # 4,800 train rows, 1,200 carved
    rows = len(problem.frames["train"])
    assert module.rungs(rows) == [rows // 4, rows] and rows >= module.HALVING_FROM
    halved = sweep(problem, "gradient_boosting", "learning_rate")
    monkeypatch.setattr(module, "HALVING_FROM", 10**9)
    plain = sweep(problem, "gradient_boosting", "learning_rate")
    dropped = [s for s in halved["settings"] if s["dropped_at"] is not None]
    assert [s["value"] for s in dropped] == [0.0125] and dropped[0]["dropped_at"] == rows // 4 == dropped[0]["rows"]
    # every setting that was not dropped has exactly the plain sweep's fit on all the rows
    for mine, theirs in zip(halved["settings"], plain["settings"], strict=True):
        if mine["dropped_at"] is None:
            assert mine == theirs
            assert np.array_equal(halved["dev_losses"][mine["value"]], plain["dev_losses"][mine["value"]])
    assert set(halved["dev_losses"]) == {0.025, 0.05, 0.1, 0.2, 0.4}
    # the dropped setting is clearly worse on all the rows too: the screening lost no winner
    full_errors = {s["value"]: s["dev_error"] for s in plain["settings"]}
    assert full_errors[0.0125] > min(full_errors.values()) + 0.01
