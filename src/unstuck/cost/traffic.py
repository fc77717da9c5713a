"""Reading production LLM traffic: one JSON object per line, with line-numbered errors.

A traffic file is what an LLM gateway or an application log writes: one request per
line, e.g.::

    {"prompt": "Where is my parcel?", "response": "shipping", "timestamp": "2026-03-01T10:00:00Z"}

Fields are named by the user (``--input``, ``--output``); dotted paths reach into
nested objects (``request.prompt``, ``usage.prompt_tokens``). A chat-style input (a
list of ``{"role", "content"}`` messages) is joined into one text.

Every way a line can be wrong is reported with its line number: not valid JSON, not
an object, a missing or null field, a field whose JSON type differs from the one most
lines use (mixed types), an unparseable timestamp, a token count that is not a number.
By default any bad line is an error (the user sees the first ten); with
``skip_bad_lines=True`` the good lines are kept and the bad ones are listed in
:attr:`Traffic.bad_lines`.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unstuck.errors import ColumnProblem, FileProblem, InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TIME_FIELDS", "BadLine", "Traffic", "read_traffic"]

#: Field names taken as the request time when ``time_field`` is not given.
TIME_FIELDS: tuple[str, ...] = ("timestamp", "time", "created_at", "created", "ts", "date")

_MISSING = object()


@dataclass(frozen=True)
class BadLine:
    """A line of the traffic file that could not be used: its 1-based number and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class Traffic:
    """The usable lines of a traffic file.

    ``frame`` has one row per good line with columns ``line`` (1-based line number),
    ``input`` and ``output`` (str), and, when present, ``gold`` (str, NaN where a line has
    none), ``time`` (UTC datetime), ``tokens_in`` and ``tokens_out`` (float).
    """

    path: Path
    frame: pd.DataFrame
    lines: int
    bad_lines: tuple[BadLine, ...]
    input_field: str
    output_field: str
    gold_field: str | None
    time_field: str | None

    @property
    def has_time(self) -> bool:
        return "time" in self.frame.columns

    @property
    def has_gold(self) -> bool:
        return "gold" in self.frame.columns


def _get(record: dict[str, Any], path: str) -> Any:
    """The value at dotted ``path`` in ``record``, or ``_MISSING``."""
    if path in record:
        return record[path]
    node: Any = record
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _as_text(value: Any) -> str:
    """A field value as text: strings as they are, chat messages joined, anything else as canonical JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list) and value and all(isinstance(m, dict) and "content" in m for m in value):
        return "\n".join(str(m["content"]) for m in value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def read_traffic(
    path: str | Path,
    *,
    input_field: str = "prompt",
    output_field: str = "response",
    gold_field: str | None = None,
    time_field: str | None = None,
    tokens_in_field: str | None = None,
    tokens_out_field: str | None = None,
    skip_bad_lines: bool = False,
    encoding: str = "utf-8",
) -> Traffic:
    """Read a JSONL traffic file; every unusable line is reported by number.

    Parameters
    ----------
    path:
        The JSONL file (one JSON object per line; blank lines are ignored).
    input_field, output_field:
        The request text and the LLM's answer (dotted paths allowed).
    gold_field:
        Optional human label; lines without it are kept (gold is often sparse).
    time_field:
        Request time (ISO 8601 text or Unix seconds). ``None``: the first of ``TIME_FIELDS``
        the first good line has, if any.
    tokens_in_field, tokens_out_field:
        Optional measured token counts (e.g. ``usage.prompt_tokens``).
    skip_bad_lines:
        Keep the good lines when some are bad, instead of raising.

    Raises
    ------
    FileProblem
        Missing, a folder, or empty file.
    ColumnProblem
        No line has ``input_field`` or ``output_field``.
    InputError
        Bad lines (without ``skip_bad_lines``), or no good line at all.
    """
    import pandas as pd

    p = Path(path)
    if not p.exists():
        raise FileProblem(
            f"The traffic file '{p}' does not exist.",
            f"Check the path (it is relative to the current directory '{Path.cwd()}').",
        )
    if p.is_dir():
        raise FileProblem(f"'{p}' is a folder, not a traffic file.", "Pass a .jsonl file, one JSON object per line.")
    try:
        raw_lines = p.read_bytes().splitlines()
    except OSError as exc:
        raise FileProblem(f"Could not read '{p}': {exc.strerror}.", "Check the file's permissions.") from None

    bad: list[BadLine] = []
    records: list[tuple[int, dict[str, Any]]] = []
    n_lines = 0
    for number, raw in enumerate(raw_lines, start=1):
        if not raw.strip():
            continue
        n_lines += 1
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            bad.append(BadLine(number, f"not valid {encoding} text"))
            continue
        except LookupError:
            raise FileProblem(f"Unknown text encoding '{encoding}'.", "Pass e.g. --encoding utf-8.") from None
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            bad.append(BadLine(number, f"not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
        if not isinstance(record, dict):
            bad.append(BadLine(number, f"a JSON {_json_type(record)}, not an object with named fields"))
            continue
        records.append((number, record))
    if n_lines == 0:
        raise FileProblem(
            f"The traffic file '{p}' is empty.", "Pass a .jsonl file with one JSON object per line (request + answer)."
        )
    if not records:
        raise InputError(
            f"No line of '{p}' is a JSON object: {_list_bad(bad, n_lines)}",
            'A traffic file has one JSON object per line, e.g. {"prompt": "...", "response": "..."}.',
        )

    if time_field is None:
        first = records[0][1]
        time_field = next((f for f in TIME_FIELDS if _get(first, f) is not _MISSING), None)
    required = {"input": input_field, "output": output_field}
    optional = {"gold": gold_field, "time": time_field, "tokens_in": tokens_in_field, "tokens_out": tokens_out_field}
    for role, name in {**required, **{k: v for k, v in optional.items() if v and k != "gold"}}.items():
        if all(_get(rec, name) is _MISSING for _, rec in records):
            fields = ", ".join(sorted(records[0][1])) or "(none)"
            option = {"input": "--input", "output": "--output", "time": "--time-field"}.get(role, f"--{role}-field")
            option = option.replace("_", "-")
            raise ColumnProblem(
                f"No line of '{p.name}' has the field '{name}' ({role}). The first line's fields are: {fields}.",
                f"Pass {option} with one of those (dotted paths like request.prompt reach nested fields).",
            )
    if gold_field and all(_get(rec, gold_field) in (_MISSING, None) for _, rec in records):
        raise ColumnProblem(
            f"No line of '{p.name}' has a value in the gold field '{gold_field}'.",
            "Pass --gold with the field holding human labels, or leave --gold out.",
        )

    # The JSON type most lines use for input and output; other types are "mixed types".
    expected: dict[str, str] = {}
    for role in ("input", "output"):
        kinds = Counter(
            _json_type(v) for _, rec in records if (v := _get(rec, required[role])) is not _MISSING and v is not None
        )
        expected[role] = kinds.most_common(1)[0][0] if kinds else "string"

    rows: list[dict[str, Any]] = []
    for number, rec in records:
        row: dict[str, Any] = {"line": number}
        problem = None
        for role, name in required.items():
            value = _get(rec, name)
            if value is _MISSING:
                problem = f"no field '{name}'"
            elif value is None:
                problem = f"the field '{name}' is null"
            elif _json_type(value) != expected[role]:
                problem = (
                    f"the field '{name}' is a {_json_type(value)} here but a {expected[role]} on most lines "
                    "(mixed types)"
                )
            if problem:
                break
            row[role] = _as_text(value)
        if problem is None and time_field:
            value = _get(rec, time_field)
            if value is _MISSING or value is None:
                problem = f"no time in the field '{time_field}'"
            else:
                stamp = _parse_time(value)
                if stamp is None:
                    problem = f"the time '{value}' in the field '{time_field}' is not ISO 8601 text or Unix seconds"
                row["time"] = stamp
        for role in ("tokens_in", "tokens_out"):
            count_field = optional[role]
            if problem is None and count_field:
                value = _get(rec, count_field)
                if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                    shown = "missing" if value is _MISSING else repr(value)
                    problem = f"the token count '{count_field}' is {shown}, not a number ≥ 0"
                else:
                    row[role] = float(value)
        if problem is None and gold_field:
            value = _get(rec, gold_field)
            row["gold"] = None if value is _MISSING or value is None else _as_text(value)
        if problem is not None:
            bad.append(BadLine(number, problem))
        else:
            rows.append(row)

    bad.sort(key=lambda b: b.line)
    if bad and not skip_bad_lines:
        raise InputError(
            f"'{p.name}' has {len(bad):,} bad line(s) of {n_lines:,}: {_list_bad(bad, n_lines)}",
            f"Fix those lines, or pass --skip-bad-lines to keep the {len(rows):,} good line(s).",
        )
    if not rows:
        raise InputError(
            f"No line of '{p.name}' is usable: {_list_bad(bad, n_lines)}",
            "Check --input and --output name the request and answer fields.",
        )
    frame = pd.DataFrame(rows)
    if "time" in frame.columns:
        frame["time"] = pd.to_datetime(frame["time"], utc=True)
    return Traffic(
        path=p,
        frame=frame,
        lines=n_lines,
        bad_lines=tuple(bad),
        input_field=input_field,
        output_field=output_field,
        gold_field=gold_field,
        time_field=time_field,
    )


def _parse_time(value: Any) -> Any:
    """A ``pandas.Timestamp`` (UTC) from ISO 8601 text or Unix seconds; ``None`` when neither."""
    import pandas as pd

    try:
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            return pd.Timestamp(float(value), unit="s", tz="UTC")
        if isinstance(value, str):
            stamp = pd.Timestamp(value)
            if pd.isna(stamp):
                return None
            return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    except (ValueError, OverflowError, TypeError):
        return None
    return None


def _list_bad(bad: list[BadLine], n_lines: int, limit: int = 10) -> str:
    shown = "; ".join(str(b) for b in bad[:limit])
    more = f"; and {len(bad) - limit:,} more" if len(bad) > limit else ""
    return f"{shown}{more}."
