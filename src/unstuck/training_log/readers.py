"""Read training histories into :class:`TrainingLog` objects, mapping column names leniently.

Formats (found by content where the name does not settle it):

* ``.csv`` / ``.tsv`` — one row per epoch or step (a PyTorch Lightning ``CSVLogger``
  ``metrics.csv`` is a CSV whose rows are sparse: training and validation values
  are logged on separate rows of the same step; they are merged by step); a Keras
  ``CSVLogger`` file is recognised (:mod:`.formats.keras`);
* ``.jsonl`` / ``.ndjson`` — one JSON object per epoch or step;
* ``.json`` — a Keras ``History.history`` dict (``{"loss": [...], "val_loss": [...]}``,
  optionally wrapped as ``{"history": {...}}``; :mod:`.formats.keras`), a list of per-epoch objects, a
  Hugging Face ``trainer_state.json`` (:mod:`.formats.huggingface`), or JSON lines
  under a ``.json`` name, as MMEngine and Detectron2 write them (:mod:`.formats.jsonlines`);
* a directory — TensorBoard event files (:mod:`.formats.tensorboard`), Hugging Face
  Trainer output folders, Lightning log directories holding ``metrics.csv``, or
  MMEngine/Detectron2 work directories (``scalars.json``, ``metrics.json``);
* ``mlflow:RUN_ID`` or ``mlflow:EXPERIMENT[/RUN_NAME]`` — runs in an MLflow tracking
  store (:mod:`unstuck.training_log.mlflow_store`).

Every format ends in :func:`unstuck.training_log.log.log_from_frame`, which maps its
names onto one vocabulary (``train_loss``, ``dev_accuracy``, ``lr``, ...) and keeps the
mapping, the names left out and what was inferred on the log for the report. The type
and the mapping live in :mod:`unstuck.training_log.log` and are re-exported here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from unstuck.errors import FileProblem, InputError
from unstuck.training_log.formats.keras import log_from_history
from unstuck.training_log.log import (
    TrainingLog,
    canonical_column,
    has_split,
    infer_task_from_logs,
    log_from_frame,
    mapping_source,
    run_name,
)

__all__ = [
    "TrainingLog",
    "canonical_column",
    "has_split",
    "infer_task_from_logs",
    "log_from_frame",
    "log_from_history",
    "mapping_source",
    "read_training_log",
    "read_training_logs",
    "run_name",
    "unique_names",
]

# ---------------------------------------------------------------------------- files

#: Files that frameworks write under a fixed name: the run is named after their folder.
_FIXED_NAMES = {"metrics.csv", "scalars.json", "metrics.json", "trainer_state.json"}
_FOLDERS_OF_FIXED_NAMES = {"vis_data"}  # MMEngine's <timestamp>/vis_data/scalars.json: the run is <timestamp>
_READS = (
    "a history file (.csv, .tsv, .jsonl, .json: Keras History, a list of per-epoch objects, a Hugging Face "
    "trainer_state.json, or JSON lines as MMEngine and Detectron2 write them), a folder holding TensorBoard event "
    "files, trainer_state.json, Lightning's metrics.csv, MMEngine's scalars.json or Detectron2's metrics.json, "
    "or mlflow:RUN_ID"
)
MLFLOW_PREFIX = "mlflow:"


def read_training_log(path: str | Path, *, mlflow_uri: str | None = None) -> tuple[TrainingLog, ...]:
    """Read one file, directory or MLflow spec; a directory or an MLflow experiment may hold several runs.

    ``mlflow_uri`` is the tracking URI for ``mlflow:`` specs (default: ``MLFLOW_TRACKING_URI``).

    Raises
    ------
    FileProblem
        Missing path, unreadable or malformed file, unknown format.
    ColumnProblem, InputError
        See :func:`log_from_frame`.
    ConfigError
        A TensorBoard directory while the optional ``tensorboard`` package is missing, or an
        ``mlflow:`` spec without the optional ``mlflow`` package or a tracking URI.
    """
    if str(path).startswith(MLFLOW_PREFIX):
        from unstuck.training_log.mlflow_store import read_mlflow_logs

        return read_mlflow_logs(str(path)[len(MLFLOW_PREFIX) :], tracking_uri=mlflow_uri)
    path = Path(path)
    if not path.exists():
        raise FileProblem(f"The training log '{path}' does not exist.", f"Pass {_READS}.")
    if path.is_dir():
        return _read_directory(path)
    return (_read_file(path, name=_file_run_name(path)),)


def _read_directory(path: Path) -> tuple[TrainingLog, ...]:
    from unstuck.training_log.formats.huggingface import read_trainer_state, trainer_state_files
    from unstuck.training_log.formats.tensorboard import EVENT_FILE, read_tensorboard

    states = trainer_state_files(path)
    if states:
        # A Trainer folder may also hold TensorBoard events of the same run (report_to="tensorboard"):
        # the state is read, as it holds the epochs and the evaluation entries too.
        return tuple(read_trainer_state(file, name=run_name(path, run)) for run, file in states.items())
    if any(path.rglob(f"{EVENT_FILE}*")):
        return read_tensorboard(path)
    for fixed in ("metrics.csv", "scalars.json", "metrics.json"):
        files = sorted(path.rglob(fixed))
        if files:
            return tuple(_read_file(f, name=run_name(path, _run_folder(f))) for f in files)
    found = sorted({p.suffix.lower() or p.name for p in path.rglob("*") if p.is_file()})
    raise FileProblem(
        f"The directory '{path}' holds no training log that unstuck reads"
        + (f" (found files: {', '.join(found[:12])})" if found else " (it is empty)")
        + ".",
        f"unstuck reads {_READS}. Pass one of those, or the folder that holds it.",
    )


def _run_folder(file: Path) -> Path:
    return file.parent.parent if file.parent.name in _FOLDERS_OF_FIXED_NAMES else file.parent


def _file_run_name(path: Path) -> str:
    """A run's name from its file: the folder for fixed names, else the stem without word suffixes.

    ``lr_0.1.history.json`` → ``lr_0.1`` (so that its learning rate is read), ``run.metrics.csv`` → ``run``.
    """
    if path.name in _FIXED_NAMES:
        folder = _run_folder(path)
        if folder.name:
            return folder.name
    stem = Path(path.stem)
    while stem.suffix and not re.fullmatch(r"\.\d+", stem.suffix):
        stem = Path(stem.stem)
    return str(stem) or path.stem


def read_training_logs(
    paths: Iterable[str | Path | TrainingLog], *, mlflow_uri: str | None = None
) -> tuple[TrainingLog, ...]:
    """Read several paths (see :func:`read_training_log`; a TrainingLog passes through); run names made unique.

    Runs that share a name (``a/history.csv``, ``b/history.csv``) are named after the
    nearest folder that tells them apart (``a/history``, ``b/history``); ``#2``, ``#3``
    only where nothing does.
    """
    logs: list[TrainingLog] = []
    for path in paths:
        logs.extend((path,) if isinstance(path, TrainingLog) else read_training_log(path, mlflow_uri=mlflow_uri))
    return unique_names(logs)


def unique_names(logs: Sequence[TrainingLog]) -> tuple[TrainingLog, ...]:
    """``logs`` with colliding names told apart by their sources' folders (see :func:`read_training_logs`)."""
    from dataclasses import replace

    groups: dict[str, list[int]] = {}
    for i, log in enumerate(logs):
        groups.setdefault(log.name, []).append(i)
    names = [log.name for log in logs]
    for name, members in groups.items():
        if len(members) < 2:
            continue
        folders = [Path(logs[i].source).resolve().parent.parts if logs[i].source else () for i in members]
        depth = min(len(f) for f in folders)
        for level in range(1, depth + 1):
            parts = [f[-level] for f in folders]
            if len(set(parts)) == len(parts):
                for i, part in zip(members, parts, strict=True):
                    names[i] = part if part == name else f"{part}/{name}"
                break
    seen: dict[str, int] = {}
    unique = []
    for log, name in zip(logs, names, strict=True):
        count = seen.get(name, 0)
        seen[name] = count + 1
        final = f"{name}#{count + 1}" if count else name
        unique.append(log if final == log.name else replace(log, name=final))
    return tuple(unique)


def _read_file(path: Path, *, name: str) -> TrainingLog:
    import pandas as pd

    from unstuck.training_log.formats.huggingface import is_trainer_state, log_from_trainer_state
    from unstuck.training_log.formats.jsonlines import log_from_records, parse_json_lines, read_json_lines
    from unstuck.training_log.formats.keras import is_keras_csv, log_from_keras_csv

    suffix = path.suffix.lower()
    source = str(path)
    try:
        if suffix in (".csv", ".tsv", ".txt"):
            try:
                # Keras' CSVLogger writes NA for a value not logged at that epoch; "nan" stays a diverged value.
                frame = pd.read_csv(
                    path,
                    sep="\t" if suffix == ".tsv" else ",",
                    keep_default_na=False,
                    na_values=["", "NA"],
                    encoding="utf-8",
                )
            except pd.errors.ParserError as exc:
                raise FileProblem(
                    f"{source} is not a well-formed CSV file ({exc}).",
                    "Write one header row and one row per epoch or step, all with the same number of fields.",
                ) from None
            except pd.errors.EmptyDataError:
                raise InputError(
                    f"The training log {source} is empty.",
                    "Pass a log with a header row and one row per epoch or step.",
                ) from None
            if is_keras_csv(frame):
                return log_from_keras_csv(frame, name=name, source=source)
            fmt = "lightning_csv" if path.name == "metrics.csv" else "csv"
            return log_from_frame(frame, name=name, source=source, format=fmt, nan_is_absent=True)
        if suffix in (".jsonl", ".ndjson"):
            return read_json_lines(path, name=name)
        if suffix == ".json":
            text = path.read_text(encoding="utf-8")
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                if exc.msg == "Extra data":
                    # JSON lines under a .json name (MMEngine's scalars.json, Detectron2's metrics.json).
                    records = parse_json_lines(text, source)
                    return log_from_records(records, name=name, source=source, format="json_lines")
                raise FileProblem(
                    f"{source} is not valid JSON ({exc.msg} at line {exc.lineno}).",
                    f"unstuck reads {_READS}.",
                ) from None
            if is_trainer_state(data):
                return log_from_trainer_state(data, name=name, source=source)
            if isinstance(data, dict) and isinstance(data.get("history"), dict):
                data = data["history"]
            if isinstance(data, dict) and data and all(isinstance(v, (list, tuple)) for v in data.values()):
                return log_from_history(data, name=name, source=source)
            if isinstance(data, list) and data and all(isinstance(r, dict) for r in data):
                return log_from_records(data, name=name, source=source, format="json_records")
            raise FileProblem(
                f"{source} is JSON, but {_describe_json(data)}: neither a Keras history (a dict of lists), "
                "a list of per-epoch objects, nor a Hugging Face trainer_state.json (a dict with log_history).",
                "Save the Keras history with json.dump(model.fit(...).history, f), or pass the trainer_state.json "
                "or the output folder of a Hugging Face Trainer run.",
            )
    except UnicodeDecodeError:
        raise FileProblem(f"{source} is not UTF-8 text.", "Save the log as UTF-8.") from None
    except OSError as exc:
        raise FileProblem(f"Could not read {source}: {exc.strerror}.", "Check the path and its permissions.") from None
    raise FileProblem(
        f"unstuck does not know the training-log format of '{path.name}' (suffix '{path.suffix or 'none'}').",
        f"unstuck reads {_READS}.",
    )


def _describe_json(data: object) -> str:
    """A few words on what a JSON document holds at its top, for an error message."""
    if isinstance(data, dict):
        keys = list(data)[:8]
        return f"a dict with the keys {', '.join(map(str, keys))}" if keys else "an empty dict"
    if isinstance(data, list):
        return f"a list of {len(data)} item(s)" + (f" starting with a {type(data[0]).__name__}" if data else "")
    return f"a single {type(data).__name__}"
