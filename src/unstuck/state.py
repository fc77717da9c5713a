"""The last diagnosis, kept in ``.unstuck/last_diagnosis.json`` so ``unstuck try`` can act on it.

It holds the arguments that loaded the problem (file paths made absolute) and
the report. Written atomically (a temporary file renamed into place), so a crash
never leaves a half-written file behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from unstuck.errors import FileProblem
from unstuck.findings import Report

__all__ = ["LAST_DIAGNOSIS", "load_last", "save_last"]

LAST_DIAGNOSIS = Path(".unstuck") / "last_diagnosis.json"


def save_last(arguments: dict[str, Any], report: Report, path: Path = LAST_DIAGNOSIS) -> Path:
    """Store the diagnosis ``arguments`` and ``report`` at ``path`` (atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"arguments": arguments, "report": report.to_dict()}
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".last_", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(document, stream, indent=2, default=_plain)
    os.replace(temporary, path)
    return path


def load_last(path: Path = LAST_DIAGNOSIS) -> tuple[dict[str, Any], Report]:
    """The stored (arguments, report); a clear error when there is none or it is damaged."""
    if not path.exists():
        raise FileProblem(
            f"There is no earlier diagnosis here ({path} is missing).",
            "Run `unstuck diagnose ...` (or `unstuck demo`) in this folder first, then `unstuck try N`.",
        )
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return dict(document["arguments"]), Report.from_dict(document["report"])
    except (ValueError, KeyError, TypeError) as exc:
        raise FileProblem(
            f"{path} is damaged ({type(exc).__name__}: {exc}).",
            "Run `unstuck diagnose ...` again to rewrite it.",
        ) from None


def _plain(value: object) -> object:
    return value.item() if hasattr(value, "item") else str(value)
