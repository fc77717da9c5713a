"""The terminal report at a fixed width without colour: a snapshot of a real diagnosis."""

from __future__ import annotations

import io

from rich.console import Console

from render_helpers import assert_snapshot, fixture_report, planted_report
from unstuck.render.text import render_report


def _plain(renderable: object, width: int = 100) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False, highlight=False)
    console.print(renderable)
    return "\n".join(line.rstrip() for line in console.file.getvalue().splitlines()) + "\n"  # type: ignore[attr-defined]


def test_terminal_snapshot() -> None:
    assert_snapshot("report.txt", _plain(render_report(fixture_report())))


def test_terminal_verbose_snapshot_shows_informational_findings() -> None:
    text = _plain(render_report(fixture_report(), verbose=True))
    assert_snapshot("report_verbose.txt", text)
    assert "informational finding(s) hidden" not in text


def test_terminal_shows_the_planted_errors() -> None:
    text = _plain(render_report(planted_report()), width=120)
    assert "Bottleneck: variance" in text
    for label, value in (("human-level", "1.0%"), ("train", "2.0%"), ("train-dev", "8.0%"), ("dev", "8.5%")):
        assert any(line.split()[:1] == [label] and value in line for line in text.splitlines()), label
    assert "+6.0 pts" in text


def test_training_log_only_report_has_no_empty_error_tables_and_groups_skipped_checks() -> None:
    import dataclasses

    from unstuck.findings import Skipped

    needs = "needs the feature tables"
    report = dataclasses.replace(
        fixture_report(),
        splits={},
        errors={},
        intervals={},
        skipped=(Skipped("leakage", needs), Skipped("shift", needs), Skipped("imbalance", "needs a dev split")),
    )
    text = _plain(render_report(report), width=200)
    assert "Training log only: no data or predictions, so no error decomposition" in text
    assert "Errors" not in text and "Where the error comes from" not in text and "rows:" not in text
    assert f"leakage, shift ({needs}); imbalance (needs a dev split)" in text
