"""Running a user's training command, many times, and reading its metrics back.

This is the variant runner that ``unstuck curve -- CMD`` and the experiment
ledger share. The API is small and stable:

* :class:`RunSpec` — one run: the command (after placeholder substitution), the
  values it was run with, extra environment, working directory and timeout;
* :func:`substitute` — fill ``{fraction}``, ``{seed}``, ``{size}`` (any name in
  ``values``) into a command template;
* :func:`run_command` — run one spec, never raise for a failing command;
* :func:`run_many` — run specs in parallel processes, results in input order;
* :func:`read_metrics` — the metrics contract below;
* :class:`LiveProcesses` — the processes of runs in flight, killed together on an interrupt;
* :class:`RunResult` — what came back: return code, metrics, stderr tail, seconds.

The metrics contract
--------------------
A command reports its metrics in one of two ways (the file wins when both are present):

1. it writes a JSON object to the file named by the environment variable
   ``UNSTUCK_METRICS_FILE`` (unstuck creates the path in a private temporary
   directory; the command only has to write it), or
2. it prints a JSON object as its **last JSON line** on stdout, e.g.
   ``{"dev_error": 0.123, "train_error": 0.05}``; lines after it that are not
   JSON objects (log noise) are tolerated.

Each run also receives its placeholder values as ``UNSTUCK_<NAME>`` environment
variables (``UNSTUCK_FRACTION=0.1``, ``UNSTUCK_SEED=0`` …), so a script can read
them without argument parsing.

A run fails — and is reported, never raised — when the command cannot start,
exits non-zero, runs past its timeout (its whole process group is killed), or
reports no metrics. Output goes to temporary files rather than pipes, so a
chatty command neither blocks nor fills memory; only the last
:data:`STDOUT_TAIL_BYTES` of stdout are parsed and the last
:data:`STDERR_TAIL_CHARS` characters of stderr are kept.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "METRICS_ENV",
    "LiveProcesses",
    "RunResult",
    "RunSpec",
    "placeholders",
    "read_metrics",
    "run_command",
    "run_many",
    "substitute",
]

#: The environment variable naming the file a command may write its metrics JSON to.
METRICS_ENV = "UNSTUCK_METRICS_FILE"
STDOUT_TAIL_BYTES = 256 * 1024
STDERR_TAIL_CHARS = 2000

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def placeholders(template: str | Sequence[str]) -> set[str]:
    """The ``{name}`` placeholders that appear in a command template."""
    parts = [template] if isinstance(template, str) else list(template)
    return {m.group(1) for part in parts for m in _PLACEHOLDER.finditer(part)}


def substitute(template: str | Sequence[str], values: Mapping[str, object]) -> str | tuple[str, ...]:
    """Replace each ``{name}`` whose name is in ``values`` by ``str(value)``.

    Other braces (a JSON literal, ``{unknown}``) are left as they are, so commands
    that contain braces of their own still work. A string template gives a string
    (run through the shell), a sequence gives a tuple of arguments (run directly).
    """

    def fill(part: str) -> str:
        return _PLACEHOLDER.sub(lambda m: _format(values[m.group(1)]) if m.group(1) in values else m.group(0), part)

    if isinstance(template, str):
        return fill(template)
    return tuple(fill(part) for part in template)


def _format(value: object) -> str:
    """Floats without float noise (0.1, not 0.1000000001); everything else as ``str``."""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


@dataclass(frozen=True)
class RunSpec:
    """One run of a command.

    Parameters
    ----------
    command:
        A tuple of arguments (run directly, no shell) or a string (run with ``/bin/sh -c``),
        placeholders already substituted (see :func:`substitute`).
    values:
        The placeholder values of this run (``{"fraction": 0.1, "seed": 0}``); they are
        passed as ``UNSTUCK_<NAME>`` environment variables and kept in the result.
    env:
        Extra environment variables on top of the current environment.
    cwd:
        Working directory (default: the current one).
    timeout:
        Seconds before the run is killed (None: no limit).
    """

    command: str | tuple[str, ...]
    values: Mapping[str, Any] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    timeout: float | None = None

    @property
    def display(self) -> str:
        """The command as one line, for people."""
        if isinstance(self.command, str):
            return self.command
        import shlex

        return shlex.join(self.command)


@dataclass(frozen=True)
class RunResult:
    """What one run produced.

    ``returncode`` is None when the command could not start or was killed at its
    timeout. ``metrics`` is the JSON object the command reported (empty when none).
    ``error`` is None for a successful run, otherwise one sentence saying why it failed.
    ``seconds`` is wall-clock time.
    """

    spec: RunSpec
    returncode: int | None
    metrics: dict[str, Any]
    stderr_tail: str
    seconds: float
    timed_out: bool = False
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def command(self) -> str:
        return self.spec.display

    def to_dict(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "values": dict(self.spec.values),
            "returncode": self.returncode,
            "metrics": self.metrics,
            "seconds": round(self.seconds, 3),
            "timed_out": self.timed_out,
            "error": self.error,
            "stderr_tail": self.stderr_tail,
        }


def read_metrics(stdout: str, metrics_file: Path | None = None) -> dict[str, Any]:
    """The metrics a run reported: the JSON object in ``metrics_file`` if it exists and is
    not empty, else the last line of ``stdout`` that is a JSON object, else ``{}``.

    Raises ``ValueError`` when the metrics file exists but is not a JSON object (the
    command tried to report and got it wrong: that must not pass silently).
    """
    if metrics_file is not None and metrics_file.is_file():
        text = metrics_file.read_text(encoding="utf-8", errors="replace").strip()
        if text:
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"${METRICS_ENV} does not hold valid JSON ({exc.msg})") from None
            if not isinstance(value, dict):
                raise ValueError(f"${METRICS_ENV} holds a JSON {type(value).__name__}, not an object")
            return value
    for line in reversed(stdout.splitlines()):
        line = line.strip()
        if not (line.startswith("{") and line.endswith("}")):
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    return {}


class LiveProcesses:
    """The command processes running now, so that an interrupt can kill them all.

    Share one between the threads that call :func:`run_command` (``live=...``): each
    run adds its process while it runs. :meth:`kill_all` kills the process group of
    every run in it, and of any run added afterwards, so a run that starts after the
    interrupt dies at once. :func:`run_many` uses one; so does the experiment ledger.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._procs: set[subprocess.Popen[bytes]] = set()
        self._stopped = False

    @property
    def stopped(self) -> bool:
        """Whether :meth:`kill_all` was called (start no new run once it is)."""
        return self._stopped

    def add(self, proc: subprocess.Popen[bytes]) -> None:
        """Track ``proc``; kill it at once when :meth:`kill_all` was already called."""
        with self._lock:
            self._procs.add(proc)
        if self._stopped:
            _kill(proc)

    def discard(self, proc: subprocess.Popen[bytes]) -> None:
        """Stop tracking ``proc`` (it has ended)."""
        with self._lock:
            self._procs.discard(proc)

    def kill_all(self) -> None:
        """Kill the process group of every tracked run, and of every run added from now on."""
        self._stopped = True
        with self._lock:
            procs = list(self._procs)
        for proc in procs:
            _kill(proc)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill the process group of ``proc`` (the command and anything it started)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def run_command(spec: RunSpec, *, live: LiveProcesses | None = None) -> RunResult:
    """Run ``spec`` to completion and return its :class:`RunResult`; never raises for a failing run.

    ``live``: a :class:`LiveProcesses` the run's process joins while it runs (so an interrupt can kill it).
    """
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="unstuck-run-") as tmp:
        folder = Path(tmp)
        metrics_path = folder / "metrics.json"
        env = {**os.environ, **spec.env, METRICS_ENV: str(metrics_path)}
        env.update({f"UNSTUCK_{k.upper()}": _format(v) for k, v in spec.values.items()})
        with open(folder / "stdout", "wb") as out, open(folder / "stderr", "wb") as err:
            try:
                proc = subprocess.Popen(
                    spec.command,
                    shell=isinstance(spec.command, str),
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=err,
                    cwd=spec.cwd,
                    env=env,
                    start_new_session=True,
                )
            except OSError as exc:
                return RunResult(
                    spec,
                    None,
                    {},
                    "",
                    time.perf_counter() - started,
                    error=f"could not start: {exc.strerror or exc}",
                )
            if live is not None:
                live.add(proc)
            timed_out = False
            try:
                proc.wait(timeout=spec.timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                _kill(proc)
                proc.wait()
            finally:
                if live is not None:
                    live.discard(proc)
        seconds = time.perf_counter() - started
        stdout = _tail_bytes(folder / "stdout", STDOUT_TAIL_BYTES)
        stderr_tail = _tail_bytes(folder / "stderr", 4 * STDERR_TAIL_CHARS)[-STDERR_TAIL_CHARS:]
        returncode = None if timed_out else proc.returncode
        metrics: dict[str, Any] = {}
        error: str | None = None
        try:
            metrics = read_metrics(stdout, metrics_path)
        except ValueError as exc:
            error = str(exc)
        if timed_out:
            error = f"timed out after {spec.timeout:g} s (killed)"
        elif returncode != 0:
            error = f"exited with status {returncode}"
        elif error is None and not metrics:
            error = f"reported no metrics (print a JSON object as the last line, or write one to ${METRICS_ENV})"
        return RunResult(spec, returncode, metrics, stderr_tail, seconds, timed_out=timed_out, error=error)


def _tail_bytes(path: Path, size: int) -> str:
    """The last ``size`` bytes of a file, decoded leniently."""
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        length = handle.tell()
        handle.seek(max(0, length - size))
        return handle.read().decode("utf-8", errors="replace")


def run_many(
    specs: Sequence[RunSpec],
    *,
    jobs: int | None = None,
    on_done: Callable[[RunResult], None] | None = None,
) -> list[RunResult]:
    """Run ``specs`` with at most ``jobs`` at a time (default: the number of cores).

    Returns the results in the order of ``specs``. ``on_done`` is called in the
    calling thread as each run finishes (for progress bars). On an interrupt
    (Ctrl-C) every running command is killed before the interrupt propagates.
    """
    from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

    if not specs:
        return []
    workers = max(1, min(jobs or os.cpu_count() or 1, len(specs)))
    live = LiveProcesses()
    results: list[RunResult | None] = [None] * len(specs)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="unstuck-run")
    try:
        index: dict[Future[RunResult], int] = {
            pool.submit(run_command, spec, live=live): i for i, spec in enumerate(specs)
        }
        pending: set[Future[RunResult]] = set(index)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                result = future.result()
                results[index[future]] = result
                if on_done is not None:
                    on_done(result)
    except BaseException:
        live.kill_all()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return [r for r in results if r is not None]
