"""Context: what checks share, computed once and owned by the runner.

Every member is computed lazily, on first use, and then kept: the baseline
ladder, the predictions on each split, the bootstrap error estimates, the
decomposition, the out-of-fold probabilities on train, and the weak slices of dev. A check asks for
what it needs and never mutates it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from unstuck.budget import BUDGETS, DEFAULT_BUDGET, Budget
from unstuck.registry import SkipCheck

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.baselines import Ladder
    from unstuck.decomposition import Decomposition
    from unstuck.embedding_space import EmbeddingSpace
    from unstuck.metrics import ErrorEstimate
    from unstuck.out_of_fold import OutOfFold
    from unstuck.problem import Problem
    from unstuck.signal import PermutationSignal, Signal
    from unstuck.slices import SliceSearch
    from unstuck.training_log.judge import Judgement

__all__ = ["LARGE_LOSS_QUANTILE", "RESERVED_COLUMNS", "Context", "SplitPredictions", "slice_columns"]

N_BOOT = 1000
#: The permutation test of "the model learnt something": fits on shuffled labels. With 39, the real fit
#: must beat every one of them (p = 1/40), the same 2.5% one-sided error as the intervals' lower end, ...
PERMUTATIONS = 39
#: ... on at most this many training rows.
PERMUTATION_ROWS = 5_000
#: Folds of the permutation test scored out of fold on train: each model learns from four fifths of it, as
#: the label check's fold models do.
PERMUTATION_FOLDS = 5
SPLIT_ORDER = ("train", "train_dev", "dev", "test")
#: Slices of dev, regression: a row "fails" when its loss is above this quantile of the dev losses.
LARGE_LOSS_QUANTILE = 0.90
#: Columns never used as slicing features (unstuck's own inputs).
RESERVED_COLUMNS = frozenset({"tags"})


@dataclass(frozen=True)
class SplitPredictions:
    """A model's predictions on one split.

    ``y_true``, ``y_pred``: shape (n,). ``proba``: shape (n, n_classes) with columns
    in ``classes`` order, or None. ``rows``: the split's features (data mode) or
    metadata columns (predictions mode), aligned with ``y_true``.
    """

    y_true: NDArray[Any]
    y_pred: NDArray[Any]
    proba: NDArray[np.float64] | None
    classes: tuple[Any, ...]
    rows: pd.DataFrame


class Context:
    """The shared, lazily computed measurements of one diagnosis.

    ``budget`` says how many fits the checks may spend (:mod:`unstuck.budget`); ``backend``
    where the diagnosis's own fits run (``local`` or ``ray``: :mod:`unstuck.fits`).
    ``timings`` collects the wall seconds of each shared measurement, so that the runner
    can report a check's own time apart from what it computed for every check.
    """

    def __init__(
        self,
        problem: Problem,
        on_step: Callable[[str], None] | None = None,
        *,
        budget: Budget | None = None,
        backend: str = "local",
    ) -> None:
        self.problem = problem
        self._on_step = on_step
        self.counts: dict[str, int] = {}
        self.budget = budget if budget is not None else BUDGETS[DEFAULT_BUDGET]
        self.backend = backend
        self.timings: dict[str, float] = {}

    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        """Add the wall seconds of the block to ``timings[name]``.

        Shared members nest (the ladder is fitted inside the first prediction): the time of an
        inner block is counted once, under the inner name only.
        """
        before = sum(self.timings.values())
        started = time.perf_counter()
        try:
            yield
        finally:
            inner = sum(self.timings.values()) - before
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started - inner

    def step(self, message: str) -> None:
        """Tell the caller (the CLI's progress display) that a slow step begins."""
        if self._on_step is not None:
            self._on_step(message)

    def computed(self, name: str) -> bool:
        """Whether the shared measurement ``name`` (``"ladder"``, ``"oof_proba"``, ...) was already computed.

        A caller that only reports what the checks happened to measure asks this instead of
        triggering (or peeking at) the computation.
        """
        if not isinstance(getattr(type(self), name, None), cached_property):
            raise ValueError(f"{name!r} is not a shared measurement of the context")
        return name in self.__dict__

    def _count(self, name: str) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1

    @cached_property
    def ladder(self) -> Ladder:
        """The fitted baselines (data mode only)."""
        if self.problem.mode != "data":
            raise SkipCheck("needs the feature tables; predictions mode trains no baselines")
        from unstuck.baselines import fit_ladder

        self._count("ladder")
        with self.timed("ladder"):
            return fit_ladder(self.problem, on_step=self.step)

    @cached_property
    def predictions(self) -> dict[str, SplitPredictions]:
        """Predictions per split: the user's own, or the best baseline's."""
        self._count("predictions")
        problem = self.problem
        if problem.predictions is not None:
            frame = problem.predictions
            proba_columns = [f"proba_{c}" for c in problem.classes]
            has_proba = problem.task == "classification" and all(c in frame for c in proba_columns)
            meta = [c for c in frame.columns if c not in ("split", "y_true", "y_pred") and not c.startswith("proba_")]
            out = {}
            for split in problem.present_splits:
                part = frame[frame["split"] == split]
                out[split] = SplitPredictions(
                    y_true=part["y_true"].to_numpy(),
                    y_pred=part["y_pred"].to_numpy(),
                    proba=part[proba_columns].to_numpy(dtype=np.float64) if has_proba else None,
                    classes=problem.classes,
                    rows=part[meta].reset_index(drop=True),
                )
            return out
        from unstuck.baselines import predict_with_proba

        best = self.ladder.best_rung
        model = best.model
        features = list(problem.features)
        out = {}
        for split, frame in problem.frames.items():
            rows = frame[features]
            y_pred, raw = (best.outputs or {}).get(split) or predict_with_proba(model, rows, problem.task)
            proba = None if raw is None else _align_proba(raw, tuple(model.classes_), problem.classes)
            out[split] = SplitPredictions(
                y_true=frame[problem.target].to_numpy(),
                y_pred=np.asarray(y_pred),
                proba=proba,
                classes=problem.classes,
                rows=rows,
            )
        return out

    @cached_property
    def errors(self) -> dict[str, ErrorEstimate]:
        """The metric on each split, with bootstrap draws (seeded by the problem's seed)."""
        self._count("errors")
        predictions = self.predictions
        folds = self.train_dev_predictions if self.problem.train_dev_from_folds else None
        with self.timed("errors"):
            return self._bootstrap(predictions, folds)

    def _bootstrap(
        self, predictions: dict[str, SplitPredictions], folds: SplitPredictions | None
    ) -> dict[str, ErrorEstimate]:
        from unstuck.metrics import estimate_error

        self.step("bootstrapping the errors")
        problem = self.problem
        errors = {
            split: estimate_error(problem.metric, p.y_true, p.y_pred, n_boot=N_BOOT, seed=problem.seed + i)
            for i, (split, p) in enumerate(predictions.items())
        }
        if folds is not None:
            errors["train_dev"] = estimate_error(
                problem.metric, folds.y_true, folds.y_pred, n_boot=N_BOOT, seed=problem.seed + len(errors)
            )
        return dict(sorted(errors.items(), key=lambda item: SPLIT_ORDER.index(item[0])))

    @cached_property
    def decomposition(self) -> Decomposition:
        """Avoidable bias, variance, data mismatch and dev overfitting, with intervals."""
        from unstuck.decomposition import decompose

        return decompose(
            self.errors,
            human=self.problem.human_error,
            dev_from_train=self.problem.dev_from_train,
        )

    @cached_property
    def signal(self) -> Signal:
        """Whether the model carries signal: beats the best constant prediction on held-out rows.

        Judged on dev (test when there is no dev); then, where it does not, on train-dev
        (carved, given, or out-of-fold): a model that works on unseen rows of the training
        distribution but not on dev carries signal, and its failure on dev is the data
        mismatch the decomposition measures, not a broken pipeline. In data mode the other
        non-trivial baselines are asked too: on imbalanced classes the majority class can win
        on error rate (and be "the best baseline") while the linear or boosted model's
        probabilities are far better than the class frequencies — the features carry the
        target, and the metric is what hides it. The constant is learnt from train's labels
        when they are known, else from the split's own (which only makes it stronger).
        """
        from unstuck.signal import compare_to_constant

        self._count("signal")
        problem = self.problem
        predictions = dict(self.predictions)
        first = "dev" if "dev" in predictions else next(s for s in ("test", "train_dev", "train") if s in predictions)
        attempts: list[tuple[str, str, SplitPredictions]] = [("", first, predictions[first])]
        held_out = self.train_dev_predictions
        if held_out is not None and first != "train_dev":
            attempts.append(("", "train_dev", held_out))
        if problem.mode == "data":
            reference = problem.frames["train"][problem.target].to_numpy()
            attempts += [(name, first, judged) for name, judged in self._other_rungs(first)]
        elif "train" in predictions:
            reference = predictions["train"].y_true
        else:
            reference = None

        def judge(model: str, split: str, judged: SplitPredictions) -> Signal:
            return compare_to_constant(
                problem.metric,
                judged.y_true,
                judged.y_pred,
                reference=reference if reference is not None else judged.y_true,
                proba=judged.proba,
                classes=problem.classes,
                human=problem.human_error,
                split=split,
                seed=problem.seed,
                model=model,
            )

        if problem.mode == "data" and problem.task == "classification" and len(attempts) > 1 and held_out is not None:
            on_dev, on_held_out = judge(*attempts[0]), judge(*attempts[1])
            if on_held_out.works:
                return on_dev if on_dev.works else on_held_out
            # The best model learnt nothing from train's labels that holds on unseen rows labelled the
            # same way (train-dev: carved, or out-of-fold). What it, or another rung, shows on dev is
            # then no proof: the bootstrap holds the fitted model fixed, and a model fitted on labels
            # unrelated to the features is a random function of them, which on clustered data lines
            # up with the real signal by chance (a fifth of the time on breast-cancer rows with
            # train's labels shuffled), all the more as the best of several is picked on dev. Only
            # fits on shuffled labels say how often, so the permutation tests decide.
            others = (judge(*attempt) for attempt in attempts[2:])
            base = on_dev if on_dev.works else next((r for r in others if r.works), on_dev)
            # the dev numbers stay those of the model that showed them; the tests name their own model
            decided = self._judged_by_permutation(base, model=base.model)
            if decided is not None:
                return decided
        results = []
        for attempt in attempts:
            result = judge(*attempt)
            if result.works:
                return result
            results.append(result)
        if problem.mode == "data" and problem.task == "classification":
            # the tests are the linear baseline's: when that is not the diagnosed model, say so
            decided = self._judged_by_permutation(results[0], model="" if self.ladder.best == "linear" else "linear")
            if decided is not None:
                return decided
        return results[0]

    def _judged_by_permutation(self, base: Signal, *, model: str) -> Signal | None:
        """``base`` with both permutation tests attached (they then decide ``works``), or None when
        neither could be run."""
        from dataclasses import replace

        on_dev, on_train = self._permutation_signal("dev"), self._permutation_signal("train")
        if on_dev is None and on_train is None:
            return None
        return replace(base, on_permutation=on_dev, on_permutation_train=on_train, model=model)

    def _permutation_signal(self, scored_on: str = "dev") -> PermutationSignal | None:
        """The linear baseline's Brier score with train's labels (at most :data:`PERMUTATION_ROWS` rows) as
        given and shuffled :data:`PERMUTATIONS` times (see :mod:`unstuck.signal`): scored on dev after a fit on
        train (``scored_on="dev"``), or out of fold on train itself (``"train"``, :data:`PERMUTATION_FOLDS` folds).

        The two answer the same question with different weaknesses. On dev the fits use all of
        train, but a dev set whose class priors differ from train's spreads the shuffled fits'
        scores so widely that a real signal can hide among them; out of fold on train nothing
        shifts, but each fit learns from four fifths of the rows, and a weak signal on a rare class
        can fade there. Under "nothing to learn" each is exact (the real labels are one of 40
        exchangeable draws), so either passing by chance has probability 1/40, 2/40 for the pair.
        """
        from unstuck.baselines import make_baseline, predict_with_proba
        from unstuck.signal import PermutationSignal

        problem = self.problem
        train, dev = problem.frames["train"], problem.frames["dev"]
        features = list(problem.features)
        rng = np.random.default_rng(problem.seed)
        if len(train) > PERMUTATION_ROWS:
            train = train.iloc[np.sort(rng.choice(len(train), PERMUTATION_ROWS, replace=False))]
        y = train[problem.target].to_numpy()
        position = {c: i for i, c in enumerate(problem.classes)}
        fold = rng.permutation(len(train)) % PERMUTATION_FOLDS

        def fitted(rows: NDArray[np.bool_], labels: NDArray[Any], frame: pd.DataFrame) -> NDArray[np.float64] | None:
            model = make_baseline(
                "linear", problem.task, train[features], seed=problem.seed, text_columns=problem.text_columns
            )
            try:
                model.fit(train[features][rows], labels[rows])
            except ValueError:  # a shuffle left a fold with one class: no model to compare
                return None
            _, raw = predict_with_proba(model, frame[features], problem.task)
            assert raw is not None
            return _align_proba(raw, tuple(model.classes_), problem.classes)

        def onehot(labels: list[Any]) -> NDArray[np.float64]:
            out = np.zeros((len(labels), len(problem.classes)))
            for row, label in enumerate(labels):
                if label in position:
                    out[row, position[label]] = 1.0
            return out

        def brier(labels: NDArray[Any]) -> float | None:
            if scored_on == "dev":
                proba = fitted(np.ones(len(labels), dtype=bool), labels, dev)
                truth = onehot(dev[problem.target].tolist())
            else:
                proba = np.zeros((len(labels), len(problem.classes)))
                for k in range(PERMUTATION_FOLDS):
                    held = fold == k
                    part = fitted(~held, labels, train[held])
                    if part is None:
                        return None
                    proba[held] = part
                truth = onehot(labels.tolist())
            if proba is None:
                return None
            return float(np.mean(np.sum((proba - truth) ** 2, axis=1)))

        fits = PERMUTATIONS + 1 if scored_on == "dev" else (PERMUTATIONS + 1) * PERMUTATION_FOLDS
        self.step(f"permutation test: the linear baseline on shuffled labels, scored on {scored_on} ({fits} fits)")
        real = brier(y)
        permuted = [b for _ in range(PERMUTATIONS) if (b := brier(rng.permutation(y))) is not None]
        if real is None or not permuted:
            return None
        return PermutationSignal(brier=real, permuted=tuple(permuted))

    def _other_rungs(self, split: str) -> list[tuple[str, SplitPredictions]]:
        """Predictions on ``split`` of the non-trivial baselines other than the best, best first."""
        from unstuck.baselines import predict_with_proba

        problem = self.problem
        frame = problem.frames[split]
        features = list(problem.features)
        out = []
        for rung in sorted(self.ladder.rungs, key=lambda r: r.errors[split]):
            if rung.name in ("trivial", self.ladder.best):
                continue
            y_pred, raw = predict_with_proba(rung.model, frame[features], problem.task)
            proba = None if raw is None else _align_proba(raw, tuple(rung.model.classes_), problem.classes)
            out.append(
                (
                    rung.name,
                    SplitPredictions(
                        frame[problem.target].to_numpy(), np.asarray(y_pred), proba, problem.classes, frame
                    ),
                )
            )
        return out

    @cached_property
    def train_dev_predictions(self) -> SplitPredictions | None:
        """Predictions on train-dev: the split's own, or out-of-fold ones on train when train-dev
        is estimated by folds (``problem.train_dev_from_folds``); None when there are neither."""
        problem = self.problem
        if "train_dev" in self.predictions:
            return self.predictions["train_dev"]
        if not problem.train_dev_from_folds:
            return None
        train = problem.frames["train"]
        oof = self.oof_proba
        classification = problem.task == "classification"
        y_oof = np.asarray(problem.classes, dtype=object)[np.argmax(oof, axis=1)] if classification else oof[:, 0]
        return SplitPredictions(
            y_true=train[problem.target].to_numpy(),
            y_pred=y_oof,
            proba=oof if classification else None,
            classes=problem.classes,
            rows=train[list(problem.features)],
        )

    @cached_property
    def out_of_fold(self) -> OutOfFold:
        """The best baseline's out-of-fold predictions on train and, in data mode with a dev split,
        each fold model's predictions on dev (:class:`unstuck.out_of_fold.OutOfFold`)."""
        from unstuck.out_of_fold import out_of_fold

        self._count("oof_proba")
        problem = self.problem
        dev = problem.frames.get("dev") if problem.mode == "data" else None
        with self.timed("oof_proba"):
            return out_of_fold(
                problem,
                self.ladder.best,
                folds=self.budget.oof_folds,
                backend=self.backend,
                on_step=self.step,
                elsewhere=dev,
            )

    @cached_property
    def oof_proba(self) -> NDArray[np.float64]:
        """Out-of-fold probabilities on train from the best baseline, shape (n_train, n_classes)."""
        return self.out_of_fold.train

    @cached_property
    def dev_slices(self) -> SliceSearch:
        """Weak slices of dev, searched once for the ``slices`` check and the per-slice learning curves.

        The search is :func:`unstuck.slices.find_slices` on dev's columns (:func:`slice_columns`) with the
        model's failures: misclassified rows, or (regression) losses above the
        :data:`LARGE_LOSS_QUANTILE` quantile. Raises :class:`SkipCheck` when dev has no columns.
        """
        from unstuck.slices import find_slices

        self._count("dev_slices")
        with self.timed("dev_slices"):
            problem = self.problem
            dev = self.predictions["dev"]
            rows = self.slice_rows("dev", dev.rows)
            if rows.shape[1] == 0:
                raise SkipCheck("no per-row features or metadata columns on dev to describe slices with")
            losses = problem.metric.row_losses(dev.y_true, dev.y_pred)
            if problem.task == "classification":
                failed = losses > 0
            else:
                failed = losses > np.quantile(losses, LARGE_LOSS_QUANTILE)
            self.step("searching for weak slices")
            return find_slices(rows, failed)

    @cached_property
    def embedding_space(self) -> EmbeddingSpace | None:
        """The rows of a text or image problem as vectors (:mod:`unstuck.embedding_space`), computed once."""
        from unstuck.embedding_space import embedding_space

        with self.timed("embedding_space"):
            return embedding_space(self.problem)

    @cached_property
    def text_descriptions(self) -> dict[str, pd.DataFrame]:
        """Per split of ``problem.frames`` (rows in its order), the columns that describe a data problem's
        texts to the slice search: each text's words and the rows' cluster (:mod:`unstuck.text.slicing`);
        empty without text columns."""
        problem = self.problem
        space = self.embedding_space if problem.mode == "data" and problem.text_columns else None
        if space is None:
            return {}
        from unstuck.data.frames import problem_splits, user_splits
        from unstuck.embedding_space import texts_of
        from unstuck.text.slicing import describe_texts

        with self.timed("text_descriptions"):
            texts = {s: {c: texts_of(f, c) for c in problem.text_columns} for s, f in user_splits(problem).items()}
            return problem_splits(problem, describe_texts(problem.text_columns, texts, space.vectors, problem.seed))

    @cached_property
    def image_descriptions(self) -> dict[str, pd.DataFrame]:
        """Per split of ``problem.frames``, the column that describes a data problem's images to the slice
        search beside their properties: the rows' cluster (:mod:`unstuck.images.slicing`); empty without
        an image column."""
        problem = self.problem
        images = problem.mode == "data" and problem.image_column is not None and not problem.text_columns
        space = self.embedding_space if images else None  # with text columns, the space is the texts'
        if space is None:
            return {}
        from unstuck.images.slicing import describe_images

        with self.timed("image_descriptions"):
            return describe_images(problem, space.vectors)

    def slice_rows(self, split: str, rows: pd.DataFrame) -> pd.DataFrame:
        """``rows`` of ``split`` (in ``problem.frames`` order) as the slice search reads them: the columns of
        :func:`slice_columns`, with a text column (one category per row, which no rule can use) replaced by
        its words and cluster (:attr:`text_descriptions`), and an image's pixels by its cluster
        (:attr:`image_descriptions`)."""
        import pandas as pd

        from unstuck.images.read import PIXEL_COLUMNS

        problem = self.problem
        described = self.text_descriptions.get(split, self.image_descriptions.get(split))
        if described is None or len(described) != len(rows):
            return rows[slice_columns(rows)]
        replaced = {*problem.text_columns, *(PIXEL_COLUMNS if problem.image_column is not None else ())}
        kept = [c for c in slice_columns(rows) if c not in replaced]
        extra = described[[c for c in described.columns if c not in kept]]
        return pd.concat([rows[kept].reset_index(drop=True), extra], axis=1)

    @cached_property
    def training_runs(self) -> tuple[Judgement, ...]:
        """Each training log read once for the training-curve checks; a rule that several of them
        consult (one verdict silences another) runs once and its finding is kept."""
        from unstuck.training_log.judge import judge_runs

        with self.timed("training_runs"):
            return judge_runs(self.problem)


def _align_proba(
    proba: NDArray[np.float64], model_classes: tuple[Any, ...], classes: tuple[Any, ...]
) -> NDArray[np.float64]:
    """Reorder probability columns to ``classes``; classes the model never saw get 0."""
    out = np.zeros((proba.shape[0], len(classes)), dtype=np.float64)
    position = {c: i for i, c in enumerate(model_classes)}
    for j, c in enumerate(classes):
        if c in position:
            out[:, j] = proba[:, position[c]]
    return out


def slice_columns(rows: pd.DataFrame) -> list[str]:
    """The columns slices are described with: every one but unstuck's own inputs (:data:`RESERVED_COLUMNS`)."""
    return [c for c in rows.columns if str(c) not in RESERVED_COLUMNS]
