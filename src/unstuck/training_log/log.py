"""The training-log type and the mapping of any writer's names onto one vocabulary.

:class:`TrainingLog` is one run's history with canonical column names: ``step`` (the x
axis), ``train_<metric>``, ``dev_<metric>``, ``test_<metric>``, ``lr``, ``grad_norm``,
and ``epoch`` beside the steps when both were logged. :func:`canonical_column` maps a
source name (``val_loss``, ``Loss/train``, ``eval_accuracy``, ``lr-Adam``) onto it;
:func:`log_from_frame` validates a raw table into a log. The readers of each format
(:mod:`unstuck.training_log.readers` and :mod:`unstuck.training_log.formats`) build
their raw tables and call it.

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

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from unstuck.errors import ColumnProblem, InputError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from numpy.typing import NDArray

__all__ = [
    "TrainingLog",
    "canonical_column",
    "has_split",
    "infer_task_from_logs",
    "log_from_frame",
    "mapping_source",
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


def has_split(tag: str) -> bool:
    """Whether a column or tag name names a split (``loss/val``, ``train_loss``)."""
    return any(t in _SPLIT_TOKENS for t in _tokens(tag))


def run_name(root: Path, run_dir: Path) -> str:
    """A run folder's name relative to the folder passed (the folder's own name when they are one)."""
    relative = run_dir.relative_to(root).as_posix() if run_dir != root else ""
    return relative if relative not in ("", ".") else root.name
