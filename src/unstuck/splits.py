"""The splits of a problem: their names, and how the ones the user did not give are carved from train.

The rules, seeded by the problem's seed:

* no dev set: a stratified 20 % of train becomes dev (``dev_from_train``);
* a dev set but no train-dev set: a stratified random sample of train becomes
  train-dev, as large as dev but at most 20 % of train (and at least
  ``min(200, 25 % of train)`` rows), so that variance (train → train-dev) and data
  mismatch (train-dev → dev) are measured with similar precision and can be told apart;
  below :data:`CARVE_TRAIN_DEV_FROM` training rows nothing is carved and the train-dev
  error comes from out-of-fold predictions on train (``train_dev_from_folds``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CARVE_TRAIN_DEV_FROM", "SPLITS", "carve", "carve_size_train_dev", "normalise_split_name"]

SPLITS: tuple[str, ...] = ("train", "train_dev", "dev", "test")

_SPLIT_ALIASES = {
    "train": "train",
    "training": "train",
    "train_dev": "train_dev",
    "train-dev": "train_dev",
    "traindev": "train_dev",
    "dev": "dev",
    "val": "dev",
    "valid": "dev",
    "validation": "dev",
    "test": "test",
    "holdout": "test",
}


def normalise_split_name(name: object) -> str | None:
    """Map a split label such as ``"validation"`` to the canonical name, or None."""
    return _SPLIT_ALIASES.get(str(name).strip().lower())


#: From this many training rows on, a missing train-dev split is carved from train. Below it a
#: carved split would take a quarter of a small train (making the model worse) and still hold
#: so few rows that its error's interval spans several points; out-of-fold predictions on every
#: train row measure the same thing (error on unseen rows of the training distribution) with
#: all rows, at the cost of the few fits the label check already makes.
CARVE_TRAIN_DEV_FROM = 1_000


def carve_size_train_dev(n_train: int, n_dev: int) -> int:
    """Rows to carve from train as train-dev: ``max(min(n_dev, 20 % of train), min(200, 25 % of train))``."""
    return max(min(n_dev, round(0.20 * n_train)), min(200, round(0.25 * n_train)))


def carve(
    frame: pd.DataFrame, size: float | int, target: str, task: str, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split ``frame`` into (rest, carved), stratified on the target when every class allows it.

    A class with a single row stays in the rest (train): carved into dev it would be a class that
    train never has, and the models could not predict it.
    """
    import pandas as pd
    from sklearn.model_selection import train_test_split

    stratify = None
    pool, kept = frame, frame.iloc[:0]
    if task == "classification":
        counts = frame[target].value_counts()
        single = frame[target].isin(counts.index[counts == 1])
        if single.any() and (~single).sum() >= 2:
            pool, kept = frame[~single], frame[single]
        if pool[target].value_counts().min() >= 2:
            stratify = pool[target]
    try:
        rest, carved = train_test_split(pool, test_size=size, random_state=seed, stratify=stratify)
    except ValueError:
        kept = frame.iloc[:0]
        rest, carved = train_test_split(frame, test_size=size, random_state=seed)
    return pd.concat([rest, kept]), carved
