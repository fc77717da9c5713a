"""unstuck.error_sample and ``unstuck tag``'s options: the sample to tag by hand, as a Python call."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest

from unstuck.error_sample import sample_dev_errors
from unstuck.errors import ConfigError
from unstuck.pipeline import load_problem


def predictions(n_dev: int = 200, n_errors: int = 40) -> pd.DataFrame:
    """Dev rows 0..n_errors-1 wrong (30 of class a, 10 of b... by the cycle a/b/c/d); train all right."""
    y = np.array(list("abcd") * (n_dev // 4))
    pred = y.copy()
    pred[:n_errors] = np.where(y[:n_errors] == "a", "b", "a")
    dev = pd.DataFrame({"split": "dev", "y_true": y, "y_pred": pred})
    train = pd.DataFrame({"split": "train", "y_true": y, "y_pred": y})
    return pd.concat([train, dev], ignore_index=True)


def test_a_stratified_sample_of_the_dev_errors() -> None:
    steps: list[str] = []
    drawn = sample_dev_errors(load_problem(predictions=predictions(), seed=3), size=8, on_step=steps.append)
    assert drawn.n_errors == 40 and drawn.seed == 3 and steps == ["predicting on dev"]
    table = drawn.table
    assert len(table) == 8 and list(table.columns) == ["row", "y_true", "y_pred", "tags"]
    assert (table["y_true"] != table["y_pred"]).all() and (table["tags"] == "").all()
    # 10 errors of each true class among 40: 2 of each in 8
    assert table["y_true"].value_counts().to_dict() == {"a": 2, "b": 2, "c": 2, "d": 2}
    keys = [int(k.removeprefix("dev-")) for k in table["row"]]
    assert keys == sorted(keys) and max(keys) < 40
    again = sample_dev_errors(load_problem(predictions=predictions(), seed=3), size=8)
    assert again.table.equals(table)


def test_a_regression_problem_is_a_config_error() -> None:
    frame = pd.DataFrame({"split": "dev", "y_true": np.linspace(0, 1, 50), "y_pred": np.linspace(0, 1.1, 50)})
    with pytest.raises(ConfigError, match="needs a classification task"):
        sample_dev_errors(load_problem(predictions=frame))


def test_tag_takes_the_data_options_of_diagnose_with_the_same_declarations() -> None:
    import typing

    from unstuck.cli.diagnose import diagnose
    from unstuck.cli.tag import tag

    own = {"sample", "output", "force"}
    diagnose_hints = typing.get_type_hints(diagnose, include_extras=True)
    tag_hints = typing.get_type_hints(tag, include_extras=True)
    shared = [name for name in inspect.signature(tag).parameters if name not in own]
    assert "data" in shared and "card" in shared and "predictions" in shared
    for name in shared:
        assert tag_hints[name] == diagnose_hints[name], name
        assert inspect.signature(tag).parameters[name].default == inspect.signature(diagnose).parameters[name].default
