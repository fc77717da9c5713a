"""Row keys for exact and near-duplicate search, in linear time.

A row's key is a 64-bit hash of its feature values (``pandas.util.hash_pandas_object``,
vectorised). Two rows are *exact* duplicates when their raw values hash alike, and
*near* duplicates when their **normalised** values do: numbers rounded to
``SIGNIFICANT_DIGITS`` significant digits, text lower-cased with accents, punctuation
and repeated white space removed. Grouping by key is a hash join, so the search is
O(n) in the number of rows, never quadratic. (A 64-bit collision between different
rows has probability about n²/2⁶⁵: about 3·10⁻⁸ for a million rows.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "SIGNIFICANT_DIGITS",
    "harmonise",
    "id_like_name",
    "normalise_frame",
    "row_keys",
    "shared_keys",
]

SIGNIFICANT_DIGITS = 3

_ID_NAME = re.compile(r"(^|[_\W])(id|uuid|guid|key|index|idx)$|^(id|uuid|guid)[_\W]", re.IGNORECASE)
_CAMEL_ID = re.compile(r"[a-z](Id|ID|Key|Uuid)$")


def id_like_name(name: str) -> bool:
    """True for column names that read like identifiers (``id``, ``user_id``, ``row-uuid``, ``ID_x``)."""
    return bool(_ID_NAME.search(str(name)) or _CAMEL_ID.search(str(name)))


def _round_significant(values: NDArray[np.float64], digits: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(mantissa, exponent) integers such that mantissa·10^(exponent-digits+1) ≈ value at ``digits`` digits."""
    finite = np.isfinite(values) & (values != 0)
    safe = np.where(finite, np.abs(values), 1.0)
    exponent = np.floor(np.log10(safe)).astype(np.int64)
    scaled = np.where(finite, values / np.power(10.0, exponent - digits + 1), 0.0)
    mantissa = np.round(scaled).astype(np.int64)
    # rounding 9.995 -> 1000 moves to the next decade: renormalise so equal values share a key
    overflow = np.abs(mantissa) >= 10**digits
    mantissa = np.where(overflow, np.round(mantissa / 10).astype(np.int64), mantissa)
    exponent = np.where(overflow, exponent + 1, exponent)
    exponent = np.where(finite, exponent, 0)
    return mantissa, exponent


def normalise_frame(frame: pd.DataFrame, digits: int = SIGNIFICANT_DIGITS) -> pd.DataFrame:
    """A copy of ``frame`` whose equal rows are the near duplicates of the original.

    Numbers → (mantissa, exponent) at ``digits`` significant digits (NaN and ±inf kept
    apart); booleans → 0/1; everything else → text, NFKD-folded, lower-cased, with
    punctuation removed and white space collapsed (missing stays missing).
    """
    import pandas as pd

    out: dict[str, pd.Series] = {}
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_bool_dtype(values):
            out[str(column)] = values.astype("float64")
        elif pd.api.types.is_numeric_dtype(values):
            array = values.to_numpy(dtype=np.float64, na_value=np.nan)
            mantissa, exponent = _round_significant(array, digits)
            special = np.where(np.isnan(array), 1, np.where(np.isposinf(array), 2, np.where(np.isneginf(array), 3, 0)))
            out[f"{column}\0m"] = pd.Series(mantissa, index=frame.index)
            out[f"{column}\0e"] = pd.Series(exponent * 4 + special, index=frame.index)
        else:
            out[str(column)] = _normalise_text(values.astype("string"))
    return pd.DataFrame(out, index=frame.index)


def _normalise_text(text: pd.Series) -> pd.Series:
    """NFKD-folded, lower-cased text without punctuation and with white space collapsed.

    Each distinct value is normalised once and mapped back by its code, so a column of
    a few categories costs a hash pass, not a string operation per row.
    """
    import pandas as pd

    codes, uniques = pd.factorize(text)
    normal = (
        pd.Series(uniques, dtype="string")
        .str.normalize("NFKD")
        .str.encode("ascii", errors="ignore")
        .str.decode("ascii")
        .str.lower()
        .str.replace(r"[^\w\s]", "", regex=True)
        .str.replace(r"\s+", " ", regex=True)
        .str.strip()
    )
    mapped = normal.take(np.maximum(codes, 0)).set_axis(text.index) if len(normal) else text.copy()
    return mapped.where(codes >= 0).astype("string")


def harmonise(frames: Mapping[str, pd.DataFrame], columns: Sequence[str]) -> dict[str, pd.DataFrame]:
    """``frames[columns]`` with one dtype per column across all splits, so equal values hash alike.

    A column numeric (or boolean, or entirely empty) in every split becomes float64
    everywhere; any other column becomes text everywhere. Without this, a column that
    happens to be empty in one split (read as float NaN) would never match the same
    empty cells of another split (read as text).
    """
    import pandas as pd

    def numeric(values: pd.Series) -> bool:
        return bool(pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values) or values.isna().all())

    # Columns gathered first and joined once: inserting them one by one fragments a wide frame
    # (256 pixel columns of an image problem made pandas warn on every split).
    parts: dict[str, dict[str, pd.Series]] = {name: {} for name in frames}
    for column in columns:
        as_number = all(numeric(frame[column]) for frame in frames.values())
        for name, frame in frames.items():
            values = frame[column]
            parts[name][column] = values.astype("float64") if as_number else values.astype("string")
    return {name: pd.DataFrame(parts[name], index=frame.index) for name, frame in frames.items()}


def row_keys(frame: pd.DataFrame, columns: Sequence[str], *, near: bool = False) -> NDArray[np.uint64]:
    """One 64-bit key per row of ``frame[columns]``: equal keys ⇔ equal (normalised, if ``near``) rows."""
    import pandas as pd

    part = frame[list(columns)]
    if near:
        part = normalise_frame(part)
    else:
        # hash mixed object columns by their text so that 1 and "1" in an object column stay apart consistently
        part = part.copy()
        for column in part.columns:
            if part[column].dtype == object:
                part[column] = part[column].astype("string")
    return np.asarray(pd.util.hash_pandas_object(part, index=False), dtype=np.uint64)


def shared_keys(left: NDArray[np.uint64], right: NDArray[np.uint64]) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Masks of the rows of ``left`` whose key occurs in ``right``, and of ``right`` whose key occurs in ``left``."""
    common = np.intersect1d(left, right, assume_unique=False)
    return np.isin(left, common), np.isin(right, common)
