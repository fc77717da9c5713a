"""Planted scenarios on real data shipped in scikit-learn and statsmodels, one per bottleneck of the contract.

Each scenario builds a Problem (and sometimes a project card) in which one cause
of error was planted on purpose, and names the bottleneck and the top lever the
method prescribes for it; where the planted cause fixes what the data-size
learning curve must say, it names that verdict too (``curve``). Used by
``tests/test_scenarios.py`` and ``benchmarks/advice_quality.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from unstuck.problem import Problem

__all__ = ["SCENARIOS", "Scenario"]


@dataclass(frozen=True)
class Scenario:
    name: str
    bottleneck: str
    lever: str
    build: Callable[[], Problem]
    curve: str | None = None  # the learning-curve verdict the planted cause implies (None: not asserted)


def _digits(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    from unstuck.demo import demo_frames

    return demo_frames(seed)


def _features(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns="digit")


def _predictions(
    model: object, parts: dict[str, pd.DataFrame], extra: dict[str, np.ndarray] | None = None
) -> pd.DataFrame:
    rows = []
    for split, frame in parts.items():
        out = pd.DataFrame(
            {"split": split, "y_true": frame["digit"].to_numpy(), "y_pred": model.predict(_features(frame))}  # type: ignore[attr-defined]
        )
        rows.append(out)
    return pd.concat(rows, ignore_index=True)


def leakage() -> Problem:
    """40% of dev rows copied into train (a join gone wrong)."""
    train, dev, test = _digits()
    leaked = dev.sample(frac=0.4, random_state=0)
    return Problem.from_frames(pd.concat([train, leaked]), dev=dev, test=test, target="digit", seed=0)


def label_noise() -> Problem:
    """15% of all labels (train, dev and test) replaced by a random other digit."""
    rng = np.random.default_rng(0)
    parts = []
    for frame in _digits():
        frame = frame.copy()
        flip = rng.random(len(frame)) < 0.15
        frame.loc[flip, "digit"] = (frame.loc[flip, "digit"] + rng.integers(1, 10, flip.sum())) % 10
        parts.append(frame)
    return Problem.from_frames(parts[0], dev=parts[1], test=parts[2], target="digit", seed=0, human_error=0.01)


def avoidable_bias() -> Problem:
    """A model far too small for the task: logistic regression on 3 of the 64 pixels."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    train, dev, test = _digits()
    pixels = ["pixel_3_4", "pixel_5_3", "pixel_2_2"]

    class Small:
        model = make_pipeline(LogisticRegression(max_iter=500)).fit(train[pixels], train["digit"])

        def predict(self, x: pd.DataFrame) -> np.ndarray:
            return self.model.predict(x[pixels])

    table = _predictions(Small(), {"train": train, "dev": dev, "test": test})
    return Problem.from_predictions(table, human_error=0.01)


def variance() -> Problem:
    """An unpruned decision tree: perfect on train, far worse on unseen rows."""
    from sklearn.tree import DecisionTreeClassifier

    train, dev, test = _digits()
    tree = DecisionTreeClassifier(random_state=0).fit(_features(train), train["digit"])
    return Problem.from_predictions(_predictions(tree, {"train": train, "dev": dev, "test": test}), human_error=0.01)


def data_mismatch() -> Problem:
    """Dev and test images are noisier than the training images (a new scanner)."""
    rng = np.random.default_rng(0)
    train, dev, test = _digits()

    def noisy(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        pixels = [c for c in out.columns if c.startswith("pixel")]
        out[pixels] = np.clip(out[pixels].to_numpy() + rng.normal(0, 4.0, size=(len(out), len(pixels))), 0, 16)
        return out

    return Problem.from_frames(train, dev=noisy(dev), test=noisy(test), target="digit", seed=0, human_error=0.01)


def dev_overfit() -> Problem:
    """A dev set of easy rows (the ones the model already gets right), a random test set."""
    from sklearn.linear_model import LogisticRegression

    train, dev, test = _digits()
    pool = pd.concat([dev, test], ignore_index=True)
    model = LogisticRegression(max_iter=2000).fit(_features(train), train["digit"])
    right = model.predict(_features(pool)) == pool["digit"].to_numpy()
    rng = np.random.default_rng(0)
    order = rng.permutation(len(pool))
    test_rows = order[:300]
    rest = order[300:]
    easy = rest[right[rest]][:300]
    return Problem.from_predictions(
        _predictions(model, {"train": train, "dev": pool.iloc[easy], "test": pool.iloc[test_rows]}),
        human_error=0.005,
    )


def underrepresented_slice() -> Problem:
    """Scans from one clinic (6% of dev, 1% of train) where the model is wrong half the time."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    train, dev, test = _digits()
    # Strongly regularised, so that outside the clinic train and dev errors agree.
    model = LogisticRegression(C=0.002, max_iter=2000).fit(_features(train), train["digit"])
    table = _predictions(model, {"train": train, "dev": dev, "test": test})
    share = {"train": 0.01, "dev": 0.06, "test": 0.06}
    clinic = np.array([rng.random() < share[s] for s in table["split"]])
    table["clinic"] = np.where(clinic, "north", rng.choice(["east", "south", "west"], len(table)))
    wrong = clinic & (rng.random(len(table)) < 0.5)
    table.loc[wrong, "y_pred"] = (table.loc[wrong, "y_true"] + 1) % 10
    return Problem.from_predictions(table, human_error=0.01)


def training_instability() -> Problem:
    """A real training run (scikit-learn MLP) with a learning rate 1,000 times too high."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    from unstuck.pipeline import load_problem

    train, _, _ = _digits()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net = MLPClassifier(
            hidden_layer_sizes=(64,), solver="sgd", learning_rate_init=1.0, momentum=0.9, max_iter=40, random_state=0
        ).fit(_features(train) / 16.0, train["digit"])
    losses = np.nan_to_num(np.asarray(net.loss_curve_, dtype=float), nan=1e6, posinf=1e6)
    log = pd.DataFrame({"epoch": np.arange(1, len(losses) + 1), "train_loss": losses})
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp(prefix="unstuck-scenario-")) / "history.csv"
    log.to_csv(path, index=False)
    return load_problem(training_logs=(str(path),), task="classification")


def healthy() -> Problem:
    """A well-regularised model at human level on breast-cancer data: nothing to fix beyond noise."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    data = load_breast_cancer(as_frame=True).frame
    train, rest = train_test_split(data, test_size=0.4, random_state=0, stratify=data["target"])
    dev, test = train_test_split(rest, test_size=0.5, random_state=0, stratify=rest["target"])
    x = [c for c in data.columns if c != "target"]
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=2000)).fit(train[x], train["target"])
    rows = [
        pd.DataFrame({"split": s, "y_true": f["target"].to_numpy(), "y_pred": model.predict(f[x])})
        for s, f in (("train", train), ("dev", dev), ("test", test))
    ]
    table = pd.concat(rows, ignore_index=True)
    dev_error = float((table.query("split == 'dev'").eval("y_true != y_pred")).mean())
    return Problem.from_predictions(table, human_error=dev_error)


def saturated_mismatch() -> Problem:
    """More data of the training kind cannot help: a model built on one population, used on another.

    statsmodels' ``fair`` survey (6,366 married women, 1974): predict the marriage
    rating (1-5) from age, years married, children, religiousness, education,
    occupations and time spent in affairs. Train holds only the respondents who
    reported no affair; dev and test only those who did. The linear model is at
    its asymptote on these few coarse answers long before the 2,155 training rows
    (the curve is flat), and no amount of affair-free data shows it what an affair
    does to the rating: the dev error is a data-mismatch gap that targeted,
    dev-like data closes and more of the same data does not.

    The survey answers are coarse (27% of rows repeat another respondent's answers
    exactly); duplicated answers are dropped first, so that the leakage and
    duplicate checks, which rightly flag identical rows across splits, do not
    plant a second cause.
    """
    from sklearn.model_selection import train_test_split
    from statsmodels.datasets import fair

    target = "rate_marriage"
    data = fair.load_pandas().data
    data = data.drop_duplicates(subset=[c for c in data.columns if c != target]).reset_index(drop=True)
    home, away = data[data["affairs"] == 0], data[data["affairs"] > 0]
    dev, test = train_test_split(away, test_size=0.5, random_state=0)
    return Problem.from_frames(home, dev=dev, test=test, target=target, task="regression", seed=0)


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("leakage", "leakage", "fix_leakage", leakage),
    Scenario("label_noise", "label_noise", "fix_labels", label_noise),
    Scenario("avoidable_bias", "avoidable_bias", "bigger_model", avoidable_bias),
    Scenario("variance", "variance", "regularize", variance),
    Scenario("data_mismatch", "data_mismatch", "reduce_mismatch", data_mismatch),
    Scenario("dev_overfit", "dev_overfit", "bigger_dev_set", dev_overfit),
    Scenario("underrepresented_slice", "underrepresented_slice", "targeted_data", underrepresented_slice),
    Scenario("training_instability", "training_instability", "tune_learning_rate", training_instability),
    Scenario("healthy", "none", "", healthy),
    Scenario("saturated_mismatch", "data_mismatch", "reduce_mismatch", saturated_mismatch, curve="saturated"),
)
