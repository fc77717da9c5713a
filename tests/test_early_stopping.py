"""LightGBM stopped early on a held-out part of its training rows, from 10,000 rows on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lightgbm import LGBMClassifier, early_stopping

from unstuck.baselines import describe, make_baseline
from unstuck.early_stopping import (
    EARLY_STOPPING_FROM,
    MAX_STOPPING_ROWS,
    PATIENCE,
    StoppedEarlyClassifier,
    StoppedEarlyRegressor,
    stopping_rows,
)

SETTINGS = {"n_estimators": 300, "learning_rate": 0.3, "verbose": -1, "deterministic": True, "n_jobs": 1}


def _table(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Two informative columns and a noisy label: boosting at a high learning rate overfits it soon."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    score = x["a"] - 0.5 * x["b"] + rng.normal(scale=1.0, size=n)
    return x, np.asarray(score > 0, dtype=int), np.asarray(score)


def test_held_out_rows_are_a_seeded_stratified_tenth_at_most_the_cap() -> None:
    y = np.r_[np.zeros(9000, dtype=int), np.ones(3000, dtype=int)]
    held = stopping_rows(y, classification=True, seed=1)
    assert held.sum() == 1200 and held[y == 1].sum() == 300  # a tenth, a tenth of each class
    assert np.array_equal(held, stopping_rows(y, classification=True, seed=1))
    assert not np.array_equal(held, stopping_rows(y, classification=True, seed=2))
    assert stopping_rows(np.zeros(200_000), classification=False, seed=0).sum() == MAX_STOPPING_ROWS
    # a class of one row cannot be stratified, and is never held out whole
    lonely = np.r_[np.zeros(11_999, dtype=int), [7]]
    for seed in range(5):
        assert not stopping_rows(lonely, classification=True, seed=seed)[-1]


def test_string_labels_are_held_out_as_numbers_are_and_in_milliseconds() -> None:
    """String (object) labels give the held-out rows their integer codes give, a class of one row
    included, and cost little CPU: np.isin on object labels took 21 CPU seconds on 50,000 rows."""
    import time

    codes = np.r_[np.arange(99_999) % 5, [7]]
    labels = np.asarray([f"class_{c}" for c in codes], dtype=object)
    started = time.process_time()
    held = stopping_rows(labels, classification=True, seed=3)
    assert time.process_time() - started < 2.0
    assert np.array_equal(held, stopping_rows(codes, classification=True, seed=3))
    assert held.sum() == MAX_STOPPING_ROWS - 1 or held.sum() == MAX_STOPPING_ROWS
    assert not held[-1]


def test_below_the_threshold_it_is_plain_lightgbm() -> None:
    x, y, _ = _table(EARLY_STOPPING_FROM - 1)
    stopped = StoppedEarlyClassifier(**SETTINGS).fit(x, y)
    plain = LGBMClassifier(**SETTINGS).fit(x, y)
    assert stopped.best_iteration_ == 0 and stopped.booster_.num_trees() == 300
    assert np.array_equal(stopped.predict_proba(x), plain.predict_proba(x))


def test_from_the_threshold_it_keeps_the_best_count_on_its_held_out_rows() -> None:
    x, y, score = _table(12_000)
    stopped = StoppedEarlyClassifier(**SETTINGS, random_state=4).fit(x, y)
    # the same fit by hand: LightGBM's own early stopping on the same held-out rows
    held = stopping_rows(y, classification=True, seed=4)
    manual = LGBMClassifier(**SETTINGS, random_state=4).fit(
        x[~held], y[~held], eval_X=(x[held],), eval_y=(y[held],), callbacks=[early_stopping(PATIENCE, verbose=False)]
    )
    assert 0 < stopped.best_iteration_ < 300 - PATIENCE  # a noisy label at rate 0.3 levels off early
    assert stopped.best_iteration_ == manual.best_iteration_
    assert np.array_equal(stopped.predict_proba(x), manual.predict_proba(x))
    regressor = StoppedEarlyRegressor(**SETTINGS).fit(x, score)
    assert 0 < regressor.best_iteration_ < 300 and regressor.predict(x).shape == (12_000,)


def test_the_baseline_stops_early_unless_told_not_to_and_says_so() -> None:
    x, y, _ = _table(12_000)
    model = make_baseline("gradient_boosting", "classification", x, seed=0, params={"learning_rate": 0.3})
    model.set_params(lgbmclassifier__num_leaves=15)  # make_pipeline's step names still address it
    model.fit(x, y)
    kept = model[-1].best_iteration_
    assert 0 < kept < 300
    assert describe("gradient_boosting", model).startswith(f"LightGBM, {kept} trees (of at most 300: stopped early")
    fixed = make_baseline("gradient_boosting", "classification", x, seed=0, early_stopping=False).fit(x, y)
    assert type(fixed[-1]) is LGBMClassifier and fixed[-1].booster_.num_trees() == 300
    assert describe("gradient_boosting", fixed) == "LightGBM, 300 trees, learning rate 0.05, 31 leaves"


@pytest.mark.parametrize("weights", [None, "given"])
def test_sample_weights_follow_the_rows_kept_for_fitting(weights: str | None) -> None:
    x, y, _ = _table(11_000)
    w = np.where(y == 1, 2.0, 1.0) if weights else None
    stopped = StoppedEarlyClassifier(**SETTINGS).fit(x, y, sample_weight=w)
    assert 0 < stopped.best_iteration_ < 300


def test_string_classes_are_held_out_and_scored_as_the_classifier_encodes_them() -> None:
    x, y, _ = _table(11_000)
    named = np.asarray(["no", "yes"])[y]
    stopped = StoppedEarlyClassifier(**SETTINGS).fit(x, named)
    assert 0 < stopped.best_iteration_ < 300 and set(stopped.predict(x)) <= {"no", "yes"}
