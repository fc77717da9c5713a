"""The report's JSON Schema, with every part the code defines generated from the code.

The vocabularies (severities, levers, bottlenecks, fit budgets, fit backends) come from
the one place each is defined, and ``sections`` from the typed result of each check
that declares one (:func:`unstuck.measured.json_schema`); the rest of the shape is the
committed ``report-1.json``. A test checks that the committed file equals what this
module generates; after changing a vocabulary or a check's result type, rewrite it::

    python -m unstuck.schemas.generate
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from unstuck.schemas import load_schema

__all__ = ["SCHEMA_PATH", "report_schema", "write_report_schema"]

SCHEMA_PATH = Path(__file__).with_name("report-1.json")


def report_schema() -> dict[str, Any]:
    """The ``unstuck.report/1`` JSON Schema as the code defines it."""
    from unstuck.budget import BUDGETS
    from unstuck.findings import BOTTLENECKS, LEVERS, SEVERITIES
    from unstuck.fits import FIT_BACKENDS
    from unstuck.measured import json_schema
    from unstuck.registry import registered_checks

    schema = copy.deepcopy(load_schema("report-1"))
    properties = schema["properties"]
    properties["bottleneck"]["enum"] = list(BOTTLENECKS)
    finding = properties["findings"]["items"]["properties"]
    finding["severity"]["enum"] = list(SEVERITIES)
    finding["lever"]["enum"] = [*LEVERS, None]
    finding["bottleneck"]["enum"] = [*BOTTLENECKS, None]
    intervention = properties["interventions"]["items"]["properties"]
    intervention["lever"]["enum"] = list(LEVERS)
    intervention["bottleneck"]["enum"] = [*BOTTLENECKS, None]
    properties["budget"]["properties"]["name"]["enum"] = list(BUDGETS)
    properties["timings"]["properties"]["backend"]["enum"] = list(FIT_BACKENDS)
    typed = {spec.name: json_schema(spec.result) for spec in registered_checks() if spec.result is not None}
    properties["sections"] = {
        "type": "object",
        "description": "Each check's measurements, keyed by check name; a check with a typed result is described here.",
        "properties": dict(sorted(typed.items())),
    }
    return schema


def write_report_schema(path: Path = SCHEMA_PATH) -> None:
    """Write :func:`report_schema` to ``path`` (the committed file by default)."""
    path.write_text(json.dumps(report_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_report_schema()
