"""``unstuck components``: attribute end-to-end failures of a multi-stage system to its stages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from unstuck.cli._console import console, err_console
from unstuck.units import percent

__all__ = ["register"]


def components(
    results: Annotated[Path, typer.Argument(help="One row per example; per stage, whether its output was correct.")],
    stages: Annotated[
        str, typer.Option(help="Stage columns in pipeline order, comma-separated, e.g. capture,detect,align,match.")
    ],
    outcome: Annotated[
        str | None,
        typer.Option(help="End-to-end outcome column (correct/wrong). Default: a row fails when any stage failed."),
    ] = None,
    ceiling: Annotated[
        list[str] | None,
        typer.Option(
            help="STAGE=ACCURACY: end-to-end accuracy with this stage and all before it replaced by ground truth. "
            "Repeat per stage."
        ),
    ] = None,
    encoding: Annotated[str, typer.Option(help="Text encoding of CSV/JSONL files.")] = "utf-8",
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the attribution as JSON to this path.")
    ] = None,
) -> None:
    """Which stage of a pipeline causes the failures: first-failure attribution and the ceiling table."""
    from dataclasses import replace

    from rich import box
    from rich.table import Table

    from unstuck.components import attribute, ceiling_table, parse_ceilings, top_finding
    from unstuck.errors import FileProblem
    from unstuck.io import read_table

    names = [s.strip() for s in stages.split(",") if s.strip()]
    frame = read_table(results, encoding=encoding)
    result = attribute(frame, names, outcome)
    measured = parse_ceilings(ceiling or [], names)
    if measured:
        result = replace(result, ceiling=ceiling_table(result.accuracy, measured, names))
    finding = top_finding(result)
    for warning in result.warnings:
        err_console.print(f"warning: {warning}", markup=False)
    table = Table(
        title=f"End-to-end failures: {result.failures} of {result.rows} rows (accuracy {percent(result.accuracy)})",
        box=box.SIMPLE_HEAVY,
        title_justify="left",
    )
    for column, justify in (
        ("stage", "left"),
        ("first failures", "right"),
        ("share", "right"),
        ("95% interval", "right"),
        ("gain at most", "right"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for s in result.stages:
        low, high = s.share_interval
        table.add_row(
            s.stage,
            str(s.failures),
            percent(s.share, 0),
            f"{percent(low, 0)}–{percent(high, 0)}",
            f"{100 * s.gain_bound:.1f} pts",
        )
    table.add_row("(unattributed)", str(result.unattributed), "", "", "")
    table.caption = f"{result.recovered} row(s) recovered from a stage error (end-to-end correct)"
    console.print(table)
    if result.ceiling:
        ceilings = Table(title="Ceiling analysis", box=box.SIMPLE_HEAVY, title_justify="left")
        ceilings.add_column("made perfect (cumulative)")
        ceilings.add_column("accuracy", justify="right")
        ceilings.add_column("gain", justify="right")
        for row in result.ceiling:
            ceilings.add_row(
                row.stage, percent(row.accuracy), "" if row.stage == "overall" else f"{100 * row.gain:+.1f} pts"
            )
        console.print(ceilings)
    if finding is not None:
        console.print(f"Next: {finding.title}", highlight=False)
    if json_path is not None:
        payload = result.to_dict()
        payload["findings"] = [finding.to_dict()] if finding else []
        try:
            json_path.parent.mkdir(parents=True, exist_ok=True)
            json_path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            raise FileProblem(
                f"Could not write '{json_path}': {exc.strerror}.", "Choose a writable --json path."
            ) from None
        console.print(f"Wrote {json_path}")


def register(app: typer.Typer) -> None:
    app.command("components")(components)
