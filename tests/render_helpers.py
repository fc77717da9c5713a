"""Shared by the render tests: the fixed report, snapshot comparison, a planted predictions report."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

from conftest import planted_predictions
from unstuck.findings import Report

SNAPSHOTS = Path(__file__).parent / "snapshots"

#: Planted error rates of the predictions-mode report: 2% train, 8% train-dev, 8.5% dev, 12% test.
PLANTED = {"train": 0.02, "train_dev": 0.08, "dev": 0.085, "test": 0.12}


def fixture_report() -> Report:
    """A real demo diagnosis (digits), trimmed, plus a check with no renderer and planted interventions."""
    return Report.from_dict(json.loads((SNAPSHOTS / "report.json").read_text(encoding="utf-8")))


@cache
def planted_report() -> Report:
    """Predictions mode, 2,000 rows per split with exactly PLANTED errors, human-level 1%."""
    import unstuck

    return unstuck.diagnose(predictions=planted_predictions(PLANTED, n=2000), human_error=0.01)


def assert_snapshot(name: str, text: str) -> None:
    """``text`` equals ``snapshots/NAME``; UNSTUCK_UPDATE_SNAPSHOTS=1 rewrites the file instead."""
    path = SNAPSHOTS / name
    if os.environ.get("UNSTUCK_UPDATE_SNAPSHOTS") == "1":
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} changed; if intended, rerun with UNSTUCK_UPDATE_SNAPSHOTS=1 and review the diff"
