"""Quick-and-dirty baselines (the method's step 3): trivial, linear, gradient boosting.

Each rung of the ladder is a scikit-learn estimator with sane defaults that
takes the raw feature DataFrame (numbers, categories, missing values) as it is:

* ``trivial`` — majority class / mean of the target;
* ``linear`` — median imputation + scaling for numbers, most-frequent
  imputation + one-hot (at most 50 levels) for categories, then logistic or
  ridge regression;
* ``gradient_boosting`` — LightGBM on native categoricals (the 255 most
  frequent levels of each) and native missing values; from 10,000 training rows on it
  stops adding trees when the loss on a held-out part of its training rows levels off
  (:mod:`unstuck.early_stopping`).

On a problem with free-text columns (:mod:`unstuck.text.detect`) the ladder is a text
ladder instead: ``trivial``; ``linear``, where each text column is the TF-IDF of its words;
and ``minilm``, where each is its MiniLM sentence embedding (when the ``text`` extra is
installed): the "take a pre-trained model" lever, measured. Boosted trees on a one-hot of
unique texts learn nothing, so they are left out.

All are seeded; the same data and seed give the same predictions.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, TransformerMixin

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.problem import Problem

__all__ = [
    "BASELINES",
    "IMAGE_BASELINES",
    "ONE_THREAD_BELOW_CELLS",
    "TEXT_BASELINES",
    "Ladder",
    "Rung",
    "categorical_columns",
    "fit_ladder",
    "ladder_names",
    "lightgbm_threads",
    "make_baseline",
    "predict_with_proba",
]

BASELINES: tuple[str, ...] = ("trivial", "linear", "gradient_boosting")
#: The ladder of a problem with text columns (``minilm`` only when the ``text`` extra is installed).
TEXT_BASELINES: tuple[str, ...] = ("trivial", "linear", "minilm")
#: The ladder of an image classification problem (``convnet`` only when torch is installed).
IMAGE_BASELINES: tuple[str, ...] = ("trivial", "linear", "gradient_boosting", "convnet")

DESCRIPTIONS = {
    "trivial": "majority class / mean of the target",
    "linear": "logistic / ridge regression on scaled numbers and one-hot categories",
    "gradient_boosting": "LightGBM, 300 trees, learning rate 0.05, 31 leaves",
    "minilm": "MiniLM-L6 sentence embeddings of the text (pretrained, 384-d) + logistic / ridge regression",
    "convnet": "a small ConvNet (2 convolutions, 16x16 grey pixels) trained from scratch, 15 epochs on CPU",
}
TEXT_DESCRIPTIONS = {
    **DESCRIPTIONS,
    "linear": "TF-IDF of the text's words + logistic / ridge regression",
}
#: Inverse regularisation of the logistic regression on text features (TF-IDF or sentence
#: embeddings: unit-length rows, where the default C=1 under-fits: on 1,200 Reuters R8 stories
#: TF-IDF's dev error was 11.6 % with C=1 and 6.0 % with C=10).
TEXT_C = 10.0

MAX_LEVELS_ONE_HOT = 50
MAX_LEVELS_LIGHTGBM = 255


def categorical_columns(frame: pd.DataFrame) -> list[str]:
    """Columns that are not numeric (text, categories, booleans stored as objects)."""
    import pandas as pd

    return [
        c
        for c in frame.columns
        if not (pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c]))
    ]


class _LightGBMFrame(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Turns non-numeric columns into pandas categories with levels fixed on the training data, and names
    the columns by position."""

    def fit(self, frame: pd.DataFrame, y: object = None) -> _LightGBMFrame:
        self.levels_: dict[str, list[Any]] = {}
        for column in categorical_columns(frame):
            counts = frame[column].astype("string").value_counts()
            self.levels_[column] = counts.index[:MAX_LEVELS_LIGHTGBM].tolist()
        return self

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        import pandas as pd

        out = frame.copy()
        for column, levels in self.levels_.items():
            values = out[column].astype("string")
            # Levels unseen in training (or beyond the 255 kept) become missing, as LightGBM expects.
            out[column] = pd.Categorical(values.where(values.isin(levels)), categories=levels)
        for column in out.columns:
            if pd.api.types.is_bool_dtype(out[column]):
                out[column] = out[column].astype(np.float64)
        # LightGBM refuses names holding JSON characters (`price [USD]`, `a,b`, `"x"`); it needs only
        # positions, which stay in the user's column order (feature importances are read by position).
        out.columns = [f"f{k}" for k in range(out.shape[1])]
        return out


#: Fits on fewer feature cells (rows × columns) than this run LightGBM on one thread.
ONE_THREAD_BELOW_CELLS = 1_000_000


def lightgbm_threads(frame: pd.DataFrame) -> int:
    """LightGBM threads for a fit on ``frame``: 1 below :data:`ONE_THREAD_BELOW_CELLS` cells, else 2.

    On small data a boosting iteration is too short to share: the threads spend it
    waiting for each other, and when another process competes for the cores they
    starve one another (a 1-second fit on 1,078 rows took 8 s beside one competing
    process on 2 cores with 2 threads, 1.2 s with one). Large fits gain from 2 threads
    (2.5 s instead of 3.9 s on 56,000 rows × 40 columns). The count depends on the data
    only, never on the machine, so a seed gives the same model everywhere.
    """
    return 1 if frame.shape[0] * max(frame.shape[1], 1) < ONE_THREAD_BELOW_CELLS else 2


def ladder_names(problem: Problem) -> tuple[str, ...]:
    """The rungs fitted for ``problem``: :data:`TEXT_BASELINES` when it has text columns (``minilm``
    only with the ``text`` extra installed), else :data:`BASELINES`."""
    if problem.image_column is not None and problem.task == "classification":
        import importlib.util

        return tuple(n for n in IMAGE_BASELINES if n != "convnet" or importlib.util.find_spec("torch") is not None)
    if not problem.text_columns:
        return BASELINES
    from unstuck.text.embed import minilm_available

    return tuple(n for n in TEXT_BASELINES if n != "minilm" or minilm_available())


def make_baseline(
    name: str,
    task: str,
    frame: pd.DataFrame,
    seed: int = 0,
    params: Mapping[str, Any] | None = None,
    text_columns: Sequence[str] | None = None,
    *,
    early_stopping: bool = True,
) -> Any:
    """An unfitted scikit-learn pipeline for the rung ``name``, shaped by ``frame``'s column types.

    ``params`` overrides the final estimator's defaults (e.g. ``{"num_leaves": 127}`` for
    LightGBM, ``{"C": 0.1}`` for logistic regression, ``{"alpha": 10.0}`` for ridge).
    ``text_columns`` are represented as text (TF-IDF in ``linear``, sentence embeddings in
    ``minilm``); None detects them in ``frame`` by the rule the :class:`Problem` uses.
    ``early_stopping=False`` keeps LightGBM at its fixed number of trees at any size (a model
    that is not the diagnosed baseline, such as a domain classifier, does not need it).
    """
    from sklearn.pipeline import make_pipeline

    overrides = dict(params or {})
    if text_columns is None:
        from unstuck.text.detect import detect_text_columns

        text_columns = detect_text_columns(frame, categorical_columns(frame))
    text = [c for c in text_columns if c in frame.columns]

    classification = task == "classification"
    if name == "trivial":
        from sklearn.dummy import DummyClassifier, DummyRegressor

        return DummyClassifier(strategy="most_frequent") if classification else DummyRegressor()
    if name in ("linear", "minilm"):
        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression, Ridge
        from sklearn.preprocessing import OneHotEncoder, StandardScaler

        if name == "minilm" and not text:
            raise ValueError("the minilm baseline needs at least one text column")
        categorical = [c for c in categorical_columns(frame) if c not in text]
        numeric = [c for c in frame.columns if c not in categorical and c not in text]
        encode = ColumnTransformer(
            [
                *((f"text {column}", _text_features(name), [column]) for column in text),
                (
                    "numbers",
                    # Kept, not dropped, when a fold has no value at all: dropping left 0 columns.
                    make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler()),
                    numeric,
                ),
                (
                    "categories",
                    make_pipeline(
                        SimpleImputer(strategy="most_frequent", keep_empty_features=True),
                        OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=MAX_LEVELS_ONE_HOT),
                    ),
                    categorical,
                ),
            ]
        )
        defaults: dict[str, Any] = {"C": TEXT_C} if text and classification else {}
        model = (
            LogisticRegression(**{"max_iter": 500, **defaults, **overrides})
            if classification
            else Ridge(**{"alpha": 1.0, **overrides})
        )
        if text:
            from unstuck.text.features import OneThread

            model = OneThread(model)
        return make_pipeline(_StringCategories(tuple(categorical)), encode, model)
    if name == "convnet":
        from unstuck.images.convnet import SmallConvNet

        return SmallConvNet(**{"seed": seed, **overrides})
    if name == "gradient_boosting":
        from lightgbm import LGBMClassifier, LGBMRegressor

        settings: dict[str, Any] = {
            "n_estimators": 300,
            "learning_rate": 0.05,
            "num_leaves": 31,
            "random_state": seed,
            "n_jobs": lightgbm_threads(frame),
            "verbose": -1,
            "deterministic": True,
            "force_row_wise": True,
            **overrides,
        }
        if early_stopping:
            from sklearn.pipeline import Pipeline

            from unstuck.early_stopping import StoppedEarlyClassifier, StoppedEarlyRegressor

            stopped = StoppedEarlyClassifier(**settings) if classification else StoppedEarlyRegressor(**settings)
            # the steps keep make_pipeline's names, which callers address (``lgbmclassifier__...``)
            step = "lgbmclassifier" if classification else "lgbmregressor"
            return Pipeline([("_lightgbmframe", _LightGBMFrame()), (step, stopped)])
        booster = LGBMClassifier(**settings) if classification else LGBMRegressor(**settings)
        return make_pipeline(_LightGBMFrame(), booster)
    raise ValueError(f"unknown baseline {name!r}; choose from {BASELINES}")


def _text_features(name: str) -> Any:
    """The representation of one text column in the rung ``name``."""
    from unstuck.text.features import MiniLMFeatures, tfidf_features

    return MiniLMFeatures() if name == "minilm" else tfidf_features()


class _StringCategories(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Casts the categorical columns to plain strings (NaN kept) so one-hot sees one type."""

    def __init__(self, columns: Sequence[str] = ()) -> None:
        self.columns = columns

    def fit(self, frame: pd.DataFrame, y: object = None) -> _StringCategories:
        return self

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        for column in self.columns:
            values = out[column]
            out[column] = (
                values.astype(object).where(values.notna(), np.nan).map(lambda v: v if isinstance(v, float) else str(v))
            )
        return out


@dataclass(frozen=True)
class Rung:
    """One fitted baseline: its errors per split (metric units) and its fit time in seconds.

    ``outputs`` holds, per split, the predictions and (classification) the raw class
    probabilities in ``model.classes_`` order; the ladder keeps them for its best rung only,
    so that nothing downstream predicts the same rows again.
    """

    name: str
    description: str
    model: Any
    errors: dict[str, float]
    fit_seconds: float
    outputs: dict[str, tuple[NDArray[Any], NDArray[np.float64] | None]] | None = None


@dataclass(frozen=True)
class Ladder:
    """All fitted baselines; ``best`` is the rung with the lowest dev error (ties: the simpler)."""

    rungs: tuple[Rung, ...]
    best: str

    @property
    def best_rung(self) -> Rung:
        return next(r for r in self.rungs if r.name == self.best)

    def to_dict(self) -> dict[str, Any]:
        return {
            "best": self.best,
            "rungs": [
                {
                    "name": r.name,
                    "description": r.description,
                    "errors": r.errors,
                    "fit_seconds": round(r.fit_seconds, 3),
                }
                for r in self.rungs
            ],
        }


def fit_ladder(
    problem: Problem,
    *,
    names: Sequence[str] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> Ladder:
    """Fit every baseline (default: :func:`ladder_names`) on train and measure it on every split of ``problem``."""
    if problem.target is None or "train" not in problem.frames:
        raise ValueError("fit_ladder needs a problem in data mode")
    names = ladder_names(problem) if names is None else tuple(names)
    train = problem.frames["train"]
    features = list(problem.features)
    described = TEXT_DESCRIPTIONS if problem.text_columns else DESCRIPTIONS
    rows = {split: frame[features] for split, frame in problem.frames.items()}
    y = train[problem.target].to_numpy()
    fitted: list[tuple[Any, float, dict[str, tuple[NDArray[Any], NDArray[np.float64] | None]]]]
    if _rungs_in_processes(problem, names):
        if on_step is not None:
            on_step(f"fitting the {', '.join(n.replace('_', ' ') for n in names)} baselines side by side")
        fitted = _fit_rungs_in_processes(problem, names, rows, y)
    else:
        fitted = []
        for name in names:
            if name == "minilm":
                _embed_every_text(problem, on_step)
            if on_step is not None:
                on_step(f"fitting the {name.replace('_', ' ')} baseline")
            fitted.append(_fit_rung(name, problem.task, rows, y, problem.seed, problem.text_columns, one_thread=False))
    rungs = []
    for name, (model, elapsed, outputs) in zip(names, fitted, strict=True):
        errors = {
            split: problem.metric(frame[problem.target].to_numpy(), outputs[split][0])
            for split, frame in problem.frames.items()
        }
        rungs.append(Rung(name, describe(name, model, described), model, errors, elapsed, outputs))
    best = min(rungs, key=lambda r: (r.errors["dev"], names.index(r.name)))
    kept = tuple(r if r is best else dataclasses.replace(r, outputs=None) for r in rungs)
    return Ladder(kept, best.name)


def _fit_rung(
    name: str,
    task: str,
    rows: Mapping[str, pd.DataFrame],
    y: NDArray[Any],
    seed: int,
    text_columns: Sequence[str],
    *,
    one_thread: bool,
) -> tuple[Any, float, dict[str, tuple[NDArray[Any], NDArray[np.float64] | None]]]:
    """Baseline ``name`` fitted on ``rows["train"]`` / ``y``: the model, its fit seconds, and its
    predictions (and probabilities) on every split of ``rows``. ``one_thread`` fits LightGBM on one
    thread (in a worker process beside another fit)."""
    params = {"n_jobs": 1} if one_thread and name == "gradient_boosting" else None
    model = make_baseline(name, task, rows["train"], seed=seed, params=params, text_columns=text_columns)
    started = time.perf_counter()
    model.fit(rows["train"], y)
    elapsed = time.perf_counter() - started
    return model, elapsed, {split: predict_with_proba(model, frame, task) for split, frame in rows.items()}


def _rungs_in_processes(problem: Problem, names: Sequence[str]) -> bool:
    """Whether the ladder's rungs fit side by side in worker processes: from
    :data:`unstuck.workers.PARALLEL_FROM` training rows on, for the plain ladder of a table (the
    text and image rungs embed or train on their own terms first)."""
    from unstuck.workers import PARALLEL_FROM, workers_for

    plain = not problem.text_columns and problem.image_column is None and set(names) <= set(BASELINES)
    return (
        plain
        and workers_for(len(problem.frames["train"]), len(names)) > 1
        and len(problem.frames["train"]) >= PARALLEL_FROM
    )


def _fit_rungs_in_processes(
    problem: Problem, names: Sequence[str], rows: Mapping[str, pd.DataFrame], y: NDArray[Any]
) -> list[tuple[Any, float, dict[str, tuple[NDArray[Any], NDArray[np.float64] | None]]]]:
    """Every rung of ``names`` fitted in worker processes, LightGBM on one thread, in ``names``' order.

    A single LightGBM fit on two threads is the diagnosis's most fragile cost: its threads wait
    for each other at every iteration, and beside any other busy process on two cores they
    starve (a 100-round fit on 7,000 rows: 8 s on one thread, 227 s on two beside three busy
    processes). One thread per process never oversubscribes the cores, and the linear rung fits
    meanwhile. With ``deterministic`` and row-wise histograms the model does not depend on its
    thread count, so the ladder is the one fitted in process.
    """
    from joblib import Parallel, delayed  # type: ignore[import-untyped]

    from unstuck.workers import workers_for

    # the slowest rung first, so that the others fit beside it
    order = sorted(range(len(names)), key=lambda i: names[i] != "gradient_boosting")
    workers = workers_for(len(y), len(names))
    results = Parallel(n_jobs=workers, backend="loky")(
        delayed(_fit_rung)(names[i], problem.task, rows, y, problem.seed, problem.text_columns, one_thread=True)
        for i in order
    )
    by_position = dict(zip(order, results, strict=True))
    return [by_position[i] for i in range(len(names))]


def _embed_every_text(problem: Problem, on_step: Callable[[str], None] | None) -> None:
    """Embed the texts of every split once, up front, telling ``on_step`` how far it got: every later
    fit (folds, curve, sweeps) then reads the embeddings from the cache."""
    from unstuck.text.embed import embed_texts

    texts = list(
        dict.fromkeys(
            value
            for frame in problem.frames.values()
            for column in problem.text_columns
            for value in frame[column].tolist()
            if isinstance(value, str)
        )
    )

    def progress(done: int, total: int) -> None:
        if on_step is not None:
            on_step(f"MiniLM sentence embeddings: {done:,} of {total:,} new texts")

    if on_step is not None:
        on_step(f"MiniLM sentence embeddings of {len(texts):,} distinct texts (cached for later runs)")
    embed_texts(texts, on_progress=progress)


def describe(name: str, model: Any, descriptions: Mapping[str, str] = DESCRIPTIONS) -> str:
    """What the fitted baseline ``name`` is, in words: its description, and for LightGBM stopped
    early, the number of trees it kept."""
    booster = model.steps[-1][1] if hasattr(model, "steps") else model
    kept = getattr(booster, "best_iteration_", 0) if name == "gradient_boosting" else 0
    if not kept:
        return descriptions[name]
    return (
        f"LightGBM, {kept} trees (of at most {booster.n_estimators}: stopped early on a held-out part of train), "
        f"learning rate {booster.learning_rate:g}, {booster.num_leaves} leaves"
    )


def predict_with_proba(model: Any, rows: pd.DataFrame, task: str) -> tuple[NDArray[Any], NDArray[np.float64] | None]:
    """Predictions of a fitted baseline and, for classification, its class probabilities
    (columns in ``model.classes_`` order); the predictions are the most probable class, as
    ``predict`` would give, so each row is scored once."""
    if task != "classification":
        return np.asarray(model.predict(rows)), None
    proba = np.asarray(model.predict_proba(rows), dtype=np.float64)
    return np.asarray(model.classes_)[np.argmax(proba, axis=1)], proba
