"""No false alarms: clean real datasets split at random raise no warning or critical data finding.

And the data checks are part of ``diagnose``: a planted leak shows up there too,
ranked first, with the report's leakage notice when the pipeline sets one.
"""

from __future__ import annotations

import pandas as pd
import pytest

from unstuck.pipeline import data_checks, explore_problem
from unstuck.problem import Problem


def random_split(loader: str, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    import sklearn.datasets
    from sklearn.model_selection import train_test_split

    frame = getattr(sklearn.datasets, loader)(as_frame=True).frame
    train, rest = train_test_split(frame, test_size=0.4, random_state=seed)
    dev, test = train_test_split(rest, test_size=0.5, random_state=seed)
    return train, dev, test


def test_every_data_check_is_tagged_and_described() -> None:
    names = {s.name for s in data_checks()}
    assert names >= {
        "leakage",
        "duplicates",
        "labels",
        "residual_outliers",
        "imbalance",
        "columns",
        "target_leakage",
        "outliers",
        "shift",
        "privacy",
    }
    assert "baselines" not in names and "decomposition" not in names


@pytest.mark.parametrize("loader", ["load_breast_cancer", "load_wine", "load_digits"])
def test_clean_real_data_raises_no_alarm(loader: str) -> None:
    train, dev, test = random_split(loader)
    report = explore_problem(Problem.from_frames(train, dev=dev, test=test, target="target"))
    alarms = [(f.id, f.title) for f in report.findings if f.severity != "info"]
    assert alarms == []
    failed = [s for s in report.skipped if s.reason.startswith("failed")]
    assert failed == []
    assert report.bottleneck == "none"
    assert {"leakage", "labels", "shift", "columns", "target_leakage"} <= set(report.sections)


def test_diagnose_runs_the_data_checks_and_ranks_leakage_first() -> None:
    from unstuck.pipeline import diagnose_problem

    train, dev, test = random_split("load_breast_cancer")
    leaky = pd.concat([dev, train.iloc[:20]], ignore_index=True)
    report = diagnose_problem(Problem.from_frames(train, dev=leaky, test=test, target="target"))
    assert report.finding("leakage.train.dev") is not None
    assert report.interventions[0].lever == "fix_leakage"
    assert report.bottleneck == "leakage"
