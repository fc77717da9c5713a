"""``unstuck report``: re-render a saved JSON report as HTML, Markdown or terminal tables.

``write_renders`` is also what ``unstuck diagnose --html/--markdown`` calls once
the diagnosis has succeeded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from unstuck.cli._console import console, quiet_callback

if TYPE_CHECKING:
    from unstuck.findings import Report

__all__ = ["HtmlOption", "MarkdownOption", "register", "write_renders", "write_report_json"]

HtmlOption = Annotated[
    Path | None,
    typer.Option("--html", help="Write the report as one self-contained HTML page (plots inline, opens offline)."),
]
MarkdownOption = Annotated[
    Path | None,
    typer.Option("--markdown", help="Write the report as Markdown (tables, sized for a pull-request comment)."),
]


def report(
    path: Annotated[Path, typer.Argument(help="A JSON report written by `unstuck diagnose --json`.")],
    html: HtmlOption = None,
    markdown: MarkdownOption = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only the files written.", callback=quiet_callback)
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also show informational findings.")] = False,
) -> None:
    """Re-render a saved JSON report: --html, --markdown, and the terminal tables unless --quiet."""
    from unstuck.render.text import render_report
    from unstuck.report_file import read_report

    saved = read_report(path)
    written = write_renders(saved, html=html, markdown=markdown)
    if not quiet:
        console.print(render_report(saved, verbose=verbose))
    if written:
        console.print(f"Wrote {', '.join(written)}", soft_wrap=True)


def write_renders(report: Report, *, html: Path | None = None, markdown: Path | None = None) -> list[str]:
    """Write the HTML and/or Markdown report; return the paths written, in that order."""
    written: list[str] = []
    if html is not None:
        from unstuck.render.html import render_html

        _write(html, render_html(report), "--html")
        written.append(str(html))
    if markdown is not None:
        from unstuck.render.markdown import render_markdown

        _write(markdown, render_markdown(report), "--markdown")
        written.append(str(markdown))
    return written


def _write(path: Path, text: str, option: str) -> None:
    from unstuck.errors import FileProblem

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise FileProblem(
            f"Could not write '{path}': {exc.strerror}.",
            f"Choose a writable path for {option}.",
        ) from None


def write_report_json(report: Report, path: Path) -> None:
    """Write ``report`` as ``unstuck.report/1`` JSON to ``path`` (``--json`` of diagnose and explore)."""
    from unstuck.errors import FileProblem

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(report.to_dict(), indent=2, default=_jsonable, allow_nan=False)
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise FileProblem(
            f"Could not write the JSON report to '{path}': {exc.strerror}.",
            "Choose a writable path for --json.",
        ) from None


def _jsonable(value: object) -> object:
    """numpy scalars and other stragglers → plain JSON values."""
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
