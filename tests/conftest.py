"""Shared fixtures: small planted problems built in memory, no network."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest


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
