"""A check's typed result: its JSON form, reading it back, and the JSON Schema generated from the type."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import jsonschema
import numpy as np
import pytest

from unstuck.measured import ABSENT_WHEN_NONE, from_json, json_schema, to_json


@dataclass(frozen=True)
class Part:
    """A planted part."""

    label: Any = field(metadata={"json": "class"})
    interval: tuple[float, float]
    kind: Literal["a", "b"]


@dataclass(frozen=True)
class Planted:
    """A planted result: counts, shares, nested parts, an optional value and one added later."""

    rows: int
    share: float | None
    parts: tuple[Part, ...]
    by_split: Mapping[str, int]
    flags: list[bool]
    added_later: str = "default"


PLANTED = Planted(
    rows=12,
    share=None,
    parts=(Part("x", (0.1, 0.2), "a"), Part(3, (0.0, 1.0), "b")),
    by_split={"train": 10, "dev": 2},
    flags=[True, False],
)
DOCUMENT = {
    "rows": 12,
    "share": None,
    "parts": [{"class": "x", "interval": [0.1, 0.2], "kind": "a"}, {"class": 3, "interval": [0.0, 1.0], "kind": "b"}],
    "by_split": {"train": 10, "dev": 2},
    "flags": [True, False],
    "added_later": "default",
}


def test_the_json_form_keeps_field_order_renames_keys_and_round_trips() -> None:
    assert to_json(PLANTED) == DOCUMENT
    assert list(to_json(PLANTED)) == ["rows", "share", "parts", "by_split", "flags", "added_later"]
    assert from_json(Planted, DOCUMENT) == PLANTED


def test_old_documents_without_a_defaulted_key_still_read() -> None:
    old = {k: v for k, v in DOCUMENT.items() if k != "added_later"}
    assert from_json(Planted, old).added_later == "default"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rows": None}, "Planted.rows: expected an integer, got None"),
        ({"rows": True}, "Planted.rows: expected an integer, got True"),
        ({"by_split": {"train": "10"}}, "Planted.by_split.train: expected an integer, got '10'"),
        ({"parts": [{"class": "x", "interval": [0.1], "kind": "a"}]}, "Planted.parts[0].interval: expected 2 items"),
        ({"parts": [{"class": "x", "interval": [0.1, 0.2], "kind": "c"}]}, "'c' is not one of ('a', 'b')"),
    ],
)
def test_a_document_that_breaks_the_type_is_refused_naming_the_key(change: dict[str, Any], message: str) -> None:
    with pytest.raises(TypeError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        from_json(Planted, {**DOCUMENT, **change})


def test_a_renamed_key_is_missing_not_quietly_empty() -> None:
    renamed = {("n_rows" if k == "rows" else k): v for k, v in DOCUMENT.items()}
    with pytest.raises(TypeError, match="Planted: the key 'rows' is missing"):
        from_json(Planted, renamed)


def test_numpy_values_a_check_computes_are_accepted() -> None:
    document = {**DOCUMENT, "rows": np.int64(12), "share": np.float64(0.5), "flags": [np.bool_(True)]}
    assert from_json(Planted, document).rows == 12


def test_the_schema_is_generated_from_the_type_and_agrees_with_the_reader() -> None:
    schema = json_schema(Planted)
    assert schema["required"] == ["rows", "share", "parts", "by_split", "flags"]
    assert schema["properties"]["parts"]["items"]["required"] == ["class", "interval", "kind"]
    assert (
        schema["description"]
        == "A planted result: counts, shares, nested parts, an optional value and one added later."
    )
    jsonschema.validate(DOCUMENT, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**DOCUMENT, "by_split": {"train": "10"}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**DOCUMENT, "parts": [{"class": 1, "interval": [0.1, 0.2, 0.3], "kind": "a"}]}, schema)


def test_strict_reading_refuses_a_key_the_type_does_not_have() -> None:
    """A check builds its result strictly: a measurement added to its dict but not to its type is an error."""
    document = {**DOCUMENT, "parts": [{**DOCUMENT["parts"][0], "extra": 1}]}
    assert from_json(Planted, document).parts[0].label == "x"  # a newer report still renders
    with pytest.raises(TypeError, match=r"Planted.parts\[0\]: Part has no field for the key\(s\) \['extra'\]"):
        from_json(Planted, document, strict=True)


@dataclass(frozen=True)
class Sometimes:
    """A planted result with a key written only when it applies."""

    always: int
    when_it_applies: Part | None = field(default=None, metadata=ABSENT_WHEN_NONE)


def test_a_key_absent_when_none_is_left_out_and_reads_back_as_none() -> None:
    assert to_json(Sometimes(1)) == {"always": 1}
    assert from_json(Sometimes, {"always": 1}) == Sometimes(1)
    part = Part("y", (0.5, 0.6), "b")
    written = to_json(Sometimes(2, part))
    assert written == {"always": 2, "when_it_applies": {"class": "y", "interval": [0.5, 0.6], "kind": "b"}}
    assert from_json(Sometimes, written, strict=True) == Sometimes(2, part)
    schema = json_schema(Sometimes)
    assert schema["required"] == ["always"]
    jsonschema.validate({"always": 1}, schema)
    jsonschema.validate(written, schema)
