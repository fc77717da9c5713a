"""Keras: a ``History.history`` dict saved as JSON, and ``CSVLogger`` files.

Both number a run's epochs from 1, as Keras prints them ("Epoch 1/20"): a History's
rows are epochs 1..n; a CSVLogger file writes ``epoch`` = 0, 1, ... and is shifted. So
the two files of one run agree on every epoch.

With ``validation_freq=k`` the validation lists are shorter: Keras validates after
epochs k, 2k, ..., so a list of ``len(loss) // k`` values is placed there when exactly
one ``k`` explains its length; otherwise it is left out with a note, since laying it on
the first epochs would invent a curve.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from unstuck.errors import InputError
from unstuck.training_log.log import TrainingLog, canonical_column, log_from_frame

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["is_keras_csv", "log_from_history", "log_from_keras_csv"]


def log_from_history(
    history: Mapping[str, Sequence[object]], *, name: str = "history", source: str = ""
) -> TrainingLog:
    """A log from a Keras ``History.history`` dict: metric name → one value per epoch, epochs numbered from 1.

    A shorter list is placed after epochs k, 2k, ... (see the module docstring).
    """
    import pandas as pd

    if not history or not all(isinstance(v, (list, tuple)) for v in history.values()):
        raise InputError(
            f"The Keras history {source or name} is not a dict of lists.",
            "Save model.fit(...).history with json.dump: {'loss': [...], 'val_loss': [...]}.",
        )
    length = max(len(v) for v in history.values())
    columns: dict[str, list[object]] = {}
    placed_every: dict[tuple[int, int], list[str]] = {}  # (values, k) → keys placed every k epochs
    left_out: dict[int, list[str]] = {}  # values → keys no single k explains
    for key, values in history.items():
        if len(values) == length or not values:
            columns[key] = list(values)
            continue
        every = [k for k in range(1, length + 1) if length // k == len(values)]
        if len(every) == 1:
            k = every[0]
            placed: list[object] = [None] * length
            for i, value in enumerate(values):
                placed[(i + 1) * k - 1] = value
            columns[key] = placed
            placed_every.setdefault((len(values), k), []).append(key)
        else:
            left_out.setdefault(len(values), []).append(key)
    notes = [
        f"{', '.join(keys)} hold{'s' if len(keys) == 1 else ''} {n} of {length} epochs: placed after epochs "
        f"{k}, {2 * k}, … (validation_freq={k})"
        for (n, k), keys in placed_every.items()
    ]
    notes += [
        f"{', '.join(keys)} hold{'s' if len(keys) == 1 else ''} {n} of {length} epochs and no single validation_freq "
        "explains which: left out (log it every epoch, or pass a CSVLogger file, which numbers its epochs)"
        for n, keys in left_out.items()
    ]
    frame = pd.DataFrame(columns, dtype=object)
    return log_from_frame(frame, name=name, source=source, format="keras_history", notes=notes)


def is_keras_csv(frame: pd.DataFrame) -> bool:
    """Whether a CSV is Keras' CSVLogger output: first column ``epoch`` = 0, 1, ..., a ``loss`` column, no steps."""
    if len(frame.columns) < 2 or str(frame.columns[0]) != "epoch" or "loss" not in frame.columns:
        return False
    if any(canonical_column(str(c))[0] == "step" for c in frame.columns):
        return False
    epochs = frame["epoch"].tolist()
    return epochs == list(range(len(epochs)))


def log_from_keras_csv(frame: pd.DataFrame, *, name: str, source: str) -> TrainingLog:
    """A log from a CSVLogger table (see :func:`is_keras_csv`), its epochs shifted to count from 1."""
    shifted = frame.assign(epoch=frame["epoch"] + 1)
    return log_from_frame(
        shifted,
        name=name,
        source=source,
        format="keras_csv",
        nan_is_absent=True,
        notes=["Keras CSVLogger numbers epochs from 0: shown from 1, as Keras prints them"],
    )
