"""Many small baseline fits at once: the learning curve's subsets and the hyperparameter sweeps.

Each :class:`FitJob` trains one baseline on its rows and predicts them and a shared
evaluation table (the dev rows). On large problems (:data:`PARALLEL_FROM` training
rows or more) the jobs run in worker processes, each fit on one thread: small
LightGBM fits gain little from a second thread and lose badly when threads compete
for cores, whereas independent fits in separate processes scale. The fits, and so
the results, do not depend on how many workers run them; only the training-set size
decides between the in-process path and the one-thread-per-fit path.

With ``backend="ray"`` each job is a Ray task (one CPU) on the session that
:func:`ray_session` opened or found, so the fits spread over a cluster's nodes; the
thread rule is the same as locally, so a seed gives the same models, and the same
report, on either backend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from unstuck.workers import MAX_WORKERS, PARALLEL_FROM, workers_for  # re-exported: callers name them here

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.problem import Problem

__all__ = [
    "FIT_BACKENDS",
    "MAX_WORKERS",
    "PARALLEL_FROM",
    "FitJob",
    "FitOutput",
    "Refit",
    "ray_session",
    "refit_without",
    "run_fits",
    "workers_for",
]


#: Where the diagnosis's own fits run.
FIT_BACKENDS: tuple[str, ...] = ("local", "ray")


@dataclass(frozen=True)
class FitJob:
    """One baseline (``name``) to train on ``rows`` / ``y`` with ``seed`` and estimator ``params``."""

    name: str
    task: str
    rows: pd.DataFrame
    y: NDArray[Any]
    seed: int
    params: Mapping[str, Any] = field(default_factory=dict)
    #: The columns represented as text (the problem's, so a user's override holds in every fit).
    text_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class FitOutput:
    """Predictions of one fitted job on the shared evaluation rows and on its own training rows
    (empty when :func:`run_fits` was told not to predict them)."""

    on_eval: NDArray[Any]
    on_train: NDArray[Any]


def _fit(job: FitJob, x_eval: pd.DataFrame, one_thread: bool, predict_train: bool = True) -> FitOutput:
    from unstuck.baselines import make_baseline

    params = dict(job.params)
    if one_thread and job.name == "gradient_boosting":
        params["n_jobs"] = 1
    model = make_baseline(job.name, job.task, job.rows, seed=job.seed, params=params, text_columns=job.text_columns)
    model.fit(job.rows, job.y)
    on_train = np.asarray(model.predict(job.rows)) if predict_train else np.empty(0)
    return FitOutput(on_eval=np.asarray(model.predict(x_eval)), on_train=on_train)


def run_fits(
    jobs: Sequence[FitJob],
    x_eval: pd.DataFrame,
    *,
    n_train: int,
    on_done: Callable[[int, FitJob], None] | None = None,
    backend: str = "local",
    predict_train: bool = True,
) -> list[FitOutput]:
    """Fit every job and predict ``x_eval`` with it; outputs in the jobs' order.

    ``on_done(i, job)`` is called as each job finishes (for progress). Problems of
    :data:`PARALLEL_FROM` training rows or more fit in worker processes, one thread each;
    ``backend="ray"`` fits every job as a Ray task instead. ``predict_train=False`` skips the
    predictions on each job's own rows (its ``on_train`` is then empty).
    """
    one_thread = n_train >= PARALLEL_FROM
    if backend == "ray":
        return _run_ray(jobs, x_eval, one_thread, on_done, predict_train)
    workers = workers_for(n_train, len(jobs))
    outputs: Iterator[FitOutput]
    if workers == 1:
        outputs = (_fit(job, x_eval, one_thread, predict_train) for job in jobs)
    else:
        from joblib import Parallel, delayed  # type: ignore[import-untyped]

        outputs = Parallel(n_jobs=workers, backend="loky", return_as="generator")(
            delayed(_fit)(job, x_eval, one_thread, predict_train) for job in jobs
        )
    done = []
    for i, (job, output) in enumerate(zip(jobs, outputs, strict=True)):
        done.append(output)
        if on_done is not None:
            on_done(i, job)
    return done


def _run_ray(
    jobs: Sequence[FitJob],
    x_eval: pd.DataFrame,
    one_thread: bool,
    on_done: Callable[[int, FitJob], None] | None,
    predict_train: bool,
) -> list[FitOutput]:
    """Each job as a Ray task on the current session; the evaluation rows are shipped once."""
    import ray

    task: Any = ray.remote(num_cpus=1, max_retries=1)(_fit)  # its typed overloads stop at three arguments
    shared = ray.put(x_eval)
    pending = {task.remote(job, shared, one_thread, predict_train): i for i, job in enumerate(jobs)}
    done: dict[int, FitOutput] = {}
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1)
        for ref in ready:
            i = pending.pop(ref)
            done[i] = ray.get(ref)
            if on_done is not None:
                on_done(len(done) - 1, jobs[i])
    return [done[i] for i in range(len(jobs))]


@dataclass(frozen=True)
class Refit:
    """Dev predictions of one baseline fitted on ``train_rows`` rows of train (``with_rows``) and on
    the same rows less ``left_out`` of them (``without_rows``)."""

    with_rows: NDArray[Any]
    without_rows: NDArray[Any]
    train_rows: int
    left_out: int


def refit_without(
    problem: Problem,
    model_name: str,
    left_out: NDArray[np.int64],
    *,
    baseline_dev: NDArray[Any],
    max_rows: int | None,
    backend: str = "local",
) -> Refit:
    """Baseline ``model_name`` refitted without the train rows ``left_out``, paired with a fit that keeps them.

    When train has at most ``max_rows`` rows (or ``max_rows`` is None) the refit uses all of
    train less ``left_out``, and its partner is the baseline already fitted on all of train,
    whose dev predictions are ``baseline_dev``: one fit. Otherwise both fits use the same seeded
    sample of ``max_rows`` training rows, one with and one without the ``left_out`` rows among
    them, so that the two differ only by those rows: two fits of ``max_rows`` rows instead of one
    on all of train, run as :func:`run_fits` runs the curve's (worker processes, one thread each).
    """
    train, dev = problem.frames["train"], problem.frames["dev"]
    target, features = problem.target, list(problem.features)
    assert target is not None
    n_train = len(train)
    dropped = np.zeros(n_train, dtype=bool)
    dropped[left_out] = True
    if max_rows is None or n_train <= max_rows:
        sample = np.arange(n_train)
    else:
        sample = np.sort(np.random.default_rng(problem.seed).choice(n_train, size=max_rows, replace=False))
    kept = sample[~dropped[sample]]
    text = problem.text_columns
    jobs = [
        FitJob(
            model_name,
            problem.task,
            train[features].iloc[kept],
            train[target].to_numpy()[kept],
            problem.seed,
            text_columns=text,
        )
    ]
    if len(sample) < n_train:
        rows = train[features].iloc[sample]
        jobs.insert(
            0, FitJob(model_name, problem.task, rows, train[target].to_numpy()[sample], problem.seed, text_columns=text)
        )
    outputs = run_fits(jobs, dev[features], n_train=n_train, backend=backend, predict_train=False)
    with_rows = outputs[0].on_eval if len(outputs) == 2 else np.asarray(baseline_dev)
    return Refit(with_rows, outputs[-1].on_eval, len(sample), len(sample) - len(kept))


@contextmanager
def ray_session(backend: str) -> Iterator[None]:
    """Open a Ray session for ``backend="ray"`` unless one is open; close it after if opened here.

    An open session (``ray.init`` already called, as a test or notebook does) is used as it
    is; otherwise ``ray.init()`` joins the cluster named by ``RAY_ADDRESS``, or starts a local
    one. Any other backend does nothing. Ray missing is a user error naming the extra.
    """
    if backend not in FIT_BACKENDS:
        from unstuck.errors import ConfigError

        raise ConfigError(f"Unknown backend '{backend}'.", f"Choose one of {', '.join(FIT_BACKENDS)}.")
    if backend != "ray":
        yield
        return
    try:
        import ray
    except ModuleNotFoundError as exc:
        from unstuck.errors import ConfigError

        raise ConfigError("--backend ray needs Ray, which is not installed.", "pip install 'unstuck[ray]'.") from exc
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        yield
    finally:
        if started_here:
            ray.shutdown()
