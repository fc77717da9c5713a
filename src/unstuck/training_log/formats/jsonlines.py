"""JSON lines: one object per logged step, whatever the file's name says (``.jsonl``, or ``.json``).

MMEngine (``vis_data/scalars.json``) and Detectron2 (``metrics.json``) write JSON lines
under a ``.json`` name. Their rows are of two kinds:

* MMEngine: training rows carry ``iter`` (and ``epoch`` when training by epoch) and
  ``step`` = the iteration; validation rows carry neither ``iter`` nor ``epoch``, and
  their ``step`` is the *epoch* when training by epoch (the iteration otherwise).
  Validation rows are the dev split (``accuracy`` there is the dev accuracy), placed
  at the last iteration of their epoch so that both curves share one axis;
* Detectron2: every row carries ``iteration``; evaluation results are named by their
  task (``bbox/AP``) and stay as they are.

Bookkeeping values (``time``, ``data_time``, ``eta_seconds``, ``memory``) are left out
by the column mapping.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unstuck.errors import FileProblem

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.training_log.log import TrainingLog

__all__ = ["log_from_records", "parse_json_lines", "records_frame"]

_EXAMPLE = 'Write one JSON object per line, e.g. {"epoch": 1, "train_loss": 0.7}.'


def parse_json_lines(text: str, source: str) -> list[dict[str, Any]]:
    """The objects of a JSON-lines text; raises :class:`FileProblem` naming the first bad line."""
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise FileProblem(f"Line {number} of {source} is not valid JSON ({exc.msg}).", _EXAMPLE) from None
            if not isinstance(record, dict):
                raise FileProblem(f"Line {number} of {source} is not a JSON object.", _EXAMPLE)
            records.append(record)
    return records


def records_frame(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One object column per key; a key a record lacks (or sets to null) is None, a logged NaN stays NaN."""
    import pandas as pd

    keys = list(dict.fromkeys(k for r in records for k in r))
    return pd.DataFrame({k: [r.get(k) for r in records] for k in keys}, dtype=object)


def _is_mmengine(records: Sequence[Mapping[str, Any]]) -> bool:
    """MMEngine's LoggerHook rows: training rows with ``iter`` and ``step``, validation rows with ``step`` alone."""
    train = [r for r in records if "iter" in r]
    return bool(train) and all("step" in r for r in records) and len(train) < len(records)


def log_from_records(records: Sequence[Mapping[str, Any]], *, name: str, source: str, format: str) -> TrainingLog:
    """A log from per-step objects; MMEngine's validation rows are recognised (see the module docstring)."""
    from unstuck.training_log.log import log_from_frame

    if not records:
        raise FileProblem(f"The training log {source} holds no JSON objects.", _EXAMPLE)
    if not _is_mmengine(records):
        return log_from_frame(records_frame(records), name=name, source=source, format=format)
    train = [dict(r) for r in records if "iter" in r]
    by_epoch = all("epoch" in r for r in train)
    last_iter: dict[float, float] = {}
    for row in train:
        if by_epoch:
            last_iter[float(row["epoch"])] = max(last_iter.get(float(row["epoch"]), 0.0), float(row["iter"]))
    rows: list[dict[str, Any]] = list(train)
    unplaced = 0
    for record in records:
        if "iter" in record:
            continue
        # A validation row: its values are dev values; its step is the epoch when training by epoch.
        values = {f"val/{k}": v for k, v in record.items() if k not in ("step", "epoch")}
        if by_epoch:
            epoch = float(record["step"])
            if epoch not in last_iter:
                unplaced += 1
                continue
            rows.append({"iter": last_iter[epoch], "epoch": epoch, **values})
        else:
            rows.append({"iter": record["step"], **values})
    notes = [
        f"MMEngine log: {len(records) - len(train)} validation row(s) read as the dev split"
        + (" and placed at the last iteration of their epoch" if by_epoch else "")
    ]
    if unplaced:
        notes.append(f"{unplaced} validation row(s) name an epoch with no training row and were left out")
    frame = records_frame([{k: v for k, v in r.items() if k != "step"} for r in rows])
    return log_from_frame(frame, name=name, source=source, format="mmengine_json", notes=notes)


def read_json_lines(path: Path, *, name: str, format: str = "jsonl") -> TrainingLog:
    """Read a JSON-lines file (any suffix)."""
    records = parse_json_lines(path.read_text(encoding="utf-8"), str(path))
    return log_from_records(records, name=name, source=str(path), format=format)
