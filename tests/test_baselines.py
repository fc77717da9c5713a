"""The baseline ladder's building blocks: LightGBM's thread count, predictions scored once."""

from __future__ import annotations

import numpy as np
import pandas as pd

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
