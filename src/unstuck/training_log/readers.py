"""Read training histories into :class:`TrainingLog` objects, mapping column names leniently.

Formats (found by content where the name does not settle it):

* ``.csv`` / ``.tsv`` — one row per epoch or step (a PyTorch Lightning ``CSVLogger``
  ``metrics.csv`` is a CSV whose rows are sparse: training and validation values
  are logged on separate rows of the same step; they are merged by step). A Keras
  ``CSVLogger`` file numbers epochs from 0; they are shifted to count from 1, as
  Keras prints them and as a ``History`` is numbered;
* ``.jsonl`` / ``.ndjson`` — one JSON object per epoch or step;
* ``.json`` — a Keras ``History.history`` dict (``{"loss": [...], "val_loss": [...]}``,
  optionally wrapped as ``{"history": {...}}``), a list of per-epoch objects, a
  Hugging Face ``trainer_state.json`` (:mod:`.formats.huggingface`), or JSON lines
  under a ``.json`` name, as MMEngine and Detectron2 write them (:mod:`.formats.jsonlines`);
* a directory — TensorBoard event files (:mod:`.formats.tensorboard`), Hugging Face
  Trainer output folders, Lightning log directories holding ``metrics.csv``, or
  MMEngine/Detectron2 work directories (``scalars.json``, ``metrics.json``);
* ``mlflow:RUN_ID`` or ``mlflow:EXPERIMENT[/RUN_NAME]`` — runs in an MLflow tracking
  store (:mod:`unstuck.training_log.mlflow_store`).

Column names are mapped to canonical ones: ``step`` (the x axis: ``step``,
``global_step``, ``iteration``, else ``epoch``, else the row number),
``train_<metric>``, ``dev_<metric>``, ``test_<metric>``, ``lr`` and ``grad_norm``.
``<metric>`` is ``loss``, ``accuracy``, ``error``, ``mse``, ``rmse``, ``mae`` or the
column's own name. A name without a split (Keras' ``loss``, ``accuracy``) is a
training value; ``val``/``valid``/``validation``/``eval`` mean dev. Lightning's
``_step``/``_epoch`` variants of one value are merged, the per-epoch one preferred.
Bookkeeping values (run time, throughput, memory, FLOPs) are not training values.
When a log holds both steps and epochs, steps are the x axis and the epoch of each
step is kept beside it (the frame's ``epoch`` column). The mapping, and the columns
left out, are kept on the log for the report.

Missing cells (sparse rows, ``null``) are *absent*; a literal ``nan``/``NaN`` or
``inf`` value is *present and non-finite* (the run diverged) and is stored as
``+inf`` (``-inf`` stays), so that the verdicts can tell the two apart.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unstuck.errors import ColumnProblem, FileProblem, InputError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from numpy.typing import NDArray

__all__ = [
    "TrainingLog",
    "canonical_column",
    "infer_task_from_logs",
    "log_from_frame",
    "log_from_history",
    "read_training_log",
    "read_training_logs",
]

_SPLIT_TOKENS = {
    "train": "train",
    "training": "train",
    "tr": "train",
    "val": "dev",
    "valid": "dev",
    "validation": "dev",
    "dev": "dev",
    "eval": "dev",
    "evaluation": "dev",
    "test": "test",
}
_METRIC_ALIASES = {
    "loss": "loss",
    "nll": "loss",
    "cross_entropy": "loss",
    "crossentropy": "loss",
    "xent": "loss",
    "ce": "loss",
    "acc": "accuracy",
    "accuracy": "accuracy",
    "categorical_accuracy": "accuracy",
    "sparse_categorical_accuracy": "accuracy",
    "binary_accuracy": "accuracy",
    "top1": "accuracy",
    "err": "error",
    "error": "error",
    "error_rate": "error",
    "mse": "mse",
    "mean_squared_error": "mse",
    "rmse": "rmse",
    "root_mean_squared_error": "rmse",
    "mae": "mae",
    "mean_absolute_error": "mae",
    "accuracy_top1": "accuracy",
    "top1_accuracy": "accuracy",
    "acc_top1": "accuracy",
}
#: Tokens of bookkeeping values (Hugging Face's ``eval_runtime``, MMEngine's ``data_time``): not training values.
_BOOKKEEPING_TOKENS = {"runtime", "time", "eta", "flos", "memory", "mem", "throughput", "seen", "second", "seconds"}
#: Tokens that say how a value was aggregated, not what it is (dropped from names).
_NOISE_TOKENS = {"epoch", "step", "avg", "mean", "total", "vs", "iterations", "per", "batch", "value", "metric"}
_STEP_NAMES = {
    "step": "step",
    "steps": "step",
    "global_step": "step",
    "globalstep": "step",
    "iteration": "step",
    "iter": "step",
    "iterations": "step",
    "it": "step",
    "epoch": "epoch",
    "epochs": "epoch",
}


@dataclass(frozen=True, eq=False)
class TrainingLog:
    """One run's training history, with canonical column names.

    ``frame`` has a ``step`` column (sorted, unique) and one float column per
    canonical name (``train_loss``, ``dev_loss``, ``dev_accuracy``, ``lr``...); NaN
    means "not logged at this step", ``±inf`` means "logged as non-finite". When
    the source logged both steps and epochs, ``step`` holds the steps and an
    ``epoch`` column the epoch of each step (not a value column: see
    :meth:`epoch_at`). ``step_unit`` is ``"epoch"`` or ``"step"``; ``mapping`` maps
    each source column (or TensorBoard tag) to its canonical name; ``ignored`` lists
    the ones left out; ``notes`` say what was inferred. ``name`` names the run (file
    stem or run directory), ``source`` is where it was read from. ``params`` are the
    run's hyperparameters where the source records them (MLflow params; the
    optimizer a Lightning ``lr-<Optimizer>`` column names), numbers as floats.
    """

    name: str
    source: str
    format: str
    frame: pd.DataFrame
    step_unit: str = "epoch"
    mapping: Mapping[str, str] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    params: Mapping[str, float | str] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        """The canonical value columns present (without ``step`` and ``epoch``)."""
        return tuple(c for c in self.frame.columns if c not in ("step", "epoch"))

    @property
    def has_epochs(self) -> bool:
        """Whether the epoch of each step was kept beside the steps."""
        return "epoch" in self.frame.columns

    def epoch_at(self, step: float) -> float | None:
        """The epoch logged at ``step`` (or the last one before it); None without epochs."""
        if not self.has_epochs:
            return None
        known = self.frame.loc[self.frame["epoch"].notna() & (self.frame["step"] <= step), "epoch"]
        return float(known.iloc[-1]) if len(known) else None

    def has(self, column: str) -> bool:
        """Whether ``column`` was logged at two or more steps."""
        return column in self.frame.columns and int(self.frame[column].notna().sum()) >= 2

    def series(self, column: str) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """``(steps, values)`` of ``column`` where it was logged, shape (k,) each; ±inf kept."""
        import numpy as np

        if column not in self.frame.columns:
            empty = np.empty(0, dtype=np.float64)
            return empty, empty
        part = self.frame.loc[self.frame[column].notna(), ["step", column]]
        return part["step"].to_numpy(dtype=np.float64), part[column].to_numpy(dtype=np.float64)

    def describe_mapping(self) -> str:
        """One line for the report: ``loss→train_loss, val_loss→dev_loss; ignored: time``."""
        mapped = ", ".join(f"{k}→{v}" for k, v in self.mapping.items() if k != v)
        same = [k for k, v in self.mapping.items() if k == v]
        parts = [p for p in (mapped, ", ".join(same)) if p]
        text = "; ".join(parts) if parts else "nothing"
        if self.ignored:
            text += "; ignored: " + ", ".join(self.ignored)
        return text

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able summary (not the values): name, source, format, columns, mapping."""
        return {
            "name": self.name,
            "source": self.source,
            "format": self.format,
            "step_unit": self.step_unit,
            "points": len(self.frame),
            "columns": list(self.columns),
            "epochs": self._epoch_range(),
            "mapping": dict(self.mapping),
            "ignored": list(self.ignored),
            "notes": list(self.notes),
            "params": dict(self.params),
        }

    def _epoch_range(self) -> list[float] | None:
        """``[first, last]`` epoch logged beside the steps, or None."""
        if not self.has_epochs:
            return None
        epochs = self.frame["epoch"].dropna()
        return [float(epochs.min()), float(epochs.max())] if len(epochs) else None


# ---------------------------------------------------------------------------- column names


def _tokens(name: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(name))  # camelCase → camel_Case
    return [t for t in re.split(r"[^a-z0-9]+", spaced.lower()) if t]


def canonical_column(name: str, default_split: str = "train") -> tuple[str | None, str]:
    """The canonical name of a log column and its granularity.

    Returns ``(canonical, variant)`` where ``canonical`` is ``"step"``, ``"epoch"``,
    ``"lr"``, ``"grad_norm"``, ``"<split>_<metric>"`` or None (not a training
    value), and ``variant`` is ``"step"``/``"epoch"`` for Lightning's
    ``train_loss_step``/``train_loss_epoch`` and ``""`` otherwise.

    >>> canonical_column("val_acc")
    ('dev_accuracy', '')
    >>> canonical_column("train_loss_epoch")
    ('train_loss', 'epoch')
    """
    tokens = _tokens(name)
    if not tokens:
        return None, ""
    joined = "_".join(tokens)
    if joined in _STEP_NAMES:
        return _STEP_NAMES[joined], ""
    if _BOOKKEEPING_TOKENS & set(tokens):
        return None, ""
    if "lr" in tokens or "learning_rate" in joined:
        return "lr", ""
    if any(t.startswith("grad") for t in tokens) and "norm" in tokens:
        return "grad_norm", ""
    variant = ""
    if len(tokens) > 1 and tokens[-1] in ("step", "epoch"):
        variant = tokens[-1]
    split = None
    rest = []
    for token in tokens:
        if token in _SPLIT_TOKENS:
            split = split or _SPLIT_TOKENS[token]
        elif token not in _NOISE_TOKENS:
            rest.append(token)
    if not rest:
        # "train/epoch" (Hugging Face's TensorBoard tags) is the epoch, logged beside the steps.
        unsplit = [t for t in tokens if t not in _SPLIT_TOKENS]
        return (unsplit[0], "") if unsplit in (["epoch"], ["step"]) else (None, "")
    metric_name = "_".join(rest)
    metric = _METRIC_ALIASES.get(metric_name)
    if metric is None:
        if split is None:
            return None, ""  # e.g. "time", "unnamed_0": not a training value
        metric = metric_name
    return f"{split or default_split}_{metric}", variant


# ---------------------------------------------------------------------------- values


def _number(value: object, column: str, row: int, where: str) -> float:
    """A cell as a float: NaN for an absent cell, +inf for a logged NaN; raises on text."""
    if value is None:
        return math.nan
    if isinstance(value, bool):
        raise ColumnProblem(
            f"The column '{column}' of {where} holds a true/false value at row {row + 1}.",
            "Training-log columns must hold numbers (loss, metric, learning rate).",
        )
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip()
        if text == "":
            return math.nan
        try:
            number = float(text.rstrip("%")) / (100.0 if text.endswith("%") else 1.0)
        except ValueError:
            raise ColumnProblem(
                f"The column '{column}' of {where} holds a value that is not a number at row {row + 1}: {text[:40]!r}.",
                "Training-log columns must hold numbers; fix or remove that row (nan/inf are fine: "
                "they mark a diverged step).",
            ) from None
    return math.inf if math.isnan(number) else number


def _numeric(values: Sequence[object], column: str, where: str, *, nan_is_absent: bool) -> list[float]:
    out = []
    for row, value in enumerate(values):
        if nan_is_absent and isinstance(value, float) and math.isnan(value):
            out.append(math.nan)
        else:
            out.append(_number(value, column, row, where))
    return out


# ---------------------------------------------------------------------------- building a log


def log_from_frame(
    frame: pd.DataFrame,
    *,
    name: str,
    source: str = "",
    format: str = "table",
    default_split: str = "train",
    nan_is_absent: bool = False,
    notes: Iterable[str] = (),
) -> TrainingLog:
    """Map the columns of a raw history table and validate it into a :class:`TrainingLog`.

    ``nan_is_absent`` says that float NaN cells mean "not logged" (CSV numeric
    columns, where a logged ``nan`` would have kept the column textual); otherwise a
    float NaN is a logged non-finite value. ``None`` is always absent.

    Raises
    ------
    ColumnProblem
        No loss column, or a value that is not a number.
    InputError
        Fewer than two logged points of every loss.
    """
    import numpy as np
    import pandas as pd

    where = source or name
    notes = list(notes)
    if frame.shape[1] == 0 or len(frame) == 0:
        raise InputError(
            f"The training log {where} has no rows.",
            "Pass a log with one row per epoch or step (columns such as epoch, train_loss, val_loss).",
        )
    chosen: dict[str, tuple[str, str]] = {}  # canonical -> (source column, variant)
    step_columns: dict[str, str] = {}
    ignored: list[str] = []
    rank = {"": 0, "epoch": 1, "step": 2}
    for column in frame.columns:
        canonical, variant = canonical_column(str(column), default_split)
        if canonical is None:
            ignored.append(str(column))
        elif canonical in ("step", "epoch"):
            step_columns.setdefault(canonical, str(column))
        elif canonical in chosen and rank[chosen[canonical][1]] <= rank[variant]:
            ignored.append(str(column))
        else:
            if canonical in chosen:
                ignored.append(chosen[canonical][0])
            chosen[canonical] = (str(column), variant)
    losses = [c for c in chosen if c.endswith("_loss")]
    if not losses:
        raise ColumnProblem(
            f"The training log {where} has no loss column; its columns are: {', '.join(map(str, frame.columns[:30]))}.",
            "Name the losses train_loss / val_loss (also loss, dev_loss, validation_loss, "
            "train/loss, epoch_loss) and the x axis epoch or step.",
        )
    values: dict[str, list[float]] = {}
    for canonical, (column, _) in chosen.items():
        values[canonical] = _numeric(frame[column].tolist(), column, where, nan_is_absent=nan_is_absent)
    if nan_is_absent and values:
        # A row with a step but not one value (pandas writes NaN as an empty cell) logged NaN losses;
        # a sparse Lightning row always holds at least one value (a loss, a metric or the lr).
        others = [c for c in frame.columns if str(c) not in step_columns.values()]
        blank = frame[others].isna().all(axis=1).tolist() if others else [False] * len(frame)
        if any(blank) and not all(blank):
            for canonical in losses:
                values[canonical] = [math.inf if b else v for v, b in zip(values[canonical], blank, strict=True)]
            notes.append(
                f"{sum(blank)} row(s) hold a step but no value at all: their losses are read as NaN "
                "(pandas writes NaN as an empty cell)"
            )
    epoch_source = ""
    if "step" in step_columns and "epoch" in step_columns:
        step_source, step_unit = step_columns["step"], "step"
        epoch_source = step_columns["epoch"]
        values["epoch"] = _numeric(frame[epoch_source].tolist(), epoch_source, where, nan_is_absent=True)
    elif step_columns:
        step_unit, step_source = next(iter(step_columns.items()))
    else:
        step_unit, step_source = "epoch", ""
        notes.append(f"no epoch or step column: rows are numbered 1..{len(frame)} as epochs")
    if step_source:
        steps = _numeric(frame[step_source].tolist(), step_source, where, nan_is_absent=True)
        if any(math.isnan(s) or math.isinf(s) for s in steps):
            # Lightning writes the step on every row; a row without one cannot be placed.
            keep = [not (math.isnan(s) or math.isinf(s)) for s in steps]
            dropped = len(keep) - sum(keep)
            notes.append(f"{dropped} row(s) without a {step_source} value were left out")
            steps = [s for s, k in zip(steps, keep, strict=True) if k]
            values = {c: [v for v, k in zip(vs, keep, strict=True) if k] for c, vs in values.items()}
    else:
        steps = [float(i) for i in range(1, len(frame) + 1)]
    table = pd.DataFrame({"step": np.asarray(steps, dtype=np.float64), **values})
    table = table.groupby("step", sort=True).first().reset_index()  # first logged value per step
    mapping = {column: canonical for canonical, (column, _) in chosen.items()}
    if epoch_source:
        mapping = {epoch_source: "epoch", **mapping}
        epochs = table["epoch"].dropna()
        if len(epochs):
            notes.append(
                f"x axis: {step_source}; the epoch of each step is kept beside it "
                f"({epoch_source} {epochs.min():g} … {epochs.max():g})"
            )
    if step_source:
        mapping = {step_source: "step", **mapping}
    params: dict[str, float | str] = {}
    if "lr" in chosen:
        optimizer = re.fullmatch(r"lr-([A-Za-z][A-Za-z0-9]*)(?:/.*)?", chosen["lr"][0])
        if optimizer:
            # Lightning's LearningRateMonitor names the optimizer: SGD's and Adam's rates are not one range.
            params["optimizer"] = optimizer.group(1)
    splits = {c.split("_", 1)[0] for c in table.columns if c not in ("step", "epoch")}
    if "dev" not in splits:
        notes.append("no validation series: only the training curve is diagnosed")
    elif "train" not in splits:
        notes.append("no training series: only the validation curve is diagnosed")
    for column in [c for c in table.columns if c.endswith("_accuracy")]:
        finite = table[column][np.isfinite(table[column])]
        if len(finite) and finite.max() > 1.0 and finite.max() <= 100.0:
            table[column] = table[column] / 100.0
            notes.append(f"{column} looks like a percentage (max {finite.max():g}): divided by 100")
    log = TrainingLog(
        name=name,
        source=source,
        format=format,
        frame=table,
        step_unit=step_unit,
        mapping=mapping,
        ignored=tuple(ignored),
        notes=tuple(notes),
        params=params,
    )
    if not any(log.has(c) for c in losses):
        raise InputError(
            f"The training log {where} has fewer than two logged points of "
            f"{' or '.join(sorted(mapping_source(log, c) for c in losses))}: a curve needs at least two.",
            "Log the loss at every epoch (or every N steps) and pass the whole history.",
        )
    return log


def mapping_source(log: TrainingLog, canonical: str) -> str:
    """The source column that ``canonical`` was read from (for messages)."""
    return next((k for k, v in log.mapping.items() if v == canonical), canonical)


def log_from_history(
    history: Mapping[str, Sequence[object]], *, name: str = "history", source: str = ""
) -> TrainingLog:
    """A log from a Keras ``History.history`` dict: metric name → one value per epoch, epochs numbered from 1.

    A shorter list is a value logged every ``k`` epochs (Keras' ``validation_freq=k``
    validates after epochs k, 2k, ...): it is placed on those epochs when exactly one
    ``k`` explains its length; otherwise it is left out with a note, since laying it
    on the first epochs would invent a curve.
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


def infer_task_from_logs(logs: Iterable[TrainingLog]) -> tuple[str | None, str]:
    """The task the logs' metric names imply, and why: accuracy/error → classification, mse/rmse/mae → regression.

    Returns ``(None, reason)`` when they name neither kind, or both.
    """
    kinds: dict[str, str] = {}
    for log in logs:
        for column in log.columns:
            metric = column.split("_", 1)[1] if "_" in column else column
            if metric in ("accuracy", "error"):
                kinds.setdefault("classification", f"{mapping_source(log, column)} in {log.name}")
            elif metric in ("mse", "rmse", "mae"):
                kinds.setdefault("regression", f"{mapping_source(log, column)} in {log.name}")
    if len(kinds) == 1:
        task, column = next(iter(kinds.items()))
        return task, f"inferred from the logged metric {column}"
    if kinds:
        return None, "the logs name both classification and regression metrics"
    return None, "the logs name no metric besides the loss"


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


def run_name(root: Path, run_dir: Path) -> str:
    """A run folder's name relative to the folder passed (the folder's own name when they are one)."""
    relative = run_dir.relative_to(root).as_posix() if run_dir != root else ""
    return relative if relative not in ("", ".") else root.name


def has_split(tag: str) -> bool:
    """Whether a column or tag name names a split (``loss/val``, ``train_loss``)."""
    return any(t in _SPLIT_TOKENS for t in _tokens(tag))


def _keras_csv_epochs(frame: pd.DataFrame) -> bool:
    """Whether a CSV is Keras' CSVLogger output: first column ``epoch`` = 0, 1, ..., a ``loss`` column, no steps."""
    if len(frame.columns) < 2 or str(frame.columns[0]) != "epoch" or "loss" not in frame.columns:
        return False
    if any(canonical_column(str(c))[0] == "step" for c in frame.columns):
        return False
    epochs = frame["epoch"].tolist()
    return epochs == list(range(len(epochs)))


def _read_file(path: Path, *, name: str) -> TrainingLog:
    import pandas as pd

    from unstuck.training_log.formats.huggingface import is_trainer_state, log_from_trainer_state
    from unstuck.training_log.formats.jsonlines import log_from_records, parse_json_lines, read_json_lines

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
            if _keras_csv_epochs(frame):
                frame["epoch"] = frame["epoch"] + 1
                return log_from_frame(
                    frame,
                    name=name,
                    source=source,
                    format="keras_csv",
                    nan_is_absent=True,
                    notes=["Keras CSVLogger numbers epochs from 0: shown from 1, as Keras prints them"],
                )
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
