"""The HTML report in a real browser: headless Debian Chromium, no request but the file, no console error.

Chromium comes from ``.ci/services.sh`` (Debian ``chromium``); the test fails, not skips, without it.
"""

from __future__ import annotations

from pathlib import Path

from render_chromium import chromium_path, open_page
from render_helpers import fixture_report
from unstuck.render.html import render_html


def test_report_loads_offline_in_headless_chromium(tmp_path: Path) -> None:
    assert chromium_path() is not None, "chromium is not installed: run `bash .ci/services.sh` (Debian chromium)"
    page = tmp_path / "report.html"
    page.write_text(render_html(fixture_report()), encoding="utf-8")
    load = open_page(page)
    assert load.requests == [page.resolve().as_uri()]  # the file itself and nothing else
    assert load.external == []
    assert load.failed == []
    assert load.console_errors == []
    assert load.title == "unstuck diagnosis"
    assert "Bottleneck: variance" in load.text and "Where the error comes from" in load.text
    assert load.png.startswith(b"\x89PNG\r\n\x1a\n") and len(load.png) > 50_000
    assert load.pdf.startswith(b"%PDF")  # printable
    assert load.load_seconds < 10  # generous: the 2 s target is measured by benchmarks/report_render.py
