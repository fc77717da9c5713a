"""Hugging Face ``Trainer`` state: ``trainer_state.json`` and a run's output folder.

The Trainer keeps its history in ``trainer_state.json`` under ``log_history``: a list
of entries of three kinds, told apart by their keys:

* training entries: ``loss``, ``learning_rate``, ``grad_norm``, ``epoch``, ``step``;
* evaluation entries: ``eval_loss``, ``eval_<metric>``, ``eval_runtime``, ...,
  ``epoch``, ``step`` (``eval_`` means the dev split);
* one closing summary (``train_runtime``, ``train_loss`` = the mean over the whole
  run, ``total_flos``), written by ``trainer.save_state()``: left out, since its
  ``train_loss`` is an average, not the loss at the last step.

``step`` (the global optimizer step) is the x axis; the fractional ``epoch`` is kept
beside it. An output folder holds ``trainer_state.json`` at its top (after
``save_state()``) and in each ``checkpoint-<step>/``; the top one is read, else the
latest checkpoint's, whose history holds all the earlier ones.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unstuck.errors import FileProblem

if TYPE_CHECKING:
    from unstuck.training_log.log import TrainingLog

__all__ = ["STATE_FILE", "is_trainer_state", "log_from_trainer_state", "trainer_state_files"]

STATE_FILE = "trainer_state.json"
_SUMMARY_KEYS = {"train_runtime", "train_samples_per_second", "train_steps_per_second", "total_flos"}
_CHECKPOINT = re.compile(r"checkpoint-(\d+)$")


def is_trainer_state(data: object) -> bool:
    """Whether parsed JSON is a Trainer state: a dict whose ``log_history`` is a list of dicts."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("log_history"), list)
        and all(isinstance(entry, dict) for entry in data["log_history"])
    )


def trainer_state_files(root: Path) -> dict[Path, Path]:
    """Run directory → the ``trainer_state.json`` to read, for every Trainer run under ``root``.

    A ``checkpoint-<n>/`` directory belongs to its parent run; the run's own file wins,
    else the checkpoint with the largest step.
    """
    chosen: dict[Path, tuple[int, Path]] = {}
    for path in root.rglob(STATE_FILE):
        match = _CHECKPOINT.match(path.parent.name)
        run, rank = (path.parent.parent, int(match.group(1))) if match else (path.parent, -1)
        if match and run == root.parent:
            run = path.parent  # the checkpoint folder itself was passed
        # The run's own file (rank -1 → preferred) or the checkpoint with the largest step.
        current = chosen.get(run)
        if current is None or (rank == -1) or (current[0] != -1 and rank > current[0]):
            chosen[run] = (rank, path)
    return {run: path for run, (_, path) in sorted(chosen.items())}


def log_from_trainer_state(data: Mapping[str, Any], *, name: str, source: str) -> TrainingLog:
    """One log from a parsed ``trainer_state.json`` (see the module docstring for the mapping)."""
    import pandas as pd

    from unstuck.training_log.log import log_from_frame

    entries: Sequence[Mapping[str, Any]] = data["log_history"]
    kept = [e for e in entries if not _SUMMARY_KEYS & set(e)]
    notes = []
    if len(kept) < len(entries):
        notes.append(
            f"{len(entries) - len(kept)} closing summary entry left out (train_runtime, and train_loss: "
            "the mean over the run, not a point of the curve)"
        )
    if not kept:
        raise FileProblem(
            f"The Trainer state {source} holds no logged steps (its log_history is empty).",
            "Pass the trainer_state.json of a run that logged at least two steps (logging_steps), "
            "or the run's output folder.",
        )
    keys = list(dict.fromkeys(k for e in kept for k in e))
    frame = pd.DataFrame({k: [e.get(k) for e in kept] for k in keys}, dtype=object)
    return log_from_frame(frame, name=name, source=source, format="huggingface_trainer", notes=notes)


def read_trainer_state(path: Path, *, name: str) -> TrainingLog:
    """Read one ``trainer_state.json`` file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FileProblem(
            f"{path} is not valid JSON ({exc}).",
            "Pass the trainer_state.json that transformers' Trainer wrote, unmodified.",
        ) from None
    if not is_trainer_state(data):
        raise FileProblem(
            f"{path} is not a Hugging Face Trainer state: it has no log_history list.",
            "Pass the trainer_state.json that transformers' Trainer wrote, or the run's output folder.",
        )
    return log_from_trainer_state(data, name=name, source=str(path))
