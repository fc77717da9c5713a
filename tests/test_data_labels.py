"""Label errors (cleanlab) on real data with planted flips; residual outliers for regression.

The shared Context is given planted probabilities (``ctx.__dict__`` pre-fills its
cached members) so that the expected answer is known exactly; the end-to-end path
through the real baselines is exercised by ``test_data_cli.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from unstuck.context import Context, SplitPredictions
from unstuck.out_of_fold import OutOfFold
from unstuck.problem import Problem
from unstuck.registry import registered_checks
from unstuck.runner import run_checks

LABELS = [s for s in registered_checks() if s.name == "labels"]


def planted_dev(n: int, classes: tuple[int, ...], flipped: int, hard: int, seed: int = 0):
    """Dev labels and probabilities: ``flipped`` rows carry a wrong label the model confidently
    contradicts; ``hard`` rows are genuine model errors with low confidence; the rest are easy (3+ classes)."""
    rng = np.random.default_rng(seed)
    k = len(classes)
    truth = rng.integers(0, k, n)
    proba = np.full((n, k), 0.1 / (k - 1))
    proba[np.arange(n), truth] = 0.9
    given = truth.copy()
    flip = np.arange(flipped)
    given[flip] = (truth[flip] + 1) % k
    hard_rows = np.arange(flipped, flipped + hard)
    other = (truth[hard_rows] + 1) % k
    proba[hard_rows] = 0.15 / (k - 2)
    proba[hard_rows, truth[hard_rows]] = 0.40
    proba[hard_rows, other] = 0.45
    y_pred = np.asarray(classes)[proba.argmax(axis=1)]
    return np.asarray(classes)[given], y_pred, proba


@pytest.fixture(scope="module")
def digits_flipped():
    """Digits train with 10% of labels flipped at random, and out-of-fold probabilities of a linear model."""
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    frame = load_digits(as_frame=True).frame.rename(columns={"target": "digit"})
    train = frame.iloc[:1200].reset_index(drop=True)
    rng = np.random.default_rng(0)
    flipped = rng.choice(len(train), size=120, replace=False)
    noisy = train["digit"].to_numpy().copy()
    noisy[flipped] = (noisy[flipped] + rng.integers(1, 10, size=120)) % 10
    train["digit"] = noisy
    x = train.drop(columns="digit").to_numpy() / 16.0
    oof = cross_val_predict(LogisticRegression(max_iter=300), x, noisy, cv=5, method="predict_proba")
    return train, frame.iloc[1200:].reset_index(drop=True), flipped, oof


def test_flipped_train_labels_are_found_with_noise_rate_pairs_and_gain(digits_flipped) -> None:
    train, dev, flipped, oof = digits_flipped
    classes = tuple(range(10))
    given, y_pred, proba = planted_dev(len(dev), classes, flipped=30, hard=24)
    dev = dev.assign(digit=given)
    problem = Problem.from_frames(train, dev=dev, train_dev=train.iloc[:50], target="digit")
    ctx = Context(problem)
    ctx.__dict__["oof_proba"] = oof
    # the fold models on dev: the planted dev model (the dev labels here are planted, not the digits')
    ctx.__dict__["out_of_fold"] = OutOfFold(oof, (proba,) * 5)
    ctx.__dict__["predictions"] = {
        "dev": SplitPredictions(given, y_pred, proba, classes, dev.drop(columns="digit")),
    }
    result = run_checks(problem, ctx, checks=LABELS)
    by_id = {f.id: f for f in result.findings}
    section = result.sections["labels"]["splits"]
    # train: cleanlab's flags against the planted flips
    flagged_rows = {r["row"] for r in section["train"]["ranked"]}
    assert section["train"]["flagged"] >= 80
    truly = set(flipped.tolist())
    top = [r["row"] for r in section["train"]["ranked"]]
    assert sum(r in truly for r in top) / len(top) >= 0.8  # the 50 lowest-quality flags are mostly real flips
    assert 0.06 <= section["train"]["noise_rate"] <= 0.16
    assert flagged_rows and by_id["labels.train"].severity == "warning"
    assert by_id["labels.train"].lever == "fix_labels" and by_id["labels.train"].bottleneck == "label_noise"
    qualities = [r["quality"] for r in section["train"]["ranked"]]
    assert qualities == sorted(qualities)
    # dev: exactly the 30 contradicted labels are flagged; errors = 30 flipped + 24 hard
    assert section["dev"]["flagged"] == 30
    assert section["dev"]["errors"] == 54 and section["dev"]["errors_on_flagged"] == 30
    assert section["dev"]["share_of_errors_on_flagged"] == pytest.approx(30 / 54)
    assert by_id["labels.dev"].severity == "warning"
    assert by_id["labels.dev"].expected_gain == pytest.approx(30 / len(dev))
    # train's own gain is measured, not borrowed from dev: the best baseline refitted without its flags
    refit = by_id["labels.train"].evidence["refit_without_flagged"]
    assert refit["rows_left_out"] == section["train"]["flagged"]
    assert refit["gain"] == pytest.approx(refit["dev_error"] - refit["dev_error_refit"])
    expected = min(refit["gain"], 54 / len(dev)) if refit["interval"][0] > 0 else None
    assert by_id["labels.train"].expected_gain == (pytest.approx(expected) if expected is not None else None)
    # the section reads back as its type: train's refit and fold comparison, dev's errors and trust
    typed = LABELS[0].read_section(result.sections["labels"])
    train_typed, dev_typed = typed.splits["train"], typed.splits["dev"]
    assert train_typed.refit_without_flagged is not None and train_typed.train_against_dev is not None
    assert train_typed.refit_without_flagged.rows_left_out == train_typed.flagged and train_typed.errors is None
    assert (dev_typed.errors, dev_typed.errors_on_flagged) == (54, 30) and dev_typed.trust is not None


def test_clean_labels_raise_nothing() -> None:
    classes = (0, 1, 2)
    given, y_pred, proba = planted_dev(600, classes, flipped=0, hard=20, seed=1)
    frame = pd.DataFrame({"x": np.arange(600.0), "y": given})
    problem = Problem.from_frames(frame.iloc[:300], dev=frame.iloc[300:], train_dev=frame.iloc[300:350], target="y")
    ctx = Context(problem)
    ctx.__dict__["oof_proba"] = proba[: len(problem.frames["train"])]
    ctx.__dict__["predictions"] = {"dev": SplitPredictions(given[300:], y_pred[300:], proba[300:], classes, frame)}
    result = run_checks(problem, ctx, checks=LABELS)
    assert [f for f in result.findings if f.severity != "info"] == []


def test_regression_residual_outliers_flag_the_planted_targets() -> None:
    rng = np.random.default_rng(0)
    n = 400
    x = rng.normal(size=n)
    y = 3 * x + rng.normal(scale=0.1, size=n)
    bad = np.arange(8)
    y[bad] += 50.0
    frame = pd.DataFrame({"row": np.arange(n), "x": x, "y": y})
    problem = Problem.from_frames(frame, dev=frame.iloc[:40], train_dev=frame.iloc[:40], target="y", id_column="row")
    ctx = Context(problem)
    ctx.__dict__["oof_proba"] = (3 * problem.frames["train"]["x"].to_numpy()).reshape(-1, 1)
    spec = [s for s in registered_checks() if s.name == "residual_outliers"]
    result = run_checks(problem, ctx, checks=spec)
    finding = result.findings[0]
    assert finding.evidence["flagged"] == 8
    assert sorted(r["row"] for r in finding.evidence["ranked"][:5]) == sorted(
        r["row"] for r in result.sections["residual_outliers"]["ranked"][:5]
    )
    assert {r["row"] for r in result.sections["residual_outliers"]["ranked"]} == set(bad.tolist())
    typed = spec[0].read_section(result.sections["residual_outliers"])
    assert {r.row for r in typed.ranked} == set(bad.tolist()) and typed.threshold_robust_z == 6.0
    assert finding.severity == "warning" and finding.lever == "fix_labels"


def test_confident_share_counts_flags_where_another_label_is_likely() -> None:
    from unstuck.checks.labels import CONFIDENT_OTHER, confident_share

    labels = np.array([0, 1, 2, 0])
    proba = np.array(
        [
            [0.05, 0.9, 0.05],  # another label at 0.9: confident
            [0.1, 0.1, 0.8],  # 0.8: confident (the bar is inclusive)
            [0.4, 0.3, 0.3],  # 0.4: a hard row, not a confident flag
            [0.9, 0.05, 0.05],  # the given label is the likely one
        ]
    )
    assert CONFIDENT_OTHER == 0.8
    assert confident_share(labels, proba) == pytest.approx(0.5)
    assert confident_share(np.array([], dtype=np.int64), np.empty((0, 3))) == 1.0


def test_a_weak_model_on_clean_labels_does_not_call_them_wrong() -> None:
    """Digits reduced to 3 pixels: clean labels, a model that is unsure of everything."""
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    frame = load_digits(as_frame=True).frame.rename(columns={"target": "digit"})
    weak = frame[["pixel_2_4", "pixel_4_4", "pixel_5_2", "digit"]]
    train, dev = weak.iloc[:1200].reset_index(drop=True), weak.iloc[1200:].reset_index(drop=True)
    x = train.drop(columns="digit").to_numpy() / 16.0
    oof = cross_val_predict(LogisticRegression(max_iter=300), x, train["digit"], cv=5, method="predict_proba")
    problem = Problem.from_frames(train, dev=dev, train_dev=train.iloc[:50], target="digit")
    ctx = Context(problem)
    ctx.__dict__["oof_proba"] = oof
    result = run_checks(problem, ctx, checks=LABELS)
    info = result.sections["labels"]["splits"]["train"]
    finding = next(f for f in result.findings if f.id == "labels.train")
    # cleanlab flags many clean rows (the model is weak) and estimates a large noise rate ...
    assert info["flagged_share"] > 0.2 and info["noise_rate"] > 0.2
    # ... but almost none confidently, so no fix_labels lever and the title says why
    assert info["confident_share"] < 0.1
    assert finding.severity == "info" and finding.lever is None and finding.bottleneck is None
    assert "cannot tell wrong labels from rows it finds hard" in finding.title


def test_compare_train_and_dev_judges_the_same_fold_models_on_both() -> None:
    from unstuck.data.labels import compare_train_and_dev

    def onehot(labels: np.ndarray) -> np.ndarray:
        return np.eye(2)[labels]

    truth = np.tile([0, 1], 500)  # 1,000 train rows
    predicted = truth.copy()
    predicted[:100] = 1 - predicted[:100]  # the models miss 10% of rows ...
    noisy = truth.copy()
    noisy[100:250] = 1 - noisy[100:250]  # ... and 15% of train's labels are wrong
    dev = np.tile([0, 1], 250)
    dev_predicted = dev.copy()
    dev_predicted[:50] = 1 - dev_predicted[:50]  # 10% of 500 dev rows
    folds = (onehot(dev_predicted),) * 5
    worse = compare_train_and_dev(noisy, onehot(predicted), dev, folds)
    assert worse["out_of_fold_error"] == pytest.approx(0.25) and worse["fold_models_dev_error"] == pytest.approx(0.10)
    assert worse["train_worse"] and not worse["dev_worse"]
    assert worse["train_rows"] == 1000 and worse["dev_rows"] == 500 and worse["folds"] == 5
    clean = compare_train_and_dev(truth, onehot(predicted), dev, folds)
    assert clean["out_of_fold_error"] == pytest.approx(0.10) and not clean["train_worse"] and not clean["dev_worse"]
    # 12% against 10% on these row counts is within the noise of a 1% one-sided test
    slightly = truth.copy()
    slightly[100:120] = 1 - slightly[100:120]
    assert not compare_train_and_dev(slightly, onehot(predicted), dev, folds)["train_worse"]
    # the other way: dev's labels the worse ones (the models miss 10% of train's rows, 25% of dev's)
    noisy_dev = dev.copy()
    noisy_dev[100:175] = 1 - noisy_dev[100:175]
    other_way = compare_train_and_dev(truth, onehot(predicted), noisy_dev, folds)
    assert other_way["dev_worse"] and not other_way["train_worse"]
    assert other_way["fold_models_dev_error"] == pytest.approx(0.25)


def test_noise_in_every_split_is_shown_against_human_level_error_only() -> None:
    """15% of labels wrong in train, dev and test alike: no comparison of splits can show it, but two
    model families confidently contradict far more train labels than the 1% a human-level labeller
    gets wrong. Without a human-level error nothing bounds the ambiguous rows, and the rule is silent."""
    import dataclasses

    from scenarios import label_noise

    def labels_train(problem: Problem):  # the label check alone: the rest of a diagnosis does not bear on it
        (spec,) = [s for s in registered_checks() if s.name == "labels"]
        result = run_checks(problem, Context(problem), checks=[spec])
        return next(f for f in result.findings if f.id == "labels.train")

    problem = label_noise()
    finding = labels_train(problem)
    two = finding.evidence["two_families"]
    assert two["beyond"] and two["human_error"] == 0.01 and two["share"] > 0.05
    assert finding.lever == "fix_labels" and "worse than human-level" in finding.title
    unknown = labels_train(dataclasses.replace(problem, human_error=None))
    assert "two_families" not in unknown.evidence
