"""Generated odd inputs for the property suite and ``benchmarks/odd_inputs.py``.

Hypothesis strategies draw small tables the way real files go wrong: random
column kinds (floats, integers, booleans, categories, free text, mixed
objects, empty, constant), odd cells injected at random (NaN, ±inf, 1e300,
empty strings, BOMs, decimal commas, newlines), odd and colliding header names
(spaces, BOMs, unicode, delimiters inside), odd label sets (case variants,
classes only in dev) and odd splits, written in a random file format
(CSV with comma, semicolon, tab or pipe, decimal commas, a BOM, UTF-16;
TSV, JSON Lines, Parquet).

``outcome`` runs one call and classifies what happened: a refusal
(:class:`~unstuck.errors.UnstuckError` with a message and a fix), a report
(checked against the JSON Schema and for non-finite numbers), or a failure.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from unstuck.errors import UnstuckError
from unstuck.findings import Report, non_finite_paths

ODD_CELLS: tuple[Any, ...] = (
    np.nan,
    np.inf,
    -np.inf,
    1e300,
    -1e300,
    1e-300,
    -0.0,
    2**63 - 1,
    "",
    " ",
    "inf",
    "NaN",
    "ñ",
    "\ufeff",
    "1,5",
    "a,b",
    "x;y",
    "line\nbreak",
    '"quoted"',
    True,
    None,
)
ODD_NAMES: tuple[str, ...] = (
    "x",
    " x",
    "x ",
    "\ufeffid",
    "a;b",
    "a,b",
    "ünï",
    "列",
    "",
    " ",
    "1",
    "nan",
    "proba_x",
    "split",
    "label ",
    "y_true",
)
KINDS = ("float", "int", "bool", "category", "text", "mixed", "empty", "constant")
FORMATS = ("csv", "csv;", "csv_tab", "csv|", "csv_decimal_comma", "csv_bom", "csv_utf16", "tsv", "jsonl", "parquet")


@dataclass(frozen=True)
class Outcome:
    """What one call did: ``kind`` is refused, report, traceback, schema_invalid, non_finite, check_failed
    (a report in which a check raised an exception) or no_hint (a refusal without a fix)."""

    kind: str
    detail: str = ""


def outcome(call: Callable[[], Report]) -> Outcome:
    """Run ``call`` and classify the result (never raises)."""
    from unstuck.schemas import validate

    try:
        report = call()
    except UnstuckError as exc:
        return Outcome("refused" if exc.message and exc.hint else "no_hint", f"{exc.message} | {exc.hint}")
    except Exception:
        return Outcome("traceback", traceback.format_exc())
    document = report.to_dict()
    try:
        validate(document)
    except Exception as exc:
        return Outcome("schema_invalid", str(exc).splitlines()[0])
    raw = non_finite_paths(asdict(report))
    if raw or non_finite_paths(document):
        return Outcome("non_finite", ", ".join(raw[:5]))
    crashed = [f"{s.check}: {s.reason}" for s in report.skipped if s.reason.startswith("failed")]
    if crashed:
        # A check raised on an input the validation let through: a hole in the input layer.
        return Outcome("check_failed", " || ".join(crashed)[:1500])
    return Outcome("report")


def column_values(kind: str, n: int, rng: np.random.Generator) -> list[Any]:
    """``n`` values of one column kind."""
    if kind == "float":
        return list(rng.normal(size=n) * 10.0 ** rng.integers(-3, 6))
    if kind == "int":
        return list(rng.integers(-5, 1000, size=n))
    if kind == "bool":
        return list(rng.random(n) < 0.5)
    if kind == "category":
        return list(rng.choice(["red", "green", "blue", "Ünïcode", "a b"], size=n))
    if kind == "text":
        return [" ".join(rng.choice(["the", "cat", "sat", "naïve", "😀", "on"], size=3)) for _ in range(n)]
    if kind == "mixed":
        pool: list[Any] = [1, 2.5, "x", True, None, "3"]
        return [pool[int(i)] for i in rng.integers(0, len(pool), size=n)]
    if kind == "empty":
        return [np.nan] * n
    return [7] * n


@st.composite
def odd_frames(draw: st.DrawFn, *, min_rows: int = 0, max_rows: int = 60) -> tuple[pd.DataFrame, str, str]:
    """A table, the name of its label column, and the task kind the label was drawn as."""
    # Mostly tables large enough to diagnose, sometimes tiny or empty ones.
    n = draw(st.one_of(st.integers(min_rows, max_rows), st.integers(max(min_rows, max_rows // 2), max_rows)))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=4))
    names = [
        draw(st.one_of(st.just(f"f{k}"), st.sampled_from(ODD_NAMES), st.just(f"f{k}"), st.text(min_size=1, max_size=5)))
        for k in range(len(kinds))
    ]
    columns = {f"_{k}": column_values(kind, n, rng) for k, kind in enumerate(kinds)}
    label_kind = draw(st.sampled_from(("classes", "classes", "case", "integers", "regression", "one_class")))
    if label_kind == "regression":
        label: list[Any] = list(rng.normal(size=n) * 3 + 1)
    elif label_kind == "integers":
        label = list(rng.integers(0, 3, size=n))
    elif label_kind == "one_class":
        label = ["only"] * n
    else:
        pool = ["cat", "dog", "Cat"] if label_kind == "case" else ["yes", "no", "maybe"]
        label = list(rng.choice(pool, size=n))
    columns["_label"] = label
    frame = pd.DataFrame(columns)
    for _ in range(draw(st.integers(0, 4))):  # odd cells anywhere, the label included
        if n == 0:
            break
        row, col = draw(st.integers(0, n - 1)), draw(st.integers(0, frame.shape[1] - 1))
        frame = frame.astype({frame.columns[col]: object})
        frame.iat[row, col] = draw(st.sampled_from(ODD_CELLS))
    label_name = draw(st.sampled_from(("label", "label", " label", "\ufefflabel", "ラベル")))
    frame.columns = [*names, label_name]
    return frame, label_name.replace("\ufeff", "").strip() or label_name, label_kind


def write_table(frame: pd.DataFrame, folder: Path, stem: str, file_format: str) -> Path:
    """Write ``frame`` as ``file_format``; a format that cannot hold the table falls back to plain CSV."""
    writers: dict[str, tuple[str, Callable[[Path], None]]] = {
        "csv": (".csv", lambda p: frame.to_csv(p, index=False)),
        "csv;": (".csv", lambda p: frame.to_csv(p, index=False, sep=";")),
        "csv_tab": (".csv", lambda p: frame.to_csv(p, index=False, sep="\t")),
        "csv|": (".txt", lambda p: frame.to_csv(p, index=False, sep="|")),
        "csv_decimal_comma": (".csv", lambda p: frame.to_csv(p, index=False, sep=";", decimal=",")),
        "csv_bom": (".csv", lambda p: frame.to_csv(p, index=False, encoding="utf-8-sig")),
        "csv_utf16": (".csv", lambda p: frame.to_csv(p, index=False, encoding="utf-16")),
        "tsv": (".tsv", lambda p: frame.to_csv(p, index=False, sep="\t")),
        "jsonl": (".jsonl", lambda p: frame.to_json(p, orient="records", lines=True)),
        "parquet": (".parquet", lambda p: frame.to_parquet(p, index=False)),
    }
    suffix, write = writers[file_format]
    path = folder / f"{stem}{suffix}"
    try:
        write(path)
    except Exception:
        path = folder / f"{stem}.csv"
        frame.to_csv(path, index=False)
    return path


@st.composite
def odd_predictions(draw: st.DrawFn) -> pd.DataFrame:
    """A predictions table: odd split names, label types, probabilities and cells."""
    n = draw(st.one_of(st.integers(0, 80), st.integers(30, 80)))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    good = ("train", "dev", "test", "validation", "TRAIN", " dev", "holdout")
    pool_of_splits = draw(st.sampled_from((good, good, good, (*good, "bogus", ""))))
    splits = draw(st.lists(st.sampled_from(pool_of_splits), min_size=1, max_size=3))
    kind = draw(st.sampled_from(("binary", "names", "case", "regression", "one_class")))
    if kind == "regression":
        y_true: np.ndarray[Any, Any] = rng.normal(size=n)
        y_pred: np.ndarray[Any, Any] = y_true + rng.normal(scale=0.3, size=n)
    else:
        pool = {"binary": [0, 1], "names": ["cat", "dog", "bird"], "case": ["cat", "Cat"], "one_class": ["a"]}[kind]
        y_true = rng.choice(pool, size=n)
        y_pred = np.where(rng.random(n) < 0.7, y_true, rng.choice(pool, size=n))
    frame = pd.DataFrame({"split": rng.choice(splits, size=n), "y_true": y_true, "y_pred": y_pred})
    probas = draw(st.sampled_from(("none", "softmax", "random", "extra_class")))
    if probas != "none" and kind != "regression":
        classes = sorted({str(v) for v in y_true} | {str(v) for v in y_pred}) or ["0"]
        if probas == "extra_class":
            classes.append("ghost")
        weights = rng.random((n, len(classes)))
        values = weights / weights.sum(axis=1, keepdims=True) if probas == "softmax" else weights * 1.5 - 0.1
        for k, c in enumerate(classes):
            frame[f"proba_{c}"] = values[:, k]
    for _ in range(draw(st.integers(0, 3))):
        if n == 0:
            break
        row, col = draw(st.integers(0, n - 1)), draw(st.integers(0, frame.shape[1] - 1))
        frame = frame.astype({frame.columns[col]: object})
        frame.iat[row, col] = draw(st.sampled_from(ODD_CELLS))
    return frame
