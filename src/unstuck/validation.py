"""Validation of the *values* a user gives, before any check sees them.

``Problem`` construction calls these; each either returns quietly or raises an
:class:`~unstuck.errors.InputError` whose message names the column, how many
values are wrong, a few example rows, and the fix. The rule is that no check
ever receives a value it cannot compute with, so that a report never shows a
number (or a verdict) built on one.

Decisions, and why:

* **Infinite numbers, and numbers beyond ±1e150, are refused, not turned into missing values.** ``inf``
  in a table is almost always the trace of a bug upstream (a division by
  zero, a log of zero, an overflow); reading it as "missing" would hide that
  bug and silently change what the models are fitted on. A finite number whose
  square overflows (a variance, a squared error) fails every model the same way.
  The user fixes either in one line, and the message says how.
* **Probabilities must be probabilities:** numbers in [0, 1], naming classes
  that exist, and, when a column is given for every class, rows that sum to 1
  (within ``PROBA_SUM_TOLERANCE``, enough for values rounded to 2 decimals).
* **A feature column has one kind in every split.** A column read as numbers
  from one file and as text from another (one stray word in dev), or holding
  numbers and strings side by side (JSON Lines, Parquet), would make every
  model fail. If every value parses as a number
  the column becomes numbers everywhere, else text everywhere, and the
  report's ``inferred`` says which columns were retyped.
* **Every label of dev, test and train-dev must be a class of train.** A
  model cannot predict a class it never saw; its rows would all count as
  errors and the gap would be read as data mismatch. Labels that differ from
  train's only in letter case or surrounding spaces (``Cat`` vs ``cat``) get
  their own message, since the fix there is a spelling, not more data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.errors import ColumnProblem, SplitProblem

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "PROBA_SUM_TOLERANCE",
    "harmonise_column_kinds",
    "labels_of_one_kind",
    "refuse_non_finite",
    "refuse_unseen_labels",
    "regression_numbers",
    "validate_probabilities",
]

#: How far a row of per-class probabilities may sum from 1 (values written with 2 decimals stay within it).
PROBA_SUM_TOLERANCE = 0.02
#: How far outside [0, 1] one probability may lie (floating-point noise of a softmax).
PROBA_RANGE_TOLERANCE = 1e-6
#: The largest magnitude a number may have: the square of anything larger overflows float64 (max ~1.8e308).
MAX_ABS_VALUE = 1e150
_EXAMPLES = 5


def refuse_non_finite(frame: pd.DataFrame, columns: Iterable[str], where: str) -> None:
    """Raise :class:`ColumnProblem` when a numeric column among ``columns`` holds ``±inf`` or a number beyond
    ``±MAX_ABS_VALUE``."""
    import pandas as pd

    for column in columns:
        values = frame[column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
        infinite = np.isinf(numbers)
        count = int(infinite.sum())
        if not count:
            huge = np.abs(numbers) > MAX_ABS_VALUE
            if huge.any():
                raise ColumnProblem(
                    f"The column '{column}' of {where} holds {int(huge.sum())} value(s) beyond ±{MAX_ABS_VALUE:g} "
                    f"(e.g. {_values(numbers[huge])}) at row(s) {_rows(frame.index[huge])}: squaring them (for a "
                    "variance or a squared error) overflows 64-bit floats, so every model fit on them fails.",
                    "Rescale the column (divide by a power of ten, or take its logarithm), or clip its extremes.",
                )
        if count:
            raise ColumnProblem(
                f"The column '{column}' of {where} holds {count} infinite value(s) (inf or -inf) "
                f"at row(s) {_rows(frame.index[infinite])} (counting data rows from 0).",
                "Replace them with a finite number (for example the column's largest finite value) or "
                "leave those cells empty to mark them missing; an infinity is usually the trace of a "
                "division by zero or an overflow upstream, so unstuck does not guess what it meant.",
            )


def validate_probabilities(frame: pd.DataFrame, columns: Sequence[str], classes: Sequence[Any], where: str) -> None:
    """``proba_<class>`` columns: numbers, finite, in [0, 1], of known classes, rows summing to 1 when complete."""
    import pandas as pd

    known = {str(c) for c in classes}
    for column in columns:
        values = frame[column]
        if not pd.api.types.is_numeric_dtype(values) or values.isna().any():
            raise ColumnProblem(
                f"The probability column '{column}' of {where} is not all numbers.",
                "Fill proba_<class> columns with numbers in [0, 1], or leave them out.",
            )
        refuse_non_finite(frame, [column], where)
        numbers = values.to_numpy(dtype="float64")
        outside = (numbers < -PROBA_RANGE_TOLERANCE) | (numbers > 1 + PROBA_RANGE_TOLERANCE)
        if outside.any():
            raise ColumnProblem(
                f"The probability column '{column}' of {where} has {int(outside.sum())} value(s) outside "
                f"[0, 1] (e.g. {_values(numbers[outside])}) at row(s) {_rows(frame.index[outside])}.",
                "Write probabilities, not scores or logits: apply a softmax (or sigmoid) to the model's "
                "outputs before saving them.",
            )
        name = column.removeprefix("proba_")
        if name not in known:
            raise ColumnProblem(
                f"The column '{column}' of {where} is for the class '{name}', which is not among the "
                f"labels in y_true and y_pred ({sorted(known)}).",
                "Name each probability column proba_<class> after a label that occurs in y_true or y_pred "
                "(spelt the same way), or drop the column.",
            )
    if columns and {c.removeprefix("proba_") for c in columns} == known:
        sums = frame[list(columns)].to_numpy(dtype="float64").sum(axis=1)
        off = np.abs(sums - 1.0) > PROBA_SUM_TOLERANCE
        if off.any():
            raise ColumnProblem(
                f"The probability columns of {where} cover every class, but {int(off.sum())} row(s) do not "
                f"sum to 1 (e.g. {_values(sums[off])}) at row(s) {_rows(frame.index[off])}.",
                "Save the model's normalised class probabilities (a softmax over all classes), "
                f"so that each row sums to 1 within {PROBA_SUM_TOLERANCE}.",
            )


def refuse_unseen_labels(known: Iterable[Any], labels: pd.Series, *, where: str, reference: str, column: str) -> None:
    """Raise :class:`SplitProblem` when ``labels`` hold classes outside ``known`` (train's classes)."""
    known_set = set(known)
    unseen = labels[~labels.isin(list(known_set))]
    if unseen.empty:
        return
    new = sorted({str(v) for v in unseen.unique()})
    folded = {_fold(v) for v in known_set}
    shown = ", ".join(repr(v) for v in new[:10]) + (f" and {len(new) - 10} more" if len(new) > 10 else "")
    message = (
        f"The '{column}' labels of {where} include {len(new)} class(es) never seen in {reference}: "
        f"{shown} ({len(unseen)} of {len(labels)} rows; {reference} has {_classes(known_set)})."
    )
    if all(_fold(v) in folded for v in new):
        raise SplitProblem(
            message + " They differ from the training classes only in letter case or surrounding spaces.",
            "Spell the labels the same way in every split (for example lower-case them all); a model "
            "cannot predict a spelling it never saw, so those rows would all count as errors.",
        )
    raise SplitProblem(
        message,
        f"Give {reference} examples of those classes, or drop those rows from {where}: a model cannot "
        "predict a class it never saw, so they would all count as errors and read as data mismatch.",
    )


def harmonise_column_kinds(
    frames: Mapping[str, pd.DataFrame], columns: Sequence[str], names: Mapping[str, str], *, numbers: bool = True
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """``frames`` with each of ``columns`` given one kind (numbers or text) across splits; notes on what changed.

    A column is left alone when it has the same kind (numbers, booleans or text) in every split
    and mixes no numbers with strings. ``numbers=False`` (class labels) always makes such a column text.
    Otherwise it becomes numbers when every value in every split parses as one, else text
    (missing values stay missing).
    """
    import pandas as pd

    out = dict(frames)
    notes: list[str] = []
    for column in columns:
        kinds = {split: _kind(frame[column]) for split, frame in frames.items()}
        if len(set(kinds.values())) <= 1 and "mixed" not in kinds.values():
            continue
        parsed = {split: _as_numbers(frame[column]) if numbers else None for split, frame in frames.items()}
        if numbers and all(p is not None for p in parsed.values()):
            for split, values_as_numbers in parsed.items():
                out[split] = out[split].assign(**{column: values_as_numbers})
            became = "numbers"
        else:
            for split, frame in out.items():
                values = frame[column]
                text = values.astype(object).where(values.notna(), None).map(_text, na_action="ignore")
                out[split] = frame.assign(**{column: pd.Series(text, index=frame.index, dtype=object)})
            became = "text"
        # File names say most; when two splits share a name (DataFrames), the split names say it.
        shown = {split: names.get(split, split) for split in kinds}
        if len(set(shown.values())) < len(shown):
            shown = {split: split for split in kinds}
        seen = ", ".join(f"{kind} in {shown[split]}" for split, kind in kinds.items())
        notes.append(f"column '{column}' read as {became} in every split ({seen})")
    return out, notes


def regression_numbers(values: pd.Series, column: str, where: str) -> pd.Series:
    """``values`` as float64 for a regression task, or :class:`ColumnProblem` naming a value that is no number."""
    import pandas as pd

    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    numbers = pd.to_numeric(values.astype(object).map(lambda v: str(v).strip()), errors="coerce")
    bad = numbers.isna()
    if bad.any():
        raise ColumnProblem(
            f"The column '{column}' of {where} holds {int(bad.sum())} value(s) that are not numbers "
            f"(e.g. {', '.join(repr(str(v)) for v in values[bad].unique()[:3])} at row(s) "
            f"{_rows(values.index[bad])}), but the task is regression.",
            "A regression needs a number in every row of that column: fix or drop those rows, or pass "
            "--task classification if the column holds class labels.",
        )
    return numbers.astype("float64")


def labels_of_one_kind(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``frame`` with the label ``columns`` as text when they mix numbers and strings (between or within them).

    Otherwise a label 1 in y_true and "1" in y_pred would be two classes, and a metric comparing
    them would fail or count every row wrong.
    """
    kinds = {_kind(frame[c]) for c in columns}
    if len(kinds) <= 1 and "mixed" not in kinds:
        return frame
    out = frame.copy()
    for column in columns:
        out[column] = out[column].astype(object).map(_text)
    return out


def _kind(values: pd.Series) -> str:
    import pandas as pd

    if pd.api.types.is_bool_dtype(values):
        return "booleans"
    if pd.api.types.is_numeric_dtype(values):
        return "numbers"
    if values.isna().all():
        return "empty"
    if values.dtype == object and not all(isinstance(v, str) for v in values.dropna()):
        return "mixed"  # numbers and strings in one column (JSON Lines, Parquet, DataFrames)
    return "text"


def _as_numbers(values: pd.Series) -> pd.Series | None:
    """``values`` as float64 when every present value is a number (booleans count as 0/1), else None."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return values.astype("float64")
    present = values.dropna()
    numbers = pd.to_numeric(present.astype(str).str.strip(), errors="coerce")
    if numbers.isna().any():
        return None
    return pd.to_numeric(values.astype(object).where(values.notna(), None), errors="coerce").astype("float64")


def _text(value: Any) -> str:
    """A cell as text; whole floats lose their ``.0`` so that 3 and 3.0 read from two files agree."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _fold(value: Any) -> str:
    return str(value).strip().casefold()


def _classes(values: set[Any]) -> str:
    names = sorted(str(v) for v in values)
    return ", ".join(repr(v) for v in names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")


def _rows(index: Iterable[Any]) -> str:
    rows = [str(i) for i in list(index)[:_EXAMPLES]]
    return ", ".join(rows) + (", ..." if len(list(index)) > _EXAMPLES else "")


def _values(values: np.ndarray[Any, Any]) -> str:
    return ", ".join(f"{v:g}" for v in values[:3])
