"""Reading a saved report back: the ``unstuck.report/1`` JSON that ``diagnose --json`` and ``explore --json`` write.

``unstuck report FILE`` (re-rendering) and the assistant's ``report_summary`` tool
both read reports through :func:`read_report`, so a foreign, damaged or missing
file gets the same one-paragraph answer from either.

>>> from unstuck.report_file import read_report
>>> report = read_report("report.json")  # doctest: +SKIP
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from unstuck.errors import FileProblem

if TYPE_CHECKING:
    from unstuck.findings import Report

__all__ = ["read_report"]

WRITTEN_BY = "Pass the file written by `unstuck diagnose ... --json PATH`"


def read_report(path: str | Path) -> Report:
    """The :class:`~unstuck.findings.Report` saved at ``path``.

    The file is a ``--json`` report, or the last diagnosis unstuck keeps
    (``.unstuck/last_diagnosis.json``, which wraps the report with its arguments).

    Raises
    ------
    FileProblem
        When the file is missing, unreadable, not JSON, of another schema, or damaged.
    """
    from unstuck.findings import SCHEMA, Report

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileProblem(f"The report '{path}' does not exist.", f"{WRITTEN_BY}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FileProblem(
            f"Could not read the report '{path}': {exc}.", "Check the path and its permissions."
        ) from None
    except json.JSONDecodeError as exc:
        raise FileProblem(
            f"'{path}' is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).",
            f"{WRITTEN_BY}, not the HTML or Markdown report.",
        ) from None
    if isinstance(data, dict) and isinstance(data.get("report"), dict):
        data = data["report"]  # the saved last diagnosis wraps the report with its arguments
    schema = data.get("schema") if isinstance(data, dict) else None
    if schema != SCHEMA:
        raise FileProblem(
            f"'{path}' is not an unstuck report: its schema is {schema!r}, expected {SCHEMA!r}.",
            f"{WRITTEN_BY} with this version of unstuck.",
        )
    try:
        return Report.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise FileProblem(
            f"'{path}' says it is {SCHEMA} but is incomplete or damaged ({type(exc).__name__}: {exc}).",
            "Write it again with `unstuck diagnose ... --json PATH`.",
        ) from None
