"""Which columns hold free text, decided by their content.

A column is text when its values are long, mostly unique and made of many words
(thresholds below, measured on the non-missing values of the training split). Such a
column is useless as a category — every row is its own level — but carries the signal
of a text problem, so unstuck represents it with TF-IDF or sentence embeddings instead.
The decision and the measurements behind it go into the report, and the user can
override it (``--text-column``, ``--no-text``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from unstuck.errors import ColumnProblem
from unstuck.units import percent

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MIN_MEDIAN_CHARACTERS",
    "MIN_MEDIAN_WORDS",
    "MIN_UNIQUE_SHARE",
    "TextColumn",
    "decide_text_columns",
    "describe_decision",
    "detect_text_columns",
    "measure_text_column",
]

#: A text column's median value has at least this many words ...
MIN_MEDIAN_WORDS = 5
#: ... and at least this many characters ...
MIN_MEDIAN_CHARACTERS = 25
#: ... and at least this share of its non-missing values are distinct (categories repeat).
MIN_UNIQUE_SHARE = 0.5
#: Detection reads at most this many values per column (the decision is a median and a share).
SAMPLE = 5_000


@dataclass(frozen=True)
class TextColumn:
    """The measurements that decide whether ``name`` is text."""

    name: str
    median_words: float
    median_characters: float
    unique_share: float

    @property
    def is_text(self) -> bool:
        return (
            self.median_words >= MIN_MEDIAN_WORDS
            and self.median_characters >= MIN_MEDIAN_CHARACTERS
            and self.unique_share >= MIN_UNIQUE_SHARE
        )

    def describe(self) -> str:
        return (
            f"'{self.name}': median {self.median_words:g} words, {self.median_characters:g} characters, "
            f"{percent(self.unique_share, 0)} distinct"
        )


def measure_text_column(values: pd.Series, name: str) -> TextColumn | None:
    """The text measurements of a column, or None when it holds no string values."""
    present = values.dropna()
    present = present[present.map(lambda v: isinstance(v, str))]
    if present.empty:
        return None
    sample = present.iloc[:SAMPLE].astype(str)
    words = np.array([len(v.split()) for v in sample.tolist()], dtype=np.float64)
    characters = sample.str.len().to_numpy(dtype=np.float64)
    return TextColumn(
        name=name,
        median_words=float(np.median(words)),
        median_characters=float(np.median(characters)),
        unique_share=float(sample.nunique() / len(sample)),
    )


def detect_text_columns(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> tuple[str, ...]:
    """The columns of ``frame`` (or of ``columns``) that hold free text, in column order."""
    import pandas as pd

    chosen = list(frame.columns if columns is None else columns)
    found = []
    for column in chosen:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        measured = measure_text_column(values, str(column))
        if measured is not None and measured.is_text:
            found.append(column)
    return tuple(found)


def describe_decision(frame: pd.DataFrame, text: Sequence[str], *, how: str) -> str:
    """One sentence for the report: which columns are text and why (``how``: detected, given or off)."""
    if how == "off":
        return "text detection turned off (--no-text): every non-numeric column is a category"
    if not text:
        return (
            "no text column: none has a median of "
            f"{MIN_MEDIAN_WORDS}+ words and {MIN_MEDIAN_CHARACTERS}+ characters with "
            f"{percent(MIN_UNIQUE_SHARE, 0)}+ distinct values (name one with --text-column)"
        )
    parts = []
    for column in text:
        measured = measure_text_column(frame[column], str(column))
        parts.append(measured.describe() if measured is not None else f"'{column}'")
    if how == "given":
        return "text column(s) given with --text-column: " + "; ".join(parts)
    return (
        "text column(s) detected by content, represented by TF-IDF and sentence embeddings instead of "
        "categories: " + "; ".join(parts) + " (override with --text-column / --no-text)"
    )


def decide_text_columns(
    frames: Mapping[str, pd.DataFrame],
    features: Sequence[str],
    labels: Mapping[str, str],
    given: Sequence[str] | None,
) -> tuple[tuple[str, ...], str | None]:
    """The text columns of a problem and the note that says why, or raise on a text column that cannot serve.

    ``given``: None to detect on train's content, ``()`` for ``--no-text``, else the columns
    the user named (``--text-column``). ``labels`` names each split's file for messages.
    The note is None when nothing is text and the user said nothing (a plain table).
    A text column must hold some text in every split: a dev set whose texts are all
    missing would be scored on nothing but the other columns.
    """
    import pandas as pd

    train = frames["train"]
    if given is None:
        chosen, how = detect_text_columns(train, features), "detected"
    elif not given:
        return (), describe_decision(train, (), how="off")
    else:
        chosen, how = tuple(dict.fromkeys(given)), "given"
        for column in chosen:
            if column not in features:
                raise ColumnProblem(
                    f"--text-column names '{column}', which is not a feature column of {labels['train']} "
                    f"(its feature columns are: {', '.join(map(str, features))[:600]}).",
                    "Name a column of the table that holds the texts (not the target, id or a dropped column).",
                )
            if pd.api.types.is_numeric_dtype(train[column]) or pd.api.types.is_bool_dtype(train[column]):
                raise ColumnProblem(
                    f"--text-column names '{column}', but {labels['train']} holds numbers there, not text.",
                    "Name the column that holds the texts, or leave --text-column out to let unstuck detect it.",
                )
    for column in chosen:
        for split, frame in frames.items():
            values = frame[column]
            if not values.map(lambda v: isinstance(v, str) and v.strip() != "").any():
                raise ColumnProblem(
                    f"The text column '{column}' is empty in every one of the {len(frame)} rows of {labels[split]}: "
                    "no text to represent, so no model can be scored on that split.",
                    f"Fill in the texts of {labels[split]}, or pass --no-text to treat '{column}' as an "
                    f"ordinary column (or --drop {column}).",
                )
    if not chosen and how == "detected":
        return (), None
    return chosen, describe_decision(train, chosen, how=how)
