"""Problem: task inference, carving rules, validation messages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from unstuck.errors import ColumnProblem, ConfigError, SplitProblem
from unstuck.problem import Problem, infer_task
from unstuck.splits import carve_size_train_dev


@pytest.mark.parametrize(
    ("values", "task"),
    [
        (["a", "b", "a"], "classification"),
        ([True, False, True], "classification"),
        ([0, 1, 2, 1], "classification"),
        ([0.0, 1.0, 1.0], "classification"),
        (list(range(100)), "regression"),
        ([0.5, 1.25, 3.0], "regression"),
    ],
)
def test_infer_task(values: list[object], task: str) -> None:
    assert infer_task(pd.Series(values)) == task


def test_carve_rule() -> None:
    assert carve_size_train_dev(10_000, 2_000) == 2_000  # as large as dev
    assert carve_size_train_dev(10_000, 5_000) == 2_000  # at most 20% of train
    assert carve_size_train_dev(1_000, 50) == 200  # at least min(200, 25%)
    assert carve_size_train_dev(400, 20) == 100


def test_dev_carved_from_train_when_absent(tabular: pd.DataFrame) -> None:
    problem = Problem.from_frames(tabular, target="label", seed=3)
    assert problem.split_sizes == {"train": 1600, "dev": 400}
    assert problem.dev_from_train
    assert "stratified 20%" in problem.notes["dev"]
    # Stratified: the class shares match to within one row.
    share = lambda f: (f["label"] == "yes").mean()  # noqa: E731
    assert abs(share(problem.frames["dev"]) - share(tabular)) < 0.003


def test_train_dev_carved_when_dev_given(tabular: pd.DataFrame) -> None:
    problem = Problem.from_frames(tabular.iloc[:1500], dev=tabular.iloc[1500:], target="label")
    assert problem.split_sizes == {"train": 1200, "train_dev": 300, "dev": 500}
    assert not problem.dev_from_train
    ids = lambda f: set(map(tuple, f[["x1", "noise"]].to_numpy()))  # noqa: E731
    assert not ids(problem.frames["train"]) & ids(problem.frames["train_dev"])


def test_seed_makes_carving_reproducible(tabular: pd.DataFrame) -> None:
    a = Problem.from_frames(tabular, target="label", seed=1).frames["dev"]
    b = Problem.from_frames(tabular, target="label", seed=1).frames["dev"]
    c = Problem.from_frames(tabular, target="label", seed=2).frames["dev"]
    assert a.equals(b) and not a.equals(c)


def test_target_typo_suggests_the_closest_column(tabular: pd.DataFrame) -> None:
    with pytest.raises(ColumnProblem, match="Did you mean 'label'"):
        Problem.from_frames(tabular, target="lable")


def test_one_class_only(tabular: pd.DataFrame) -> None:
    with pytest.raises(ColumnProblem, match="only one class"):
        Problem.from_frames(tabular.assign(label="yes"), target="label")


def test_target_with_missing_values(tabular: pd.DataFrame) -> None:
    broken = tabular.copy()
    broken.loc[[3, 7], "label"] = np.nan
    with pytest.raises(ColumnProblem, match="missing in 2 of 2000 rows"):
        Problem.from_frames(broken, target="label")


def test_all_nan_column_names_the_fix(tabular: pd.DataFrame) -> None:
    with pytest.raises(ColumnProblem, match="--drop empty") as info:
        Problem.from_frames(tabular.assign(empty=np.nan), target="label")
    assert "['empty']" in info.value.message


def test_mismatched_columns(tabular: pd.DataFrame) -> None:
    with pytest.raises(SplitProblem, match=r"missing \['color'\]"):
        Problem.from_frames(tabular, dev=tabular.drop(columns="color"), target="label")


def test_empty_split(tabular: pd.DataFrame) -> None:
    with pytest.raises(SplitProblem, match="has no rows"):
        Problem.from_frames(tabular, dev=tabular.iloc[:0], target="label")


def test_human_error_out_of_range(tabular: pd.DataFrame) -> None:
    with pytest.raises(ConfigError, match="outside the range"):
        Problem.from_frames(tabular, target="label", human_error=2.0)


def test_split_column_aliases(tabular: pd.DataFrame) -> None:
    frame = tabular.assign(
        part=np.where(np.arange(2000) < 1400, "train", np.where(np.arange(2000) < 1700, "validation", "test"))
    )
    problem = Problem.from_split_column(frame, split_column="part", target="label")
    assert problem.split_sizes["dev"] == 300 and problem.split_sizes["test"] == 300
    assert "part" not in problem.features


def test_predictions_need_their_columns() -> None:
    with pytest.raises(ColumnProblem, match=r"lacks the column\(s\) \['y_pred'\]"):
        Problem.from_predictions(pd.DataFrame({"split": ["dev"], "y_true": [1]}))


def test_regression_metric_rmse() -> None:
    frame = pd.DataFrame(
        {
            "split": ["train"] * 4 + ["dev"] * 4,
            "y_true": [1.0, 2, 3, 4, 1, 2, 3, 4],
            "y_pred": [1.0, 2, 3, 6, 2, 3, 4, 5],
        }
    )
    problem = Problem.from_predictions(frame, task="regression")
    assert problem.metric.name == "rmse"
    # train: one error of 2 -> sqrt(4/4) = 1; dev: four errors of 1 -> 1.
    assert problem.metric(frame.y_true[:4].to_numpy(), frame.y_pred[:4].to_numpy()) == pytest.approx(1.0)
