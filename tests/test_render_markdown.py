"""The Markdown report: snapshot of a real diagnosis, planted numbers, the section registry."""

from __future__ import annotations

import dataclasses
from typing import Any

from render_helpers import PLANTED, assert_snapshot, fixture_report, planted_report
from unstuck import registry
from unstuck.findings import Finding, Report
from unstuck.registry import CheckResult, check, shows
from unstuck.render.html import render_html
from unstuck.render.markdown import cell, render_markdown, table
from unstuck.view import Table


def test_markdown_snapshot() -> None:
    assert_snapshot("report.md", render_markdown(fixture_report()))


def test_markdown_follows_the_reading_order() -> None:
    text = render_markdown(fixture_report())
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        "## unstuck diagnosis: bottleneck **variance**",
        "### Where the error comes from",
        "### Data surprises",
        "### Learning curve",
        "### Other checks",
        "### Baseline ladder",
        "### Skipped checks",
    ]


def test_markdown_shows_the_planted_errors_and_gaps() -> None:
    text = render_markdown(planted_report())
    # errors exactly as planted, gaps as their differences, human-level 1%
    for split, label in (("train", "train"), ("train_dev", "train-dev"), ("dev", "dev"), ("test", "test")):
        assert f"| {label} | {100 * PLANTED[split]:.1f}% |" in text
    assert "| human-level | 1.0% |" in text
    assert "| variance | train-dev − train | +6.0 pts |" in text
    assert "| avoidable bias | train − human-level | +1.0 pts |" in text
    assert "| dev overfitting | test − dev | +3.5 pts |" in text
    assert "| data mismatch | dev − train-dev | +0.5 pts |" in text
    assert "bottleneck **variance**" in text


def test_sections_appear_only_when_their_data_exists() -> None:
    text = render_markdown(planted_report())  # predictions mode: no baselines, no learning curve
    assert "### Baseline ladder" not in text
    assert "### Learning curve" not in text
    assert "### Skipped checks" in text and "`baselines`" in text


def test_a_check_without_renderer_is_shown_through_its_findings() -> None:
    text = render_markdown(fixture_report())
    assert "- **warning** A check with no renderer yet" in text
    assert "whatever" not in text  # its raw section is not dumped


def test_a_new_checks_tables_are_declared_beside_it() -> None:
    """A check's tables are one function in its own module; no renderer names the check."""

    @check("mystery", description="a planted check")
    def mystery(problem: object, ctx: object) -> CheckResult:
        return CheckResult()

    @shows(mystery)
    def _mystery(report: Report, data: dict[str, Any]) -> list[Table]:
        return [Table(("value",), [[str(v)] for v in data["whatever"]], numeric=(0,))]

    try:
        text = render_markdown(fixture_report())
        page = render_html(fixture_report())
    finally:
        del registry._REGISTRY["mystery"]
    assert "**mystery**\n\n| value |\n|---:|\n| 1 |\n| 2 |\n| 3 |" in text
    assert '<td class="num">3</td>' in page


def test_info_findings_fold_and_warnings_stay_open() -> None:
    report = fixture_report()
    loud = Finding(id="x.y", check="leakage", severity="critical", title="Planted critical", lever="fix_leakage")
    text = render_markdown(dataclasses.replace(report, findings=(*report.findings, loud)))
    block = text.split("### Data surprises")[1].split("###")[0]
    assert "- **critical** Planted critical → `fix_leakage`" in block
    assert "<details><summary>2 informational findings</summary>" in block


def test_cells_escape_pipes_and_newlines() -> None:
    assert cell("a|b\nc") == "a\\|b c"
    assert table(["h"], [["x|y"]]) == "| h |\n|---|\n| x\\|y |"


def test_no_interventions_says_nothing_to_fix() -> None:
    report = dataclasses.replace(fixture_report(), interventions=(), bottleneck="none")
    text = render_markdown(report)
    assert "bottleneck **none**" in text
    assert "Nothing to fix: no gap stands out beyond noise." in text
