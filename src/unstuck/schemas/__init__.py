"""JSON Schemas of unstuck's machine-readable outputs, shipped inside the package."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

__all__ = ["load_schema", "validate"]


def load_schema(name: str = "report-1") -> dict[str, Any]:
    """The JSON Schema ``name`` (e.g. ``"report-1"`` for ``unstuck.report/1``)."""
    text = files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def validate(document: dict[str, Any], name: str = "report-1") -> None:
    """Raise ``jsonschema.ValidationError`` when ``document`` breaks the schema ``name``."""
    import jsonschema

    jsonschema.validate(document, load_schema(name))
