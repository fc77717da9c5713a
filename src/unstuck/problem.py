"""Problem: one validated, immutable bundle of what the user gave unstuck.

Two modes:

* **data mode** — feature tables for train (and optionally dev, test, train-dev)
  with a target column; unstuck fits its own baselines;
* **predictions mode** — one table of a user's own model's predictions with
  columns ``split``, ``y_true``, ``y_pred``, optional ``proba_<class>`` and any
  metadata columns; nothing is trained.

Splits that the user did not give are carved when the problem is built, by the seeded
rules of :mod:`unstuck.splits`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from unstuck.errors import ColumnProblem, ConfigError, SplitProblem
from unstuck.frozen import CopiedTable, ReadOnlyFrames, frozen
from unstuck.metrics import Metric, metric_for
from unstuck.splits import CARVE_TRAIN_DEV_FROM, SPLITS, carve, carve_size_train_dev, normalise_split_name
from unstuck.validation import (
    harmonise_column_kinds,
    labels_of_one_kind,
    refuse_non_finite,
    refuse_unseen_labels,
    regression_numbers,
    validate_probabilities,
)

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.training_log.readers import TrainingLog

__all__ = ["INPUT_MEANINGS", "SPLITS", "Problem", "infer_task"]

#: What each input a check may require means, for the "skipped" reason.
INPUT_MEANINGS: dict[str, str] = {
    "data": "the feature tables (unstuck trains its own baselines on them), not only predictions or logs",
    "predictions": "predictions on at least one split",
    "proba": "class probabilities (proba_<class> columns, or data mode)",
    "human_error": "a human-level error (--human-error)",
    "classification": "a classification task",
    "regression": "a regression task",
    "train": "a train split",
    "dev": "a dev split",
    "test": "a test split",
    "train_dev": "a train-dev split",
    "training_log": "a training log (--training-log)",
    "tags": "error tags on dev rows (--tags FILE, or a tags column in the predictions file)",
}

MAX_CLASSES_FOR_INTEGER_TARGET = 20

#: The fewest training rows data mode accepts: with fewer, the carved dev set (20 %) has under 6 rows, the
#: baselines' 5-fold out-of-fold predictions train on a handful of rows, and every error interval is
#: degenerate (0 to 0, or 0 to 100 %). Below it unstuck refuses rather than print such numbers.
MIN_TRAIN_ROWS = 30


def infer_task(target: pd.Series) -> str:
    """``"classification"`` for text, boolean, categorical or few-valued integer targets.

    An integer target with at most 20 distinct values is taken as class labels;
    any other numeric target is regression.
    """
    import pandas as pd

    values = target.dropna()
    if (
        pd.api.types.is_bool_dtype(values)
        or isinstance(values.dtype, pd.CategoricalDtype)
        or not pd.api.types.is_numeric_dtype(values)
    ):
        return "classification"
    if pd.api.types.is_float_dtype(values) and not (values == values.round()).all():
        return "regression"
    return "classification" if values.nunique() <= MAX_CLASSES_FOR_INTEGER_TARGET else "regression"


@dataclass(frozen=True)
class Problem:
    """Everything a diagnosis needs, validated.

    ``frames`` (data mode) maps split name → DataFrame holding ``features``,
    the ``target`` and the id column; it is read-only, and each table it hands out is a
    copy that cannot write back into the one every check shares
    (:class:`~unstuck.frozen.ReadOnlyFrames`). ``predictions`` (predictions mode) is one
    DataFrame with a canonical ``split`` column; it and ``tags`` are handed out the same way
    (:class:`~unstuck.frozen.CopiedTable`). ``notes`` records what unstuck
    inferred or carved, for the report (read-only too).
    """

    task: str
    metric: Metric
    target: str | None
    features: tuple[str, ...]
    frames: Mapping[str, pd.DataFrame]
    predictions: pd.DataFrame | None
    classes: tuple[Any, ...]
    id_column: str | None = None
    human_error: float | None = None
    seed: int = 0
    dev_from_train: bool = False
    #: No train-dev split: its error comes from out-of-fold predictions on train (small train).
    train_dev_from_folds: bool = False
    notes: Mapping[str, Any] = field(default_factory=dict)
    training_logs: tuple[TrainingLog, ...] = ()
    #: Error tags (hand-tagged dev errors): columns ``row`` (position in dev) and ``tags`` (tuple of str), one line
    #: per examined dev row; see ``unstuck.tags``.
    tags: pd.DataFrame | None = None
    #: Features holding free text (``unstuck.text.detect``): represented by TF-IDF and sentence
    #: embeddings in the baselines, searched for near copies, never one-hot encoded.
    text_columns: tuple[str, ...] = ()
    #: The column of image paths (``unstuck.images.read``): kept beside the pixel and property
    #: features built from it, never a feature itself.
    image_column: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "frames", ReadOnlyFrames(self.frames))
        object.__setattr__(self, "notes", frozen(self.notes))

    @property
    def mode(self) -> str:
        """``"data"``, ``"predictions"``, or ``"training_log"`` (training logs and nothing else)."""
        if self.predictions is not None:
            return "predictions"
        if not self.frames and self.training_logs:
            return "training_log"
        return "data"

    @property
    def present_splits(self) -> tuple[str, ...]:
        if self.predictions is not None:
            present = set(self.predictions["split"].unique())
        else:
            present = set(self.frames)
        return tuple(s for s in SPLITS if s in present)

    @property
    def split_sizes(self) -> dict[str, int]:
        if self.predictions is not None:
            counts = self.predictions["split"].value_counts()
            return {s: int(counts[s]) for s in self.present_splits}
        return {s: len(self.frames[s]) for s in self.present_splits}

    @property
    def proba_columns(self) -> tuple[str, ...]:
        if self.predictions is None:
            return ()
        return tuple(c for c in self.predictions.columns if c.startswith("proba_"))

    @property
    def inputs(self) -> frozenset[str]:
        """The names of the inputs present (see ``INPUT_MEANINGS``)."""
        if self.mode == "training_log":
            # Logs alone: no predictions, no splits, so every check reading them skips with its reason.
            have_logs = {self.task, "training_log"}
            if self.human_error is not None:
                have_logs.add("human_error")
            return frozenset(have_logs)
        have = {self.task, "predictions", *self.present_splits}
        if self.training_logs:
            have.add("training_log")
        if self.tags is not None:
            have.add("tags")
        if self.mode == "data":
            have.add("data")
            if self.task == "classification":
                have.add("proba")
        elif self.proba_columns:
            have.add("proba")
        if self.human_error is not None:
            have.add("human_error")
        return frozenset(have)

    # ------------------------------------------------------------------ builders

    @classmethod
    def from_frames(
        cls,
        train: pd.DataFrame,
        *,
        target: str,
        dev: pd.DataFrame | None = None,
        test: pd.DataFrame | None = None,
        train_dev: pd.DataFrame | None = None,
        task: str | None = None,
        metric: str | None = None,
        id_column: str | None = None,
        drop: Sequence[str] = (),
        human_error: float | None = None,
        seed: int = 0,
        names: Mapping[str, str] | None = None,
        text_columns: Sequence[str] | None = None,
        image_column: str | None = None,
    ) -> Problem:
        """Validate feature tables and carve the missing dev / train-dev splits.

        ``names`` maps split → a file name for error messages (default: the split name).
        ``text_columns``: None detects free-text columns by content, ``()`` turns that off,
        a list names them (see :func:`unstuck.text.detect.decide_text_columns`).
        """
        names = dict(names or {})
        given = {"train": train, "dev": dev, "test": test, "train_dev": train_dev}
        frames = {s: f for s, f in given.items() if f is not None}
        label = {s: names.get(s, s) for s in frames}
        for split, frame in frames.items():
            if len(frame) == 0:
                raise SplitProblem(
                    f"The {split} split ({label[split]}) has no rows.",
                    "Pass a file with at least one data row, or leave that split out.",
                )
            if target not in frame.columns:
                raise ColumnProblem(
                    _missing_column_message("target", target, label[split], frame.columns),
                    "Pass the right name with --target.",
                )
        if id_column is not None and id_column == target:
            raise ConfigError(
                f"--id-column and --target both name '{target}': one column cannot be the row "
                "identifier and the label to predict.",
                "Pass the label column with --target and a different identifier column with --id-column "
                "(or leave --id-column out).",
            )
        if target in drop:
            raise ConfigError(
                f"--drop names the target '{target}', which unstuck needs to measure any error.",
                "Remove --drop " + target + " (drop feature columns only).",
            )
        for column, what in ((id_column, "id"), *((d, "--drop") for d in drop)):
            if column is not None and column not in train.columns:
                raise ColumnProblem(
                    _missing_column_message(what, column, label["train"], train.columns),
                    f"Correct the {what} column name.",
                )
        reference = set(train.columns)
        for split, frame in frames.items():
            if set(frame.columns) != reference:
                missing = sorted(reference - set(frame.columns))
                extra = sorted(set(frame.columns) - reference)
                raise SplitProblem(
                    f"The columns of {label[split]} do not match those of {label['train']}: "
                    f"missing {missing or 'none'}, extra {extra or 'none'}.",
                    "Give every split the same columns (or --drop the ones that differ).",
                )
        for split, frame in frames.items():
            n_missing = int(frame[target].isna().sum())
            if n_missing:
                raise ColumnProblem(
                    f"The target '{target}' is missing in {n_missing} of {len(frame)} rows of {label[split]}.",
                    "Drop those rows or fill in their labels; unstuck does not guess targets.",
                )
        if len(train) < MIN_TRAIN_ROWS:
            raise SplitProblem(
                f"{label['train']} has {len(train)} rows: too few to fit a baseline and measure its errors "
                f"with an interval (unstuck needs at least {MIN_TRAIN_ROWS}; with fewer, every interval is "
                "degenerate, such as 0.0 to 0.0).",
                f"Pass at least {MIN_TRAIN_ROWS} labelled training rows; with so few, look at the rows by hand.",
            )
        excluded = {target, *drop} | ({id_column} if id_column else set()) | ({image_column} if image_column else set())
        features = tuple(c for c in train.columns if c not in excluded)
        if not features:
            raise ColumnProblem(
                f"{label['train']} has no feature columns besides the target.",
                "Pass a table with at least one feature column.",
            )
        empty = [c for c in features if train[c].isna().all()]
        if empty:
            raise ColumnProblem(
                f"The column(s) {empty} of {label['train']} hold no values at all (every row is empty).",
                "Remove them with " + " ".join(f"--drop {c}" for c in empty) + ".",
            )
        notes: dict[str, Any] = {}
        # Retyped first, so that numbers parsed from text ("inf") meet the finiteness check too.
        frames, retyped = harmonise_column_kinds(frames, features, label)
        if retyped:
            notes["column_types"] = "; ".join(retyped)
        for split, frame in frames.items():
            refuse_non_finite(frame, [*features, target], label[split])
        from unstuck.text.detect import decide_text_columns

        text, text_note = decide_text_columns(frames, features, label, text_columns)
        if text_note is not None:
            notes["text"] = text_note
        if image_column is not None:
            notes["images"] = (
                f"images read from the paths in '{image_column}': their 16x16 grey pixels and their width, height, "
                "aspect, channels, brightness and blur are the features"
            )
        if task is None:
            task = infer_task(train[target])
            notes["task"] = f"{task} (inferred from the target '{target}'; override with --task)"
        elif task not in ("classification", "regression"):
            raise ConfigError(f"Unknown task '{task}'.", "Use --task classification or --task regression.")
        import pandas as pd

        if task == "regression" and not pd.api.types.is_numeric_dtype(train[target]):
            raise ColumnProblem(
                f"The target '{target}' is not numeric, so it cannot be a regression target.",
                "Use --task classification, or convert the target to numbers.",
            )
        if task == "regression":
            for split, frame in frames.items():
                frames[split] = frame.assign(**{target: regression_numbers(frame[target], target, label[split])})
                refuse_non_finite(frames[split], [target], label[split])
        else:
            # One kind of label in every split: 1 in train and "1" in dev are one class, not two.
            labels, _ = harmonise_column_kinds(frames, [target], label, numbers=False)
            frames = dict(labels)
        train = frames["train"]
        classes: tuple[Any, ...] = ()
        if task == "classification":
            values = sorted(train[target].unique().tolist(), key=str)
            if len(values) < 2:
                raise ColumnProblem(
                    f"The target '{target}' has only one class ({values[0]!r}) in {label['train']}.",
                    "A classifier needs examples of at least two classes; add rows of the other "
                    "class(es) or check that the target column is the right one.",
                )
            classes = tuple(values)
            for split, frame in frames.items():
                if split != "train":
                    refuse_unseen_labels(
                        classes, frame[target], where=label[split], reference=label["train"], column=target
                    )
        chosen = metric_for(task, metric)
        _check_human_error(human_error, chosen)
        dev_from_train = False
        train_dev_from_folds = False
        if "dev" not in frames:
            frames["train"], frames["dev"] = carve(frames["train"], 0.2, target, task, seed)
            dev_from_train = True
            notes["dev"] = (
                f"no dev set given: a stratified 20% of train ({len(frames['dev'])} rows, seed {seed}) is the dev set"
            )
        elif "train_dev" not in frames and len(frames["train"]) < CARVE_TRAIN_DEV_FROM:
            train_dev_from_folds = True
            notes["train_dev"] = (
                f"train has {len(frames['train'])} rows, too few to spare a train-dev split: the train-dev error is "
                "estimated from out-of-fold predictions on every train row (models trained on the other folds), "
                "so that variance and data mismatch can be told apart without training on less data"
            )
        elif "train_dev" not in frames:
            size = carve_size_train_dev(len(frames["train"]), len(frames["dev"]))
            frames["train"], frames["train_dev"] = carve(frames["train"], size, target, task, seed)
            notes["train_dev"] = (
                f"train-dev carved from train: {size} rows (as many as dev, at most 20% of train; "
                f"stratified, seed {seed}), so that variance and data mismatch can be told apart"
            )
        keep = [*features, target] + ([id_column] if id_column else []) + ([image_column] if image_column else [])
        frozen = {s: f[keep].reset_index(drop=True) for s, f in frames.items()}
        return cls(
            task=task,
            metric=chosen,
            target=target,
            features=features,
            frames=frozen,
            predictions=None,
            classes=classes,
            id_column=id_column,
            human_error=human_error,
            seed=seed,
            dev_from_train=dev_from_train,
            train_dev_from_folds=train_dev_from_folds,
            notes=notes,
            text_columns=text,
            image_column=image_column,
        )

    @classmethod
    def from_split_column(
        cls,
        frame: pd.DataFrame,
        *,
        split_column: str,
        target: str,
        name: str = "the table",
        **kwargs: Any,
    ) -> Problem:
        """Split one table by ``split_column`` (values train/dev/test/train_dev and aliases)."""
        if split_column not in frame.columns:
            raise ColumnProblem(
                _missing_column_message("split", split_column, name, frame.columns),
                "Pass the right name with --split-column.",
            )
        canonical = frame[split_column].map(normalise_split_name)
        unknown = sorted({str(v) for v in frame.loc[canonical.isna(), split_column].unique()})
        if unknown:
            raise SplitProblem(
                f"The split column '{split_column}' of {name} has values unstuck does not know: {unknown}.",
                "Use train, train_dev, dev (or val/validation) and test.",
            )
        parts = {s: frame.loc[canonical == s].drop(columns=[split_column]) for s in SPLITS if (canonical == s).any()}
        if "train" not in parts:
            raise SplitProblem(
                f"The split column '{split_column}' of {name} has no 'train' rows.",
                "Mark the training rows with the value 'train'.",
            )
        names = {s: f"the {s} rows of {name}" for s in parts}
        return cls.from_frames(
            parts["train"],
            target=target,
            dev=parts.get("dev"),
            test=parts.get("test"),
            train_dev=parts.get("train_dev"),
            names=names,
            **kwargs,
        )

    @classmethod
    def from_predictions(
        cls,
        frame: pd.DataFrame,
        *,
        task: str | None = None,
        metric: str | None = None,
        human_error: float | None = None,
        seed: int = 0,
        name: str = "the predictions file",
    ) -> Problem:
        """Validate a predictions table (``split``, ``y_true``, ``y_pred``, ``proba_*``, metadata)."""
        import pandas as pd

        required = ("split", "y_true", "y_pred")
        absent = [c for c in required if c not in frame.columns]
        if absent:
            raise ColumnProblem(
                f"{name} lacks the column(s) {absent}; it has {list(frame.columns)[:20]}.",
                "A predictions file needs one row per example with columns split "
                "(train/train_dev/dev/test), y_true and y_pred, and optionally proba_<class>.",
            )
        frame = frame.copy()
        canonical = frame["split"].map(normalise_split_name)
        if canonical.isna().any():
            unknown = sorted({str(v) for v in frame.loc[canonical.isna(), "split"].unique()})
            raise SplitProblem(
                f"{name} has split values unstuck does not know: {unknown[:10]} "
                f"({int(canonical.isna().sum())} of {len(frame)} rows).",
                "Use train, train_dev, dev (or val/validation) and test in the 'split' column.",
            )
        frame["split"] = canonical
        for column in ("y_true", "y_pred"):
            n_missing = int(frame[column].isna().sum())
            if n_missing:
                raise ColumnProblem(
                    f"The column '{column}' of {name} is empty in {n_missing} rows.",
                    "Every row needs its true label and its prediction; drop incomplete rows.",
                )
        refuse_non_finite(frame, ["y_true", "y_pred"], name)
        present = set(frame["split"])
        if not present & {"dev", "test"}:
            raise SplitProblem(
                f"{name} has rows only for {sorted(present)}: no dev or test rows, so there is no held-out "
                "error to diagnose (its dev and test splits are empty).",
                "Add your model's predictions on the dev (validation) set, and the test set if you have one, "
                "with split = dev / test.",
            )
        notes: dict[str, Any] = {}
        if task is None:
            task = infer_task(frame["y_true"])
            notes["task"] = f"{task} (inferred from y_true; override with --task)"
        if task == "regression":
            for column in ("y_true", "y_pred"):
                frame[column] = regression_numbers(frame[column], column, name)
            refuse_non_finite(frame, ["y_true", "y_pred"], name)
        elif task == "classification":
            frame = labels_of_one_kind(frame, ("y_true", "y_pred"))
        probas = [c for c in frame.columns if c.startswith("proba_")]
        classes: tuple[Any, ...] = ()
        if task == "classification":
            classes = tuple(sorted(pd.unique(frame[["y_true", "y_pred"]].to_numpy().ravel()).tolist(), key=str))
            if frame["y_true"].nunique() < 2:
                raise ColumnProblem(
                    f"y_true in {name} has only one class.",
                    "An error decomposition needs examples of at least two classes.",
                )
            validate_probabilities(frame, probas, classes, name)
            if "train" in present:
                # What the model knows: the classes it was trained on and any class it ever predicts.
                train_rows = frame["split"] == "train"
                known = set(frame.loc[train_rows, "y_true"]) | set(frame["y_pred"])
                for split in sorted(present - {"train"}):
                    rows = frame["split"] == split
                    refuse_unseen_labels(
                        known,
                        frame.loc[rows, "y_true"],
                        where=f"the {split} rows of {name}",
                        reference="the train rows (or anywhere in y_pred)",
                        column="y_true",
                    )
        elif task == "regression" and probas:
            raise ColumnProblem(
                f"{name} has probability columns ({probas[:5]}), but the task is regression.",
                "If y_true holds class labels, pass --task classification; otherwise drop the proba_ columns.",
            )
        chosen = metric_for(task, metric)
        _check_human_error(human_error, chosen)
        return cls(
            task=task,
            metric=chosen,
            target="y_true",
            features=(),
            frames={},
            predictions=frame.reset_index(drop=True),
            classes=classes,
            human_error=human_error,
            seed=seed,
            notes=notes,
        )

    @classmethod
    def from_training_logs(
        cls,
        logs: Sequence[TrainingLog],
        *,
        task: str | None = None,
        metric: str | None = None,
        human_error: float | None = None,
        seed: int = 0,
    ) -> Problem:
        """A Problem made of training logs alone (no data, no predictions).

        The task comes from ``task``, else from the logs' metric names (accuracy or
        error → classification; mse, rmse or mae → regression), else it is taken
        to be classification, and ``notes`` says which.
        """
        from unstuck.training_log.readers import infer_task_from_logs

        if not logs:
            raise ConfigError("No training log was given.", "Pass --training-log with a history file or directory.")
        notes: dict[str, Any] = {}
        if task is None:
            inferred, why = infer_task_from_logs(logs)
            task = inferred or "classification"
            notes["task"] = (
                f"{task} ({why}; override with --task)"
                if inferred
                else "classification (assumed: the logs name no accuracy/error or mse/rmse/mae; override with --task)"
            )
        elif task not in ("classification", "regression"):
            raise ConfigError(f"Unknown task '{task}'.", "Use --task classification or --task regression.")
        chosen = metric_for(task, metric)
        _check_human_error(human_error, chosen)
        return cls(
            task=task,
            metric=chosen,
            target=None,
            features=(),
            frames={},
            predictions=None,
            classes=(),
            human_error=human_error,
            seed=seed,
            notes=notes,
            training_logs=tuple(logs),
        )


# A check that writes into the predictions or the tags it was given must not change what the next reads.
for _table in ("predictions", "tags"):
    setattr(Problem, _table, CopiedTable(_table))


def _missing_column_message(what: str, wanted: str, where: str, columns: Iterable[Any]) -> str:
    names = [str(c) for c in columns]
    close = difflib.get_close_matches(wanted, names, n=1, cutoff=0.6)
    shown = ", ".join(names[:30]) + (f", ... ({len(names)} in all)" if len(names) > 30 else "")
    guess = f" Did you mean '{close[0]}'?" if close else ""
    return f"The {what} column '{wanted}' is not in {where}; its columns are: {shown}.{guess}"


def _check_human_error(human_error: float | None, metric: Metric) -> None:
    if human_error is None:
        return
    upper = 1.0 if metric.name == "error_rate" else float("inf")
    if not 0.0 <= human_error <= upper:
        raise ConfigError(
            f"--human-error {human_error} is outside the range of {metric.name} (0 to {upper}).",
            "Give it in the metric's own units, e.g. --human-error 0.02 for a 2% error rate.",
        )
