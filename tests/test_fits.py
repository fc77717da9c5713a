"""Many small fits at once: worker processes give exactly the in-process results; the label check's
paired refit without flagged rows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from unstuck.baselines import make_baseline
from unstuck.fits import PARALLEL_FROM, FitJob, refit_without, run_fits, workers_for
from unstuck.problem import Problem


def _jobs() -> tuple[list[FitJob], pd.DataFrame]:
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"a": rng.normal(size=600), "b": rng.choice(["u", "v", "w"], size=600)})
    y = np.asarray((x["a"] + (x["b"] == "u") + rng.normal(scale=0.5, size=600)) > 0.4, dtype=int)
    jobs = [
        FitJob("gradient_boosting", "classification", x.iloc[:size], y[:size], seed, {"num_leaves": leaves})
        for size, seed, leaves in ((200, 1, 7), (300, 2, 31), (400, 3, 15))
    ]
    jobs.append(FitJob("linear", "classification", x.iloc[:250], y[:250], 4, {"C": 0.1}))
    return jobs, x.iloc[400:]


def test_worker_processes_give_the_in_process_one_thread_results_in_order() -> None:
    jobs, x_eval = _jobs()
    seen: list[int] = []
    parallel = run_fits(jobs, x_eval, n_train=PARALLEL_FROM, on_done=lambda i, job: seen.append(i))
    assert seen == [0, 1, 2, 3]
    from unstuck.fits import _fit

    for job, output in zip(jobs, parallel, strict=True):
        alone = _fit(job, x_eval, one_thread=True)
        assert np.array_equal(output.on_eval, alone.on_eval) and np.array_equal(output.on_train, alone.on_train)
        assert output.on_train.shape == (len(job.rows),) and output.on_eval.shape == (len(x_eval),)
    # the settings reached the models: 7 leaves and 31 leaves disagree somewhere on 200 rows
    assert not np.array_equal(parallel[0].on_eval, parallel[1].on_eval)


def test_small_problems_fit_in_process() -> None:
    assert workers_for(PARALLEL_FROM - 1, 16) == 1
    assert workers_for(PARALLEL_FROM, 1) == 1
    assert 1 <= workers_for(PARALLEL_FROM, 16) <= 4
    jobs, x_eval = _jobs()
    outputs = run_fits(jobs[:1], x_eval, n_train=500)
    assert outputs[0].on_eval.shape == (len(x_eval),)


def _problem(n: int = 900) -> Problem:
    rng = np.random.default_rng(1)
    x = rng.normal(size=n)
    frame = pd.DataFrame(
        {"x": x, "z": rng.normal(size=n), "y": np.where(x + rng.normal(scale=0.7, size=n) > 0, "a", "b")}
    )
    return Problem.from_frames(frame.iloc[:600], dev=frame.iloc[600:], target="y", seed=3)


def _dev_predictions(problem: Problem, rows: NDArray[np.int64]) -> NDArray[Any]:
    """The baseline fitted on exactly ``rows`` of train, as the user would fit it, predicting dev."""
    train, features = problem.frames["train"], list(problem.features)
    model = make_baseline("gradient_boosting", problem.task, train[features].iloc[rows], seed=problem.seed)
    model.fit(train[features].iloc[rows], train["y"].to_numpy()[rows])
    return np.asarray(model.predict(problem.frames["dev"][features]))


def test_a_refit_on_all_of_train_is_one_fit_paired_with_the_baseline_itself() -> None:
    problem = _problem()
    left_out = np.array([0, 5, 17, 300, 599])
    baseline = np.full(300, "a")  # stands for the ladder's dev predictions, passed through untouched
    refit = refit_without(problem, "gradient_boosting", left_out, baseline_dev=baseline, max_rows=None)
    assert refit.with_rows is baseline or np.array_equal(refit.with_rows, baseline)
    assert (refit.train_rows, refit.left_out) == (600, 5)
    kept = np.setdiff1d(np.arange(600), left_out)
    assert np.array_equal(refit.without_rows, _dev_predictions(problem, kept))
    # a train no larger than the budget's rows is refitted whole as well
    same = refit_without(problem, "gradient_boosting", left_out, baseline_dev=baseline, max_rows=600)
    assert np.array_equal(same.without_rows, refit.without_rows) and same.train_rows == 600


def test_a_refit_on_a_larger_train_pairs_two_fits_on_one_sample() -> None:
    problem = _problem()
    left_out = np.arange(0, 600, 3)  # every third row: 200 of 600
    refit = refit_without(problem, "gradient_boosting", left_out, baseline_dev=np.empty(0), max_rows=450)
    sample = np.sort(np.random.default_rng(problem.seed).choice(600, size=450, replace=False))
    kept = sample[sample % 3 != 0]
    assert refit.train_rows == 450 and refit.left_out == 450 - len(kept)
    assert 100 < refit.left_out < 200  # the flagged rows that fell into the sample, not all 200
    assert np.array_equal(refit.with_rows, _dev_predictions(problem, sample))
    assert np.array_equal(refit.without_rows, _dev_predictions(problem, kept))
    assert not np.array_equal(refit.with_rows, refit.without_rows)
