"""The baseline ladder's building blocks: LightGBM's thread count, predictions scored once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from unstuck.baselines import ONE_THREAD_BELOW_CELLS, lightgbm_threads, make_baseline, predict_with_proba


def test_small_fits_use_one_lightgbm_thread_large_ones_two() -> None:
    small = pd.DataFrame(np.zeros((1_078, 64)))
    large = pd.DataFrame(np.zeros((ONE_THREAD_BELOW_CELLS // 40, 40)))
    assert lightgbm_threads(small) == 1
    assert lightgbm_threads(large) == 2
    assert lightgbm_threads(large.iloc[:-1]) == 1
    booster = make_baseline("gradient_boosting", "classification", small)[-1]
    assert booster.get_params()["n_jobs"] == 1
    assert make_baseline("gradient_boosting", "classification", small, params={"n_jobs": 2})[-1].n_jobs == 2


def test_predictions_are_the_most_probable_class_as_predict_gives() -> None:
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"a": rng.normal(size=300), "b": rng.choice(["u", "v", "w"], size=300)})
    y = np.where(x["a"] + (x["b"] == "u") > 0.3, "yes", np.where(x["a"] < -0.8, "maybe", "no"))
    for name in ("linear", "gradient_boosting"):
        model = make_baseline(name, "classification", x).fit(x, y)
        y_pred, proba = predict_with_proba(model, x, "classification")
        assert proba is not None and proba.shape == (300, 3)
        assert np.array_equal(y_pred, model.predict(x))
    regressor = make_baseline("linear", "regression", x).fit(x, x["a"].to_numpy())
    y_pred, proba = predict_with_proba(regressor, x, "regression")
    assert proba is None and np.allclose(y_pred, regressor.predict(x))


def test_out_of_fold_folds_in_worker_processes_are_scikit_learns(monkeypatch: pytest.MonkeyPatch) -> None:
    """From FOLDS_IN_PROCESSES_FROM rows on, the folds fit in worker processes on one thread each:
    the same predictions as cross_val_predict, a class a fold never sees included (its column 0)."""
    import unstuck.out_of_fold as module
    from unstuck.problem import Problem

    rng = np.random.default_rng(5)
    n = 900
    frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.choice(["u", "v", "w"], size=n)})
    frame["y"] = np.where(frame["a"] + (frame["b"] == "u") + rng.normal(scale=0.5, size=n) > 0.4, "p", "q")
    frame.loc[0, "y"] = "m"  # one row of a third class: the fold that holds it never sees the class
    problem = Problem.from_frames(frame.iloc[:700], dev=frame.iloc[700:], target="y", seed=2)
    plain = {name: module.out_of_fold_proba(problem, name, folds=5) for name in ("gradient_boosting", "linear")}
    monkeypatch.setattr(module, "FOLDS_IN_PROCESSES_FROM", 10)
    for name, expected in plain.items():
        in_processes = module.out_of_fold_proba(problem, name, folds=5)
        assert np.array_equal(in_processes, expected), name
        assert in_processes[0, 0] == 0.0
    regression = Problem.from_frames(frame.assign(y=frame["a"] * 2.0), target="y", seed=2)
    monkeypatch.setattr(module, "FOLDS_IN_PROCESSES_FROM", 10**9)
    expected = module.out_of_fold_proba(regression, "gradient_boosting")
    monkeypatch.setattr(module, "FOLDS_IN_PROCESSES_FROM", 10)
    assert np.array_equal(module.out_of_fold_proba(regression, "gradient_boosting"), expected)


def test_the_ladder_fitted_side_by_side_in_worker_processes_is_the_one_fitted_in_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """From PARALLEL_FROM training rows on, the rungs fit in worker processes, LightGBM on one thread
    where in process it would have had two (1M feature cells): the same models, predictions and errors."""
    import unstuck.workers as workers
    from unstuck.baselines import _rungs_in_processes, fit_ladder
    from unstuck.problem import Problem

    rng = np.random.default_rng(3)
    n, k = 14_000, 90
    x = rng.normal(size=(n, k))
    frame = pd.DataFrame(x, columns=[f"x{j}" for j in range(k)])
    # an interaction no linear model finds, so that LightGBM is the best rung
    frame["y"] = np.where(x[:, 0] * x[:, 1] + rng.normal(scale=0.3, size=n) > 0, "yes", "no")
    problem = Problem.from_frames(frame.iloc[:12_600], dev=frame.iloc[12_600:], target="y", seed=1)
    assert lightgbm_threads(problem.frames["train"][list(problem.features)]) == 2
    assert not _rungs_in_processes(problem, ("trivial", "linear", "gradient_boosting"))
    plain = fit_ladder(problem)
    monkeypatch.setattr(workers, "PARALLEL_FROM", 10_000)
    monkeypatch.setattr(workers.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert _rungs_in_processes(problem, ("trivial", "linear", "gradient_boosting"))
    steps: list[str] = []
    side_by_side = fit_ladder(problem, on_step=steps.append)
    assert steps == ["fitting the trivial, linear, gradient boosting baselines side by side"]
    assert side_by_side.best == plain.best == "gradient_boosting"
    assert side_by_side.best_rung.model[-1].n_jobs == 1 and plain.best_rung.model[-1].n_jobs == 2
    for ours, theirs in zip(side_by_side.rungs, plain.rungs, strict=True):
        assert ours.name == theirs.name and ours.errors == theirs.errors and ours.description == theirs.description
    assert side_by_side.best_rung.outputs is not None and plain.best_rung.outputs is not None
    for split, (y_pred, proba) in plain.best_rung.outputs.items():
        assert np.array_equal(side_by_side.best_rung.outputs[split][0], y_pred)
        assert np.array_equal(side_by_side.best_rung.outputs[split][1], proba)
