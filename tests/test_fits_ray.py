"""The diagnosis's own fits on Ray: a real local Ray (2 CPUs) started by the test, same report as locally."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

import unstuck
from unstuck.fits import FitJob, run_fits


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        yield
    finally:
        ray.shutdown()


def _table(n: int = 1500, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    color = rng.choice(["red", "green", "blue"], size=n)
    logit = 2.0 * x1 - 1.5 * x2 * x1 + np.where(color == "red", 1.0, 0.0)
    label = np.where(logit + rng.normal(scale=0.7, size=n) > 0, "yes", "no")
    return pd.DataFrame({"x1": x1, "x2": x2, "color": color, "noise": rng.normal(size=n), "label": label})


def test_fit_jobs_on_ray_give_the_local_results_in_order(local_ray: None) -> None:
    frame = _table(600)
    x, y = frame.drop(columns="label"), frame["label"].to_numpy()
    jobs = [
        FitJob("gradient_boosting", "classification", x.iloc[:size], y[:size], seed, {"num_leaves": leaves})
        for size, seed, leaves in ((200, 1, 7), (300, 2, 31), (400, 3, 15))
    ]
    finished: list[int] = []
    on_ray = run_fits(jobs, x.iloc[400:], n_train=400, backend="ray", on_done=lambda i, job: finished.append(i))
    local = run_fits(jobs, x.iloc[400:], n_train=400)
    assert finished == [0, 1, 2]
    for a, b in zip(on_ray, local, strict=True):
        assert np.array_equal(a.on_eval, b.on_eval) and np.array_equal(a.on_train, b.on_train)
    assert not np.array_equal(on_ray[0].on_eval, on_ray[1].on_eval)  # the settings reached the models


def _comparable(report: unstuck.Report) -> dict[str, Any]:
    document = report.to_dict()
    document.pop("timings")
    for rung in document["sections"]["baselines"]["rungs"]:
        rung.pop("fit_seconds")
    return document


def test_the_diagnosis_on_ray_is_the_local_one(local_ray: None) -> None:
    frame = _table()
    on_ray = unstuck.diagnose(frame, target="label", seed=2, backend="ray")
    local = unstuck.diagnose(frame, target="label", seed=2)
    assert on_ray.timings["backend"] == "ray"
    # the Ray fits ran: curve, sweeps and out-of-fold all have their sections and no check was lost
    assert {"learning_curve", "capacity"} <= set(on_ray.sections) and "oof_proba" in on_ray.timings["shared"]
    assert not [s for s in on_ray.skipped if s.reason.startswith("failed")]
    assert _comparable(on_ray) == _comparable(local)


def test_out_of_fold_on_ray_is_scikit_learns(local_ray: None) -> None:
    from unstuck.out_of_fold import out_of_fold_proba
    from unstuck.problem import Problem

    frame = _table(900)
    # a class of one training row: the model of the fold that holds it never sees the class, and
    # that class's column must be 0 there, as scikit-learn makes it
    frame.loc[0, "label"] = "rare"
    problem = Problem.from_frames(frame.iloc[:700], dev=frame.iloc[700:], target="label", seed=4)
    for name in ("gradient_boosting", "linear"):
        on_ray = out_of_fold_proba(problem, name, folds=5, backend="ray")
        local = out_of_fold_proba(problem, name, folds=5)
        assert on_ray.shape == local.shape == (len(problem.frames["train"]), 3)
        assert np.array_equal(on_ray, local)
        assert on_ray[0, 1] == 0.0  # "rare" sorts between "no" and "yes"
    regression = Problem.from_frames(frame.assign(label=frame["x1"] * 2.0), target="label", seed=4)
    assert np.array_equal(
        out_of_fold_proba(regression, "linear", backend="ray"), out_of_fold_proba(regression, "linear")
    )
