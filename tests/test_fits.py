"""Many small fits at once: worker processes give exactly the in-process results."""

from __future__ import annotations

import numpy as np
import pandas as pd

from unstuck.fits import PARALLEL_FROM, FitJob, run_fits, workers_for


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
