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
    import unstuck.baselines as module
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
