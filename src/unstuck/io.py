"""Readers for the tables a user hands unstuck: CSV, Parquet and JSON Lines.

Every reader turns the ways a file can be wrong (missing, empty, not UTF-8,
not the format its suffix says) into a :class:`~unstuck.errors.FileProblem`
that names the file and the fix.

Text tables are normalised the same way whatever wrote them, so that no check
ever sees an artefact of the file format:

* a byte-order mark (UTF-8 or UTF-16) is honoured and never kept in a column name;
* the delimiter of a ``.csv``/``.txt`` file is chosen among ``, ; TAB |`` as the
  one that splits the header into several fields *and* every sampled line into
  as many; a file that no candidate splits consistently is one column (so
  ``label`` is never split on the letter ``l``, as a free-form sniffer does);
* decimal commas (``3,14`` in a semicolon- or tab-separated file, as European
  spreadsheets write them) are read as numbers, not as text categories;
* column names are stripped of surrounding spaces, and names that are equal
  (or become equal once stripped) are refused, since a check would otherwise
  read one column for another;
* fields of any size are read (the C parser has no field-size limit).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from unstuck.errors import ColumnProblem, FileProblem

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DELIMITERS", "SUPPORTED_SUFFIXES", "detect_delimiter", "read_table"]

SUPPORTED_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq", ".jsonl", ".ndjson", ".json")

#: Delimiters a text table may use, in order of preference when two split a sample equally well.
DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")

#: How much of a text file the delimiter detection looks at.
_SAMPLE_BYTES = 64 * 1024
_SAMPLE_LINES = 50
_AGREEMENT = 0.8

#: A number written with a decimal comma: ``-3,14``, ``1.234,5`` (dots group thousands), ``,5``, ``7``.
_DECIMAL_COMMA = re.compile(r"^(?=.*\d)[+-]?(\d{1,3}(\.\d{3})+|\d*)(,\d+)?([eE][+-]?\d+)?$")


def read_table(path: str | Path, *, encoding: str = "utf-8") -> pd.DataFrame:
    """Read one table from ``path``; the format comes from the suffix.

    Parameters
    ----------
    path:
        A ``.csv``/``.txt`` (delimiter detected), ``.tsv``, ``.parquet`` or ``.jsonl`` file.
    encoding:
        Text encoding of CSV/JSONL files. UTF-8 unless the user says otherwise; a
        byte-order mark overrides it (UTF-8 or UTF-16).

    Returns
    -------
    DataFrame with one row per line/record, columns as in the file (names stripped).
    """
    import pandas as pd

    p = Path(path)
    if not p.exists():
        raise FileProblem(
            f"The file '{p}' does not exist.",
            f"Check the path (it is relative to the current directory '{Path.cwd()}').",
        )
    if p.is_dir():
        raise FileProblem(
            f"'{p}' is a folder, not a table file, and not an image folder (no sub-folder holds images).",
            "Pass a .csv, .parquet or .jsonl file, or a folder with one sub-folder of images per class.",
        )
    suffix = p.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise FileProblem(
            f"unstuck cannot read '{p.name}': the suffix '{suffix or '(none)'}' is not a known table format.",
            "Save it as .csv, .parquet or .jsonl (one JSON object per line).",
        )
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise _unreadable(p, exc) from None
    if size == 0:
        raise FileProblem(f"The file '{p}' is empty.", "Pass a file with a header row and at least one data row.")
    try:
        if suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(p)
        else:
            encoding = _encoding_with_bom(p, encoding)
            if suffix in (".jsonl", ".ndjson", ".json"):
                frame = pd.read_json(p, lines=suffix != ".json", encoding=encoding)
            else:
                frame = _read_delimited(p, suffix, encoding)
    except (FileProblem, ColumnProblem):
        raise
    except UnicodeDecodeError as exc:
        raise FileProblem(
            f"'{p.name}' is not valid {encoding}: byte {exc.object[exc.start : exc.start + 1]!r} "
            f"at position {exc.start} cannot be decoded.",
            "Pass its real encoding with --encoding (for example --encoding latin-1), "
            f"or convert it: iconv -f latin1 -t utf-8 {p.name} > fixed.csv",
        ) from None
    except LookupError:
        raise FileProblem(
            f"'{encoding}' is not a text encoding Python knows, so '{p.name}' cannot be read.",
            "Pass a known encoding with --encoding, for example utf-8, latin-1 or cp1252.",
        ) from None
    except OSError as exc:
        raise _unreadable(p, exc) from None
    except Exception as exc:  # pandas and pyarrow raise many parser-specific types
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FileProblem(
            f"unstuck could not parse '{p.name}' as {suffix.lstrip('.')}: {first_line}",
            "Check that the file is complete and really is in that format.",
        ) from None
    if frame.shape[1] == 0 or frame.shape[0] == 0:
        raise FileProblem(
            f"'{p.name}' has no data rows.",
            "Pass a file with a header row and at least one data row.",
        )
    frame.columns = clean_column_names([str(c) for c in frame.columns], p.name)
    return frame


def clean_column_names(names: list[str], where: str) -> list[str]:
    """``names`` without surrounding spaces or byte-order marks; refuses names that then collide."""
    cleaned = [name.replace("\ufeff", "").strip() for name in names]
    counts = Counter(cleaned)
    repeated = sorted(name for name, count in counts.items() if count > 1)
    if repeated:
        shown = ", ".join(repr(n) for n in names)
        raise ColumnProblem(
            f"The header of {where} names the column(s) {repeated} more than once "
            f"(once surrounding spaces are removed); its names are: {shown}.",
            "Give every column a distinct name in the header row, or delete the duplicate column.",
        )
    return cleaned


def detect_delimiter(lines: list[str]) -> str | None:
    """The delimiter among ``DELIMITERS`` that splits ``lines`` into one consistent number of fields.

    ``lines[0]`` is the header. A candidate qualifies when it splits the header
    into at least two fields and every other line (quoted fields respected)
    into exactly as many; among those, the one giving the most fields wins.
    None when no candidate qualifies: the file has one column.
    """
    best: tuple[int, str] | None = None
    for delimiter in DELIMITERS:
        try:
            rows = [row for row in csv.reader(lines, delimiter=delimiter) if row]
        except csv.Error:  # a NUL byte or an unclosed quote: not this delimiter's fault, but no evidence either
            continue
        if not rows or len(rows[0]) < 2:
            continue
        if len(lines) == _SAMPLE_LINES and len(rows) > 1:
            rows = rows[:-1]  # the sample may end inside a quoted field that spans lines
        width = len(rows[0])
        agree = sum(len(row) == width for row in rows[1:])
        if agree >= _AGREEMENT * (len(rows) - 1) and (best is None or width > best[0]):
            best = (width, delimiter)
    return best[1] if best else None


def _read_delimited(path: Path, suffix: str, encoding: str) -> pd.DataFrame:
    import pandas as pd

    sample = _sample_lines(path, encoding)
    delimiter = "\t" if suffix == ".tsv" else detect_delimiter(sample)
    frame = pd.read_csv(path, sep=delimiter or ",", engine="c", encoding=encoding, low_memory=False)
    header = _first_row(sample, delimiter or ",")
    if len(header) == frame.shape[1]:
        # pandas renames a repeated name ``x`` to ``x.1``; the raw header shows the file's real names.
        frame.columns = clean_column_names(header, path.name)
    if delimiter not in (None, ","):
        frame = _decimal_commas(frame)
    return frame


def _sample_lines(path: Path, encoding: str) -> list[str]:
    """The first lines of ``path``, line ends kept so that quoted fields spanning lines parse (a bounded
    sample, so a huge file costs no more than a small one)."""
    with path.open("r", encoding=encoding, newline="") as handle:
        text = handle.read(_SAMPLE_BYTES)
    lines = text.splitlines(keepends=True)
    if len(text) == _SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut in the middle
    return lines[:_SAMPLE_LINES]


def _first_row(lines: list[str], delimiter: str) -> list[str]:
    """The header row's fields as the file spells them (quotes resolved), or [] when none parses."""
    try:
        return next((row for row in csv.reader(lines, delimiter=delimiter) if row), [])
    except csv.Error:
        return []


def _decimal_commas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns whose every value is a number written with a decimal comma, as numbers."""
    import pandas as pd

    out = frame.copy()
    for column in frame.columns:
        values = frame[column]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            continue
        present = values.dropna().astype(str).str.strip()
        if present.empty or not present.str.contains(",", regex=False).any():
            continue
        if present.str.fullmatch(_DECIMAL_COMMA.pattern).all():
            dotted = values.astype("string").str.strip().str.replace(".", "", regex=False)
            numbers = pd.to_numeric(dotted.str.replace(",", ".", regex=False), errors="coerce")
            out[column] = numbers.astype("float64")
    return out


def _encoding_with_bom(path: Path, encoding: str) -> str:
    """The encoding a byte-order mark announces (so that it is never read as a character), else ``encoding``."""
    with path.open("rb") as handle:
        head = handle.read(4)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return encoding


def _unreadable(path: Path, exc: OSError) -> FileProblem:
    return FileProblem(
        f"unstuck cannot read '{path}': {exc.strerror or exc}.",
        "Check the file's permissions (it must be readable by you), or copy it somewhere readable.",
    )
