"""Read training histories into :class:`TrainingLog` objects, mapping column names leniently.

Formats (chosen by the path):

* ``.csv`` / ``.tsv`` — one row per epoch or step (a PyTorch Lightning ``CSVLogger``
  ``metrics.csv`` is a CSV whose rows are sparse: training and validation values
  are logged on separate rows of the same step; they are merged by step);
* ``.jsonl`` / ``.ndjson`` — one JSON object per epoch or step;
* ``.json`` — a Keras ``History.history`` dict (``{"loss": [...], "val_loss": [...]}``,
  optionally wrapped as ``{"history": {...}}``) or a list of per-epoch objects;
* a directory — TensorBoard event files (``events.out.tfevents.*``, read with
  TensorBoard's own reader, the optional ``tensorboard`` extra), or a Lightning log
  directory holding a ``metrics.csv``. Sub-directories named like a split
  (``train``, ``validation``, ...) are that split of their parent run, as Keras'
  TensorBoard callback writes them; other sub-directories with event files are
  separate runs.

Column names are mapped to canonical ones: ``step`` (the x axis: ``step``,
``global_step``, ``iteration``, else ``epoch``, else the row number),
``train_<metric>``, ``dev_<metric>``, ``test_<metric>``, ``lr`` and ``grad_norm``.
``<metric>`` is ``loss``, ``accuracy``, ``error``, ``mse``, ``rmse``, ``mae`` or the
column's own name. A name without a split (Keras' ``loss``, ``accuracy``) is a
training value; ``val``/``valid``/``validation``/``eval`` mean dev. Lightning's
``_step``/``_epoch`` variants of one value are merged, the per-epoch one preferred.
The mapping, and the columns left out, are kept on the log for the report.

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

from unstuck.errors import ColumnProblem, ConfigError, FileProblem, InputError

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
}
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
_EVENT_FILE = "events.out.tfevents"
_SPLIT_DIRS = {"train", "training", "validation", "val", "valid", "eval", "dev", "test"}


@dataclass(frozen=True, eq=False)
class TrainingLog:
    """One run's training history, with canonical column names.

    ``frame`` has a ``step`` column (sorted, unique) and one float column per
    canonical name (``train_loss``, ``dev_loss``, ``dev_accuracy``, ``lr``...); NaN
    means "not logged at this step", ``±inf`` means "logged as non-finite".
    ``step_unit`` is ``"epoch"`` or ``"step"``; ``mapping`` maps each source
    column (or TensorBoard tag) to its canonical name; ``ignored`` lists the ones
    left out; ``notes`` say what was inferred. ``name`` names the run (file
    stem or run directory), ``source`` is where it was read from.
    """

    name: str
    source: str
    format: str
    frame: pd.DataFrame
    step_unit: str = "epoch"
    mapping: Mapping[str, str] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """The canonical value columns present (without ``step``)."""
        return tuple(c for c in self.frame.columns if c != "step")

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
            "mapping": dict(self.mapping),
            "ignored": list(self.ignored),
            "notes": list(self.notes),
        }


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
        return None, ""
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
    if "step" in step_columns and "epoch" in step_columns:
        step_source, step_unit = step_columns["step"], "step"
        ignored.append(step_columns["epoch"])
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
    if step_source:
        mapping = {step_source: "step", **mapping}
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
    """A log from a Keras ``History.history`` dict: metric name → one value per epoch.

    Lists of different lengths are aligned at the first epoch; a shorter list leaves
    the later epochs absent.
    """
    import pandas as pd

    if not history or not all(isinstance(v, (list, tuple)) for v in history.values()):
        raise InputError(
            f"The Keras history {source or name} is not a dict of lists.",
            "Save model.fit(...).history with json.dump: {'loss': [...], 'val_loss': [...]}.",
        )
    length = max(len(v) for v in history.values())
    padded = {k: list(v) + [None] * (length - len(v)) for k, v in history.items()}
    frame = pd.DataFrame(padded, dtype=object)
    return log_from_frame(frame, name=name, source=source, format="keras_history")


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


def read_training_log(path: str | Path) -> tuple[TrainingLog, ...]:
    """Read one file or directory; a TensorBoard directory may hold several runs.

    Raises
    ------
    FileProblem
        Missing path, unreadable or malformed file, unknown format.
    ColumnProblem, InputError
        See :func:`log_from_frame`.
    ConfigError
        A TensorBoard directory while the optional ``tensorboard`` package is missing.
    """
    path = Path(path)
    if not path.exists():
        raise FileProblem(
            f"The training log '{path}' does not exist.",
            "Pass the path of a CSV/JSONL/JSON history file or of a TensorBoard log directory.",
        )
    if path.is_dir():
        if any(path.rglob(f"{_EVENT_FILE}*")):
            return _read_tensorboard(path)
        metrics = sorted(path.rglob("metrics.csv"))
        if metrics:
            return tuple(_read_file(m, name=_run_name(path, m.parent)) for m in metrics)
        raise FileProblem(
            f"The directory '{path}' holds no TensorBoard event files ({_EVENT_FILE}.*) and no metrics.csv.",
            "Pass the TensorBoard log directory of the run, a Lightning log directory, or a history file.",
        )
    return (_read_file(path, name=path.stem),)


def read_training_logs(paths: Iterable[str | Path | TrainingLog]) -> tuple[TrainingLog, ...]:
    """Read several paths (see :func:`read_training_log`; a TrainingLog passes through); run names made unique."""
    logs: list[TrainingLog] = []
    for path in paths:
        logs.extend((path,) if isinstance(path, TrainingLog) else read_training_log(path))
    seen: dict[str, int] = {}
    unique = []
    for log in logs:
        count = seen.get(log.name, 0)
        seen[log.name] = count + 1
        if count:
            from dataclasses import replace

            log = replace(log, name=f"{log.name}#{count + 1}")
        unique.append(log)
    return tuple(unique)


def _run_name(root: Path, run_dir: Path) -> str:
    relative = run_dir.relative_to(root).as_posix() if run_dir != root else ""
    return relative if relative not in ("", ".") else root.name


def _read_file(path: Path, *, name: str) -> TrainingLog:
    import pandas as pd

    suffix = path.suffix.lower()
    source = str(path)
    try:
        if suffix in (".csv", ".tsv", ".txt"):
            try:
                frame = pd.read_csv(
                    path, sep="\t" if suffix == ".tsv" else ",", keep_default_na=False, na_values=[""], encoding="utf-8"
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
            fmt = "lightning_csv" if path.name == "metrics.csv" else "csv"
            return log_from_frame(frame, name=name, source=source, format=fmt, nan_is_absent=True)
        if suffix in (".jsonl", ".ndjson"):
            records = []
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if line.strip():
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise FileProblem(
                            f"Line {number} of {source} is not valid JSON ({exc.msg}).",
                            'Write one JSON object per line, e.g. {"epoch": 1, "train_loss": 0.7}.',
                        ) from None
                    if not isinstance(record, dict):
                        raise FileProblem(
                            f"Line {number} of {source} is not a JSON object.",
                            'Write one JSON object per line, e.g. {"epoch": 1, "train_loss": 0.7}.',
                        )
                    records.append(record)
            frame = _records_frame(records)
            return log_from_frame(frame, name=name, source=source, format="jsonl")
        if suffix == ".json":
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                raise FileProblem(
                    f"{source} is not valid JSON ({exc.msg} at line {exc.lineno}).",
                    "Save the Keras history with json.dump(model.fit(...).history, f).",
                ) from None
            if isinstance(data, dict) and isinstance(data.get("history"), dict):
                data = data["history"]
            if isinstance(data, dict):
                return log_from_history(data, name=name, source=source)
            if isinstance(data, list) and all(isinstance(r, dict) for r in data):
                frame = _records_frame(data)
                return log_from_frame(frame, name=name, source=source, format="json_records")
            raise FileProblem(
                f"{source} is neither a Keras history (a dict of lists) nor a list of per-epoch objects.",
                "Save the Keras history with json.dump(model.fit(...).history, f).",
            )
    except UnicodeDecodeError:
        raise FileProblem(f"{source} is not UTF-8 text.", "Save the log as UTF-8.") from None
    except OSError as exc:
        raise FileProblem(f"Could not read {source}: {exc.strerror}.", "Check the path and its permissions.") from None
    raise FileProblem(
        f"unstuck does not know the training-log format of '{path.name}'.",
        "Use .csv, .tsv, .jsonl, .json (Keras history), or a TensorBoard log directory.",
    )


def _records_frame(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One object column per key; a key a record lacks (or sets to null) is None, a logged NaN stays NaN."""
    import pandas as pd

    keys = list(dict.fromkeys(k for r in records for k in r))
    return pd.DataFrame({k: [r.get(k) for r in records] for k in keys}, dtype=object)


# ---------------------------------------------------------------------------- TensorBoard


def _read_tensorboard(root: Path) -> tuple[TrainingLog, ...]:
    """Every run under ``root``: scalars by tag, merged by step into one log per run."""
    try:
        from tensorboard.backend.event_processing import event_accumulator  # type: ignore[import-untyped]
    except ImportError:
        raise ConfigError(
            f"'{root}' is a TensorBoard log directory, and reading it needs the optional package 'tensorboard'.",
            "Install it with: pip install 'unstuck[tensorboard]' (or pip install tensorboard), "
            "or export the scalars to CSV.",
        ) from None
    import pandas as pd

    event_dirs = sorted({p.parent for p in root.rglob(f"{_EVENT_FILE}*")})
    runs: dict[Path, list[Path]] = {}
    for directory in event_dirs:
        # A split-named directory (train/, validation/) is that split of its parent run; its name
        # prefixes the tags below (epoch_loss under validation/ → validation/epoch_loss → dev_loss).
        run = directory.parent if directory != root and directory.name.lower() in _SPLIT_DIRS else directory
        runs.setdefault(run, []).append(directory)
    logs = []
    for run_dir, parts in sorted(runs.items()):
        records: dict[float, dict[str, float | None]] = {}
        notes: list[str] = []
        for directory in parts:
            accumulator = event_accumulator.EventAccumulator(
                str(directory), size_guidance={event_accumulator.SCALARS: 0, event_accumulator.TENSORS: 0}
            )
            try:
                accumulator.Reload()
            except Exception as exc:  # corrupt or truncated event file
                raise FileProblem(
                    f"Could not read the TensorBoard events in '{directory}': {exc}.",
                    "Check that the run finished writing, or export the scalars to CSV.",
                ) from None
            prefix = "" if directory == run_dir else f"{directory.name}/"
            for tag, points in _tensorboard_scalars(accumulator).items():
                column = tag if not prefix or _has_split(tag) else f"{prefix}{tag}"
                for step, value in points:
                    records.setdefault(step, {})[column] = value
        if not records:
            raise FileProblem(
                f"The TensorBoard events in '{run_dir}' hold no scalars.",
                "Log the losses as scalars (add_scalar / tf.summary.scalar).",
            )
        columns = sorted({c for row in records.values() for c in row})
        frame = pd.DataFrame(
            {"step": list(records), **{c: [row.get(c) for row in records.values()] for c in columns}},
            dtype=object,
        )
        logs.append(
            log_from_frame(frame, name=_run_name(root, run_dir), source=str(run_dir), format="tensorboard", notes=notes)
        )
    return tuple(logs)


def _has_split(tag: str) -> bool:
    return any(t in _SPLIT_TOKENS for t in _tokens(tag))


def _tensorboard_scalars(accumulator: Any) -> dict[str, list[tuple[float, float]]]:
    """Scalar series by tag: classic ``simple_value`` scalars and TF2 scalar tensors."""
    out: dict[str, list[tuple[float, float]]] = {}
    tags = accumulator.Tags()
    for tag in tags.get("scalars", []):
        out[tag] = [(float(e.step), float(e.value)) for e in accumulator.Scalars(tag)]
    if tags.get("tensors"):
        from tensorboard.util import tensor_util  # type: ignore[import-untyped]

        for tag in tags["tensors"]:
            points = []
            for event in accumulator.Tensors(tag):
                array = tensor_util.make_ndarray(event.tensor_proto)
                if array.size == 1 and array.dtype.kind in "fiu":
                    points.append((float(event.step), float(array.reshape(-1)[0])))
            if points:
                out.setdefault(tag, points)
    return out
