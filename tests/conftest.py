"""Shared fixtures: small planted problems built in memory, no network."""

from __future__ import annotations

import os

if os.environ.get("PYTEST_XDIST_WORKER"):
    # One thread per pytest-xdist worker (one worker per core), set before NumPy or torch is imported
    # here or in a subprocess the test starts: a worker's torch or BLAS threads beside the other
    # worker's fits spin for the cores they share. Measured: the inverted-images embedding test took
    # 213 s beside a two-thread NumPy loop with torch's default threads, 41 s with one (18 s alone).
    for _variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(_variable, "1")

import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

#: Seconds each slow test took on the last recorded run (``python -m pytest --record-durations``):
#: the suite starts with the slowest modules, so that under pytest-xdist no worker is left with a
#: long test at the end while the other waits. Order only: a test missing here runs all the same.
DURATIONS = Path(__file__).with_name("durations.json")
#: Tests shorter than this are not recorded: their order does not change when the suite ends.
RECORDED_FROM_SECONDS = 1.0


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record-durations",
        action="store_true",
        help=f"write each test's seconds (from {RECORDED_FROM_SECONDS:g} s on) to tests/durations.json",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slowest modules first, and in each module its slowest tests first. A module stays in one
    piece, so its module-scoped fixtures (a server, a planted data set) are set up once."""
    known: dict[str, float] = json.loads(DURATIONS.read_text(encoding="utf-8")) if DURATIONS.exists() else {}
    module_seconds: defaultdict[str, float] = defaultdict(float)
    for item in items:
        module_seconds[item.nodeid.split("::")[0]] += known.get(item.nodeid, 0.0)
    items.sort(key=lambda item: (-module_seconds[item.nodeid.split("::")[0]], -known.get(item.nodeid, 0.0)))


_seconds: defaultdict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _seconds[report.nodeid] += report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    # under pytest-xdist the workers' reports reach the controller too; only the controller writes
    if session.config.getoption("--record-durations") and not hasattr(session.config, "workerinput"):
        slow = {k: round(v, 2) for k, v in sorted(_seconds.items()) if v >= RECORDED_FROM_SECONDS}
        DURATIONS.write_text(json.dumps(slow, indent=0) + "\n", encoding="utf-8")


def run_cli(args: Sequence[str], cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``unstuck ARGS`` in a subprocess, as a user would; returns the completed process.

    Without ``cwd`` it runs in a fresh temporary folder, so state such as ``.unstuck/``
    never lands in the checkout.
    """
    env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1"}
    if cwd is None:
        cwd = Path(tempfile.mkdtemp(prefix="unstuck-cli-"))
    return subprocess.run(
        [sys.executable, "-c", "from unstuck.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
        check=False,
    )


def flat(text: str) -> str:
    """``text`` with every run of whitespace one space: a CLI message as words, wherever the terminal
    width wrapped it (a long temporary path moves the breaks)."""
    return " ".join(text.split())


@pytest.fixture
def cli():
    return run_cli


def planted_predictions(errors: dict[str, float], n: int = 4000, n_classes: int = 2, seed: int = 0) -> pd.DataFrame:
    """A predictions table whose error rate on each split is exactly ``errors[split]``.

    Exactly ``round(rate * n)`` rows per split are wrong, chosen at random.
    """
    rng = np.random.default_rng(seed)
    parts = []
    for split, rate in errors.items():
        y_true = rng.integers(0, n_classes, size=n)
        y_pred = y_true.copy()
        wrong = rng.choice(n, size=round(rate * n), replace=False)
        y_pred[wrong] = (y_true[wrong] + 1) % n_classes
        parts.append(pd.DataFrame({"split": split, "y_true": y_true, "y_pred": y_pred}))
    return pd.concat(parts, ignore_index=True)


@pytest.fixture
def tabular() -> pd.DataFrame:
    """2,000 rows: numeric and categorical features with missing values; label depends on x1, x2, color."""
    rng = np.random.default_rng(0)
    n = 2000
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    color = rng.choice(["red", "green", "blue"], size=n)
    logit = 2.0 * x1 - 1.5 * x2 + np.where(color == "red", 1.0, 0.0)
    label = np.where(logit + rng.normal(scale=0.5, size=n) > 0, "yes", "no")
    x2_missing = x2.copy()
    x2_missing[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame({"x1": x1, "x2": x2_missing, "color": color, "noise": rng.normal(size=n), "label": label})
