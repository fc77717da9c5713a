"""Train-vs-dev shift: a planted shift is found and attributed; a random split is not."""

from __future__ import annotations

import pandas as pd
import pytest

from unstuck.context import Context
from unstuck.problem import Problem
from unstuck.registry import registered_checks
from unstuck.runner import run_checks

SHIFT = [s for s in registered_checks() if s.name == "shift"]


@pytest.fixture(scope="module")
def cancer() -> tuple[pd.DataFrame, pd.DataFrame]:
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    frame = load_breast_cancer(as_frame=True).frame
    train, dev = train_test_split(frame, test_size=0.3, random_state=0)
    return train, dev


def test_shifted_feature_drives_the_domain_classifier(cancer) -> None:
    train, dev = cancer
    dev = dev.assign(**{"mean texture": dev["mean texture"] + 6.0})
    problem = Problem.from_frames(train, dev=dev, target="target")
    result = run_checks(problem, Context(problem), checks=SHIFT)
    finding = result.findings[0]
    section = result.sections["shift"]
    assert finding.severity == "warning" and finding.lever == "reduce_mismatch"
    assert finding.bottleneck == "data_mismatch"
    assert section["auc_interval"][0] >= 0.6
    assert section["features"][0]["column"] == "mean texture"
    shifted = [f for f in section["features"] if f["q_value"] < 0.05]
    assert [f["column"] for f in shifted] == ["mean texture"]
    assert section["data_mismatch"] is not None  # the decomposition's gap, side by side


def test_random_split_shows_no_shift(cancer) -> None:
    train, dev = cancer
    problem = Problem.from_frames(train, dev=dev, target="target")
    result = run_checks(problem, Context(problem), checks=SHIFT)
    finding = result.findings[0]
    assert finding.severity == "info" and finding.lever is None
    low, high = result.sections["shift"]["auc_interval"]
    assert low < 0.6 and high > 0.45
    assert result.sections["shift"]["shifted_features"] == 0


def test_dev_carved_from_train_is_skipped_with_the_reason(cancer) -> None:
    train, _ = cancer
    problem = Problem.from_frames(train, target="target")
    result = run_checks(problem, Context(problem), checks=SHIFT)
    assert result.findings == ()
    assert "carved at random" in result.skipped[0].reason
