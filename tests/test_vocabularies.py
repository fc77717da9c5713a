"""Each vocabulary exists once; the committed JSON Schema is what the code generates."""

from __future__ import annotations

import json
import typing

import jsonschema

from render_helpers import fixture_report
from unstuck.advice import PLAYBOOK
from unstuck.findings import LEVERS, SEVERITIES, Severity
from unstuck.schemas import load_schema
from unstuck.schemas.generate import SCHEMA_PATH, report_schema


def test_the_committed_report_schema_is_the_generated_one() -> None:
    committed = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert committed == report_schema(), "run `python -m unstuck.schemas.generate` and commit report-1.json"


def test_the_generated_schema_describes_typed_sections_and_still_reads_old_reports() -> None:
    schema = load_schema("report-1")
    assert "decomposition" in schema["properties"]["sections"]["properties"]
    jsonschema.validate(fixture_report().to_dict(), schema)  # a report written before sections were typed
    document = fixture_report().to_dict()
    document["sections"]["decomposition"]["n"] = {"dev": "359"}  # a count as text breaks the type
    try:
        jsonschema.validate(document, schema)
    except jsonschema.ValidationError as exc:
        assert "'359' is not of type 'integer'" in str(exc)
    else:
        raise AssertionError("a section that breaks its type validated")


def test_every_lever_has_a_play_and_severities_are_the_literal() -> None:
    assert set(PLAYBOOK) == set(LEVERS)
    assert SEVERITIES == typing.get_args(Severity) == ("critical", "warning", "info")
