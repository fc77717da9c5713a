"""The HTML report: self-contained, escaped, deterministic; plots only where data exists; CLI paths."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

from conftest import planted_predictions, run_cli
from render_helpers import PLANTED, fixture_report, planted_report
from unstuck.checks.decomposition import DecompositionResult
from unstuck.checks.learning_curve import LearningCurveResult
from unstuck.findings import Finding, Report
from unstuck.measured import from_json
from unstuck.render.html import render_html
from unstuck.render.layout import reading_order
from unstuck.render.plots import decomposition_svg, learning_curve_svg


def _assert_self_contained(page: str) -> None:
    """No script, no external stylesheet, font, image or frame: nothing the browser would fetch."""
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    assert "<img" not in page.lower() and "<iframe" not in page.lower()
    assert "@import" not in page
    assert re.findall(r"url\((?!#)", page) == []  # only in-page references such as SVG clip paths
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)


def test_page_is_self_contained_and_has_the_plots() -> None:
    page = render_html(fixture_report())
    _assert_self_contained(page)
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") == 2  # decomposition and learning curve
    assert "@media print" in page


def test_sections_follow_the_issue_order() -> None:
    page = render_html(fixture_report())
    headings = re.findall(r"<h2>(.*?)</h2>", page)
    assert headings == [
        "Where the error comes from",
        "Data surprises",
        "Learning curve",
        "Other checks",
        "Baseline ladder",
        "Skipped checks",
    ]
    assert page.index("Bottleneck: <span>variance</span>") < page.index("<h2>")


def test_verdict_shows_the_top_three_interventions_and_the_rest_in_a_table() -> None:
    page = render_html(fixture_report())
    verdict = page.split('<section class="verdict">')[1].split("</section>")[0]
    steps = re.findall(r'<span class="gain">(.*?)</span>', verdict)
    assert steps == ["up to 2.8 pts", "up to 1.2 pts", "gain unknown"]
    assert "Enlarge the dev set" in verdict.split("</ol>")[1]


def test_report_text_is_escaped() -> None:
    report = fixture_report()
    evil = Finding(id="x.evil", check="leakage", severity="critical", title='<script>alert("x")</script> & co')
    page = render_html(dataclasses.replace(report, findings=(*report.findings, evil)))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in page
    assert "shown through its findings &lt;b&gt;only&lt;/b&gt;" in page


def _decomposition(report: Report) -> DecompositionResult:
    return from_json(DecompositionResult, report.sections["decomposition"])


def test_decomposition_plot_labels_the_planted_gaps() -> None:
    report = planted_report()
    svg = decomposition_svg(report, _decomposition(report))
    assert svg is not None and svg.startswith("<svg")
    for label in ("human-level", "train", "train-dev", "dev", "test", "error rate (%)"):
        assert f">{label}<" in svg, label
    # the planted gaps, as their labels; variance (6 points) is the bottleneck
    for text in (
        "avoidable bias",
        "+1.0 pts",
        "variance",
        "+6.0 pts",
        "data mismatch",
        "+0.5 pts",
        "dev overfitting",
        "+3.5 pts",
    ):
        assert text in svg, text
    assert f">{100 * PLANTED['dev']:.1f}%<" in svg


def test_plots_are_deterministic() -> None:
    assert render_html(fixture_report()) == render_html(fixture_report())


def test_no_plot_without_data() -> None:
    report = planted_report()
    only_dev = dataclasses.replace(
        report, errors={"human": None, "dev": 0.1, "train": None, "train_dev": None, "test": None}
    )
    assert decomposition_svg(only_dev, _decomposition(report)) is None
    curve = from_json(LearningCurveResult, fixture_report().sections["learning_curve"])
    assert learning_curve_svg(report, dataclasses.replace(curve, points=())) is None
    page = render_html(dataclasses.replace(only_dev, sections={}, findings=()))
    assert "<svg" not in page and "<figure" not in page
    assert re.findall(r"<h2>(.*?)</h2>", page) == ["Skipped checks"]


def test_unrendered_sections_show_findings_and_quiet_checks_are_named() -> None:
    page = render_html(fixture_report())
    other = page.split("<h2>Other checks</h2>")[1].split("<h2>")[0]
    assert "A check with no renderer yet" in other and "whatever" not in other
    data = page.split("<h2>Data surprises</h2>")[1].split("<h2>")[0]
    assert "Also checked, nothing to report: leakage." in data


def test_reading_order_groups_checks_by_name_and_data_tag() -> None:
    groups = {g.key: [b.check for b in g.blocks] for g in reading_order(fixture_report())}
    assert groups["data"] == ["columns", "leakage", "labels"]
    assert groups["other"] == ["mystery"]


def test_notebook_display_is_the_scoped_fragment() -> None:
    """In an IPython session a Report displays as the fragment, though the Report type imports no renderer."""
    from IPython.core.interactiveshell import InteractiveShell

    import unstuck

    shell = InteractiveShell.instance()
    try:
        unstuck._show_reports_in_ipython()
        shown, _ = shell.display_formatter.format(fixture_report())
    finally:
        InteractiveShell.clear_instance()
    fragment = shown["text/html"]
    assert fragment.startswith("<style>") and '<div class="unstuck-report">' in fragment
    assert "<html" not in fragment and "<body" not in fragment
    _assert_self_contained(fragment)


def test_cli_diagnose_writes_html_markdown_and_json_and_report_rerenders_them(tmp_path: Path) -> None:
    preds = tmp_path / "preds.csv"
    planted_predictions(PLANTED, n=1000).to_csv(preds, index=False)
    html, md, js = tmp_path / "out" / "r.html", tmp_path / "out" / "r.md", tmp_path / "out" / "r.json"
    done = run_cli(
        [
            "diagnose",
            "--predictions",
            str(preds),
            "--human-error",
            "0.01",
            "--json",
            str(js),
            "--html",
            str(html),
            "--markdown",
            str(md),
        ]
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == f"Wrote {js}, {html}, {md}"
    assert "<svg" in html.read_text() and "| variance | train-dev − train | +6.0 pts |" in md.read_text()
    again_html, again_md = tmp_path / "again.html", tmp_path / "again.md"
    done = run_cli(["report", str(js), "--html", str(again_html), "--markdown", str(again_md), "--quiet"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Wrote {again_html}, {again_md}"
    assert again_html.read_text() == html.read_text()
    assert again_md.read_text() == md.read_text()


def test_cli_report_prints_the_terminal_report(tmp_path: Path) -> None:
    done = run_cli(["report", str(Path(__file__).parent / "snapshots" / "report.json")])
    assert done.returncode == 0, done.stderr
    assert "Bottleneck: variance" in done.stdout and "Wrote" not in done.stdout


def test_cli_report_bad_inputs(tmp_path: Path) -> None:
    not_json = tmp_path / "r.html"
    not_json.write_text("<html></html>")
    foreign = tmp_path / "other.json"
    foreign.write_text(json.dumps({"schema": "something/9"}))
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"schema": "unstuck.report/1", "task": "classification"}))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cases = [
        (["report", str(tmp_path / "missing.json")], "does not exist"),
        (["report", str(not_json)], "is not JSON"),
        (["report", str(foreign)], "is not an unstuck report: its schema is 'something/9'"),
        (["report", str(broken)], "is incomplete or damaged"),
        (
            ["report", str(Path(__file__).parent / "snapshots" / "report.json"), "--html", str(blocker / "x.html")],
            "Choose a writable path for --html",
        ),
    ]
    for args, message in cases:
        done = run_cli(args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        assert message in " ".join(done.stderr.split()), (message, done.stderr)
