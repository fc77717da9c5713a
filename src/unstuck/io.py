"""Readers for the tables a user hands unstuck: CSV, Parquet and JSON Lines.

Every reader turns the ways a file can be wrong (missing, empty, not UTF-8,
not the format its suffix says) into a :class:`~unstuck.errors.FileProblem`
that names the file and the fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from unstuck.errors import FileProblem

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SUPPORTED_SUFFIXES", "read_table"]

SUPPORTED_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq", ".jsonl", ".ndjson", ".json")


def read_table(path: str | Path, *, encoding: str = "utf-8") -> pd.DataFrame:
    """Read one table from ``path``; the format comes from the suffix.

    Parameters
    ----------
    path:
        A ``.csv``/``.tsv`` (comma or tab separated), ``.parquet`` or ``.jsonl`` file.
    encoding:
        Text encoding of CSV/JSONL files. UTF-8 unless the user says otherwise.

    Returns
    -------
    DataFrame with one row per line/record, columns as in the file.
    """
    import pandas as pd

    p = Path(path)
    if not p.exists():
        raise FileProblem(
            f"The file '{p}' does not exist.",
            f"Check the path (it is relative to the current directory '{Path.cwd()}').",
        )
    if p.is_dir():
        raise FileProblem(f"'{p}' is a folder, not a table file.", "Pass a .csv, .parquet or .jsonl file.")
    suffix = p.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise FileProblem(
            f"unstuck cannot read '{p.name}': the suffix '{suffix or '(none)'}' is not a known table format.",
            "Save it as .csv, .parquet or .jsonl (one JSON object per line).",
        )
    if p.stat().st_size == 0:
        raise FileProblem(f"The file '{p}' is empty.", "Pass a file with a header row and at least one data row.")
    try:
        if suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(p)
        elif suffix in (".jsonl", ".ndjson", ".json"):
            frame = pd.read_json(p, lines=suffix != ".json", encoding=encoding)
        else:
            sep = "\t" if suffix == ".tsv" else None
            frame = pd.read_csv(p, sep=sep, engine="python" if sep is None else "c", encoding=encoding)
    except UnicodeDecodeError as exc:
        raise FileProblem(
            f"'{p.name}' is not valid {encoding}: byte {exc.object[exc.start : exc.start + 1]!r} "
            f"at position {exc.start} cannot be decoded.",
            "Pass its real encoding with --encoding (for example --encoding latin-1), "
            f"or convert it: iconv -f latin1 -t utf-8 {p.name} > fixed.csv",
        ) from None
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
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame
