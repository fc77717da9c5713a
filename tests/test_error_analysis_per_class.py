"""Per-class errors and confusions on a hand-made case; regression residuals by target quintile."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from unstuck.context import Context
from unstuck.problem import Problem
from unstuck.registry import registered_checks
from unstuck.runner import run_checks


def _run(problem: Problem):  # type: ignore[no-untyped-def]
    spec = next(s for s in registered_checks() if s.name == "per_class")
    return run_checks(problem, Context(problem), checks=[spec])


def test_per_class_numbers_by_hand() -> None:
    # dev: 10 a (2 wrong: both → b), 6 b (3 wrong: 2 → c, 1 → a), 4 c (0 wrong); train: 50 a, 30 b, 20 c
    dev_true = ["a"] * 10 + ["b"] * 6 + ["c"] * 4
    dev_pred = ["b", "b"] + ["a"] * 8 + ["c", "c", "a"] + ["b"] * 3 + ["c"] * 4
    train_true = ["a"] * 50 + ["b"] * 30 + ["c"] * 20
    table = pd.concat(
        [
            pd.DataFrame({"split": "train", "y_true": train_true, "y_pred": train_true}),
            pd.DataFrame({"split": "dev", "y_true": dev_true, "y_pred": dev_pred}),
        ]
    )
    run = _run(Problem.from_predictions(table))
    section = run.sections["per_class"]
    rows = {r["class"]: r for r in section["classes"]}
    assert section["dev_errors"] == 5
    assert rows["a"]["error"] == pytest.approx(0.2) and rows["a"]["share_of_errors"] == pytest.approx(0.4)
    assert rows["b"]["error"] == pytest.approx(0.5) and rows["b"]["share_of_errors"] == pytest.approx(0.6)
    assert rows["c"]["error"] == 0.0 and rows["c"]["train_support"] == 20 and rows["c"]["dev_support"] == 4
    # Wilson interval of 3/6: centre (0.5 + 1.92/12)/(1 + 3.84/6)
    low, high = rows["b"]["error_interval"]
    assert low == pytest.approx(0.1876, abs=1e-3) and high == pytest.approx(0.8124, abs=1e-3)
    assert section["confusions"][:2] == [
        {"true": "a", "predicted": "b", "count": 2, "share_of_errors": 0.4},
        {"true": "b", "predicted": "c", "count": 2, "share_of_errors": 0.4},
    ]
    most = next(f for f in run.findings if f.id == "per_class.most_errors")
    assert most.evidence["class"] == "b" and most.evidence["rest_error"] == pytest.approx(2 / 14)
    assert "60% of dev errors" in most.title


def test_regression_residuals_sit_where_planted() -> None:
    rng = np.random.default_rng(0)
    y = rng.normal(size=2000)
    pred = y + rng.normal(scale=0.1, size=2000)
    top = y > np.quantile(y, 0.8)
    pred[top] += rng.normal(scale=2.0, size=int(top.sum()))
    table = pd.DataFrame({"split": "dev", "y_true": y, "y_pred": pred})
    run = _run(Problem.from_predictions(table, task="regression"))
    section = run.sections["per_class"]
    assert section["top_decile_rows"] == 200
    last = section["by_target_quintile"][-1]
    assert last["share_of_top_decile"] == 1.0
    assert last["share_of_squared_error"] > 0.95
    finding = next(f for f in run.findings if f.id == "per_class.large_residuals")
    assert finding.evidence["where"]["y_true_range"] == last["y_true_range"]
