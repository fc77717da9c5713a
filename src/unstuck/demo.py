"""The bundled demo: scikit-learn's handwritten digits, split in a documented, seeded way.

The data ships inside scikit-learn (``sklearn.datasets.load_digits``: 1,797
8×8 images of the digits 0-9, as 64 pixel-intensity columns and a ``digit``
target), so the demo needs no network. The split is stratified on the digit
with ``random_state=seed``: 60 % train, 20 % dev, 20 % test. unstuck then
carves its train-dev set out of train, as it does for any user data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DEMO_TARGET", "demo_frames"]

DEMO_TARGET = "digit"


def demo_frames(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(train, dev, test) of the digits data: 60/20/20, stratified, seeded."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    frame = load_digits(as_frame=True).frame.rename(columns={"target": DEMO_TARGET})
    train, rest = train_test_split(frame, test_size=0.4, random_state=seed, stratify=frame[DEMO_TARGET])
    dev, test = train_test_split(rest, test_size=0.5, random_state=seed, stratify=rest[DEMO_TARGET])
    return train, dev, test
