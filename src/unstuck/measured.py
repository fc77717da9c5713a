"""A check's typed result: a frozen dataclass, its JSON form, and the JSON Schema of that form.

A check measures values and returns them as a frozen dataclass (one per check, its
fields documented with their units). The report stores the JSON form
(:func:`to_json`), which is what other tools read; a renderer reads it back into the
type (:func:`from_json`), so a renamed or missing key fails loudly in a test instead of
printing "—" in a table. :func:`json_schema` writes the JSON Schema of the form from the
same type, so the schema is never kept in step by hand.

Supported field types: ``str``, ``int``, ``float``, ``bool``, ``None``, ``Literal``,
unions with ``None``, ``tuple[X, ...]``, ``tuple[X, Y]``, ``list[X]``, ``Mapping`` /
``dict`` with string keys, ``Any`` (kept as it is), and nested dataclasses. Tuples
become JSON lists and come back as tuples; a field with a default may be absent from the
JSON (reports written before it existed). A field whose JSON key is not a Python name
(``class``) names it in its metadata: ``field(metadata={"json": "class"})``. A field whose
key the JSON leaves out when there is nothing to say (rather than writing ``null``) says so:
``field(default=None, metadata=ABSENT_WHEN_NONE)``.
"""

from __future__ import annotations

import dataclasses
import numbers
import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any, TypeVar

__all__ = ["ABSENT_WHEN_NONE", "Measured", "from_json", "json_schema", "to_json"]

T = TypeVar("T")

#: Field metadata: the key is left out of the JSON when the value is None (a report's existing shape
#: writes some keys only when they apply; other tools read them so).
ABSENT_WHEN_NONE: Mapping[str, bool] = {"absent_when_none": True}


@typing.runtime_checkable
class Measured(typing.Protocol):
    """What a check may return as its section: a dataclass instance (see the module docstring)."""

    __dataclass_fields__: typing.ClassVar[dict[str, Any]]


def to_json(value: Any) -> Any:
    """``value`` as plain JSON-able data: dataclasses become dicts in field order, tuples lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            _key(f): to_json(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not (f.metadata.get("absent_when_none") and getattr(value, f.name) is None)
        }
    if isinstance(value, Mapping):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    return value


def from_json(kind: type[T], data: Any, *, strict: bool = False) -> T:
    """The instance of the dataclass ``kind`` that :func:`to_json` wrote as ``data``.

    Raises ``TypeError`` naming the field when a required key is missing or a value has
    the wrong shape, so a section that no longer matches its type cannot render quietly.
    ``strict``: a key the type does not have is an error too (a check building its result
    from a dict uses it, so that a measurement added to the dict but not to the type is
    never dropped silently); without it such keys are ignored (a report written by a newer
    version still renders).
    """
    result: T = _read(kind, data, getattr(kind, "__name__", "section"), strict)
    return result


def json_schema(kind: type[Any]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12 subset) of what :func:`to_json` writes for the dataclass ``kind``."""
    return _schema(kind)


def _key(f: dataclasses.Field[Any]) -> str:
    """The JSON key of the dataclass field ``f``."""
    return str(f.metadata.get("json", f.name))


@cache
def _hints(kind: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def _read(tp: Any, data: Any, where: str, strict: bool = False) -> Any:
    if tp is Any:
        return data
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(data, Mapping):
            raise TypeError(f"{where}: expected an object for {tp.__name__}, got {type(data).__name__}")
        hints = _hints(tp)
        if strict:
            unknown = sorted(set(data) - {_key(f) for f in dataclasses.fields(tp)})
            if unknown:
                raise TypeError(f"{where}: {tp.__name__} has no field for the key(s) {unknown}")
        values = {}
        for f in dataclasses.fields(tp):
            key = _key(f)
            if key in data:
                values[f.name] = _read(hints[f.name], data[key], f"{where}.{key}", strict)
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise TypeError(f"{where}: the key {key!r} is missing")
        return tp(**values)
    if _is_union(tp):
        options = typing.get_args(tp)
        if data is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _read(option, data, where, strict)
            except TypeError as exc:
                errors.append(str(exc))
        raise TypeError("; ".join(errors) or f"{where}: no type of {tp} fits {data!r}")
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Literal:
        if data not in args:
            raise TypeError(f"{where}: {data!r} is not one of {args}")
        return data
    if origin in (dict, Mapping, typing.Mapping) or tp in (dict, Mapping):
        if not isinstance(data, Mapping):
            raise TypeError(f"{where}: expected an object, got {type(data).__name__}")
        value_type = args[1] if args else Any
        return {key: _read(value_type, item, f"{where}.{key}", strict) for key, item in data.items()}
    if origin in (tuple, list) or tp in (tuple, list):
        if not isinstance(data, (list, tuple)):
            raise TypeError(f"{where}: expected a list, got {type(data).__name__}")
        if origin is tuple and args and args[-1] is not Ellipsis:
            if len(args) != len(data):
                raise TypeError(f"{where}: expected {len(args)} items, got {len(data)}")
            return tuple(_read(a, d, f"{where}[{i}]", strict) for i, (a, d) in enumerate(zip(args, data, strict=True)))
        item_type = args[0] if args else Any
        items = [_read(item_type, d, f"{where}[{i}]", strict) for i, d in enumerate(data)]
        return tuple(items) if origin is tuple or tp is tuple else items
    if tp is float:  # an integer is a number too, and stays one so that the JSON form round-trips
        if isinstance(data, bool) or not isinstance(data, numbers.Real):
            raise TypeError(f"{where}: expected a number, got {data!r}")
        return data
    if tp is int:
        if isinstance(data, bool) or not isinstance(data, numbers.Integral):
            raise TypeError(f"{where}: expected an integer, got {data!r}")
        return data
    if tp is bool:
        import numpy as np

        if not isinstance(data, (bool, np.bool_)):
            raise TypeError(f"{where}: expected a boolean, got {data!r}")
        return data
    if tp is str:
        if not isinstance(data, tp):
            raise TypeError(f"{where}: expected {tp.__name__}, got {data!r}")
        return data
    if tp is type(None):
        if data is not None:
            raise TypeError(f"{where}: expected null, got {data!r}")
        return None
    raise TypeError(f"{where}: unsupported field type {tp!r}")


_PRIMITIVE = {str: "string", int: "integer", float: "number", bool: "boolean", type(None): "null"}


def _schema(tp: Any) -> dict[str, Any]:
    if tp is Any:
        return {}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = _hints(tp)
        fields = dataclasses.fields(tp)
        required = [
            _key(f) for f in fields if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        ]
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {_key(f): _schema(hints[f.name]) for f in fields},
            "required": required,
        }
        doc = (tp.__doc__ or "").strip().split("\n\n")[0]
        if doc:
            schema["description"] = " ".join(doc.split())
        return schema
    if _is_union(tp):
        return {"anyOf": [_schema(option) for option in typing.get_args(tp)]}
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Literal:
        return {"enum": list(args)}
    if origin in (dict, Mapping, typing.Mapping) or tp in (dict, Mapping):
        return {"type": "object", "additionalProperties": _schema(args[1]) if args else {}}
    if origin in (tuple, list) or tp in (tuple, list):
        if origin is tuple and args and args[-1] is not Ellipsis:
            return {
                "type": "array",
                "prefixItems": [_schema(a) for a in args],
                "minItems": len(args),
                "maxItems": len(args),
            }
        return {"type": "array", "items": _schema(args[0]) if args else {}}
    if tp is float:
        return {"type": "number"}
    if tp in _PRIMITIVE:
        return {"type": _PRIMITIVE[tp]}
    raise TypeError(f"unsupported field type {tp!r}")
