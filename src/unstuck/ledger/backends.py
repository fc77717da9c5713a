"""Where variants run: local processes (default) or Ray tasks; each run through :func:`unstuck.runs.run_command`.

A backend takes ``(experiment_id, RunSpec)`` pairs and two callbacks:
``on_start(id)`` when the variant is launched and ``on_result(id, RunResult)``
when it ends. Callbacks run in the process that owns the ledger (the driver),
so a SQLite ledger works with Ray too: workers never touch it.

* ``local``: a thread pool of ``jobs`` threads, each waiting on one command
  process (the command itself is a separate process, so threads suffice).
* ``ray``: one Ray task per variant (1 CPU each), at most ``jobs`` in flight
  when given. The task runs :func:`unstuck.runs.run_command` on a worker, so
  unstuck must be installed on the cluster's nodes. An existing Ray session
  (``ray.init`` already called) is used as it is; otherwise ``ray.init(address)``
  connects (``"auto"``: the cluster this machine belongs to; None: a local one)
  and the session is shut down at the end.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from unstuck.runs import RunResult, RunSpec

__all__ = ["BACKENDS", "run_local", "run_ray"]

logger = logging.getLogger(__name__)

BACKENDS: tuple[str, ...] = ("local", "ray")

OnStart = Callable[[int], None]
OnResult = Callable[[int, "RunResult"], None]


def run_local(items: Sequence[tuple[int, RunSpec]], *, jobs: int, on_start: OnStart, on_result: OnResult) -> None:
    """Run the items with at most ``jobs`` commands at a time; an interrupt kills every running command."""
    from concurrent.futures import ThreadPoolExecutor

    from unstuck.runs import LiveProcesses, run_command

    live = LiveProcesses()  # every running command; an interrupt kills them all (as run_many does)
    lock = threading.Lock()

    def one(item: tuple[int, RunSpec]) -> None:
        experiment_id, spec = item
        if live.stopped:
            return
        with lock:
            on_start(experiment_id)
        result = run_command(spec, live=live)
        with lock:
            on_result(experiment_id, result)

    pool = ThreadPoolExecutor(max_workers=max(1, min(jobs, len(items) or 1)), thread_name_prefix="unstuck-sweep")
    try:
        futures = [pool.submit(one, item) for item in items]
        for future in futures:
            future.result()
    except BaseException:
        live.kill_all()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _ray_task(spec: RunSpec) -> tuple[RunResult, str]:
    """Body of the Ray task: run the command on this worker; return the result and the worker's host name."""
    import socket

    from unstuck.runs import run_command

    return run_command(spec), socket.gethostname()


def run_ray(
    items: Sequence[tuple[int, RunSpec]],
    *,
    jobs: int | None,
    on_start: OnStart,
    on_result: OnResult,
    address: str | None = None,
) -> dict[int, str]:
    """Run each item as a Ray task; return ``{experiment_id: worker host}``.

    A task that Ray itself loses (worker died, node gone) is reported as a
    result with no return code and the Ray error as its stderr tail.
    """
    try:
        import ray
    except ModuleNotFoundError as exc:
        from unstuck.errors import ConfigError

        raise ConfigError(
            "--backend ray needs Ray, which is not installed.", hint="pip install 'unstuck[ray]'."
        ) from exc
    from unstuck.runs import RunResult

    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
    hosts: dict[int, str] = {}
    try:
        task = ray.remote(num_cpus=1, max_retries=0)(_ray_task)
        queue = list(items)
        limit = jobs if jobs and jobs > 0 else len(queue)
        in_flight: dict[Any, tuple[int, RunSpec]] = {}
        while queue or in_flight:
            while queue and len(in_flight) < limit:
                experiment_id, spec = queue.pop(0)
                on_start(experiment_id)
                in_flight[task.remote(spec)] = (experiment_id, spec)
            done, _ = ray.wait(list(in_flight), num_returns=1)
            for ref in done:
                experiment_id, spec = in_flight.pop(ref)
                try:
                    result, host = ray.get(ref)
                    hosts[experiment_id] = host
                except Exception as exc:  # a lost task is a result, not a crash of the sweep
                    logger.warning("experiment %d: the Ray task was lost", experiment_id, exc_info=exc)
                    result = RunResult(
                        spec, None, {}, str(exc)[-2000:], 0.0, error=f"the Ray task was lost: {type(exc).__name__}"
                    )
                on_result(experiment_id, result)
    finally:
        if started_here:
            ray.shutdown()
    return hosts
