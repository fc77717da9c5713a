"""Does the model carry signal? Its dev error against the best constant prediction.

Every other verdict of a diagnosis reads a model's errors: the decomposition's gaps,
the label check's doubts, the learning curve's slope. A model that is no better than
predicting a constant (the majority class, the mean) makes all of them meaningless:
its "variance" is noise around a constant and its "confident mistakes" are not label
errors. So this comes first, and a model that fails it is a pipeline bug until shown
otherwise (labels misaligned with inputs, wrong preprocessing, wrong loss).

The comparison is paired (the same rows, bootstrap of per-row loss differences) and the
model carries signal when its gain over the constant is **beyond noise** (the lower end of
the 95% interval above zero) on the metric or, with probabilities, on a proper score
(Brier), which sees what the error rate hides on imbalanced classes. When neither shows it
(a rare class, few rows), data mode asks a permutation test, twice: the linear baseline's Brier
score against the same on train's labels shuffled (:class:`PermutationSignal`), scored on dev
after a fit on train and out of fold on train; either passing is signal (each errs by chance
1 time in 40; the two are needed because a shift of the class priors hides a real signal from
the first, and fits on four fifths of a small train can lose a weak one from the second).
The permutation test also decides, in data mode, whenever the best model shows no signal on
train-dev (carved, or out-of-fold: unseen rows labelled as train is), whatever dev shows. The
bootstrap holds the fitted model fixed, so it says this model beats the constant on these
rows, not that it learnt anything: a model fitted on labels unrelated to the features is a
random function of them, which on data with a strong signal lines up with that signal by
chance often enough (the more models are asked and the best picked on dev, the more often)
to beat the constant beyond the bootstrap's noise. A model that learnt from train's labels
shows it on train-dev too; one that did not is judged by fits on shuffled labels.
A test of the probabilities' ranking (AUC against 0.5) would not do: a model fitted on
shuffled labels is a random function of the features, and on clustered data (digits) a
random function already ranks some class's rows apart, so only fits on shuffled labels say
what "learnt nothing" looks like. Significance, not
size, decides: a weak model on a hard task (a survey where the answers barely predict the
outcome) is weak, not broken, and calling it a pipeline bug would be a confident wrong
verdict; how much of the possible gain it takes is reported beside (``material``: at least
:data:`~unstuck.decomposition.MATERIAL_SHARE_OF_DEV` of the constant's error above human
level, on the mean-loss scale) for people to read, not to decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from unstuck.decomposition import MATERIAL_SHARE_OF_DEV
from unstuck.metrics import Metric, bootstrap_means

__all__ = ["PermutationSignal", "Signal", "compare_to_constant", "constant_prediction"]

N_BOOT = 1000
LEVEL = 0.95
ROUNDING = 1e-9


@dataclass(frozen=True)
class Comparison:
    """The constant's loss minus the model's (positive: the model is better), on one measure."""

    measure: str
    model: float
    constant: float
    gain: float
    interval: tuple[float, float]
    needed: float

    @property
    def significant(self) -> bool:
        # above zero by more than float rounding: two identical predictions differ by ~1e-16
        return self.interval[0] > ROUNDING * max(1.0, abs(self.constant))

    @property
    def material(self) -> bool:
        return self.significant and self.gain >= self.needed

    def to_dict(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "model": self.model,
            "constant": self.constant,
            "gain": self.gain,
            "interval": list(self.interval),
            "needed": self.needed,
            "significant": self.significant,
            "material": self.material,
        }


@dataclass(frozen=True)
class PermutationSignal:
    """The linear baseline's Brier score (on dev, or out of fold on train) with train's labels as given,
    against the same on train's labels shuffled ``len(permuted)`` times: a permutation test of "it learnt
    something"."""

    brier: float
    permuted: tuple[float, ...]

    @property
    def p_value(self) -> float:
        """Share of fits (the real one counted) at least as good on dev as the real one."""
        return (1 + sum(b <= self.brier for b in self.permuted)) / (1 + len(self.permuted))

    @property
    def significant(self) -> bool:
        # p < 5% exactly: with 39 shuffles p = 2/40 is 0.05, and 1.0 - 0.95 is 0.05000000000000004 in
        # floating point, so a plain comparison let the real fit pass when one shuffle beat it too
        return self.p_value < (1.0 - LEVEL) - ROUNDING

    def to_dict(self) -> dict[str, Any]:
        return {
            "brier": self.brier,
            "permuted_median": float(np.median(self.permuted)),
            "permutations": len(self.permuted),
            "p_value": self.p_value,
            "significant": self.significant,
        }


@dataclass(frozen=True)
class Signal:
    """Whether the model beats the best constant prediction, on the split ``split``.

    ``works`` is True when the gain is beyond noise on the metric or, with probabilities,
    on the Brier score; where the permutation test was asked (see the module docstring), it decides.
    """

    split: str
    n: int
    constant: str
    on_metric: Comparison
    on_brier: Comparison | None
    #: The model judged, when it is not the one diagnosed (another baseline of the ladder); "" otherwise.
    model: str = ""
    #: The permutation test scored on dev (data mode, where nothing else is proof: see the module docstring).
    on_permutation: PermutationSignal | None = None
    #: The same test scored out of fold on train.
    on_permutation_train: PermutationSignal | None = None

    @property
    def works(self) -> bool:
        tests = [t for t in (self.on_permutation, self.on_permutation_train) if t is not None]
        if tests:
            # asked only where nothing else is proof (see the module docstring): they decide
            return any(t.significant for t in tests)
        return self.on_metric.significant or (self.on_brier is not None and self.on_brier.significant)

    def to_dict(self) -> dict[str, Any]:
        return {
            "split": self.split,
            "model": self.model,
            "n": self.n,
            "constant": self.constant,
            "works": self.works,
            "on_metric": self.on_metric.to_dict(),
            "on_brier": self.on_brier.to_dict() if self.on_brier is not None else None,
            "on_permutation": self.on_permutation.to_dict() if self.on_permutation is not None else None,
        } | (
            {"on_permutation_train": self.on_permutation_train.to_dict()}
            if self.on_permutation_train is not None
            else {}
        )


def constant_prediction(metric: Metric, reference: NDArray[Any]) -> tuple[Any, str]:
    """The best constant for ``metric`` learnt from ``reference`` labels, and how to say it.

    Majority class for error rate, median for MAE, mean for RMSE.
    """
    if metric.task == "classification":
        values, counts = np.unique(np.asarray(reference).astype(str), return_counts=True)
        original = {str(v): v for v in np.asarray(reference).tolist()}
        majority = original[str(values[int(np.argmax(counts))])]
        return majority, f"the majority class {majority!r}"
    numbers = np.asarray(reference, dtype=np.float64)
    if metric.name == "mae":
        value = float(np.median(numbers))
        return value, f"the median {value:.4g}"
    value = float(np.mean(numbers))
    return value, f"the mean {value:.4g}"


def compare_to_constant(
    metric: Metric,
    y_true: NDArray[Any],
    y_pred: NDArray[Any],
    *,
    reference: NDArray[Any],
    proba: NDArray[np.float64] | None = None,
    classes: tuple[Any, ...] = (),
    human: float | None = None,
    split: str = "dev",
    seed: int = 0,
    model: str = "",
) -> Signal:
    """Compare a model's predictions on one split with the best constant learnt from ``reference``.

    ``y_true``, ``y_pred``: shape (n,); ``proba``: shape (n, len(classes)) or None;
    ``reference``: the labels the constant is learnt from (train's when known).
    """
    constant, said = constant_prediction(metric, reference)
    flat = np.full(len(y_true), constant, dtype=object if metric.task == "classification" else np.float64)
    model_losses = metric.row_losses(y_true, y_pred)
    constant_losses = metric.row_losses(y_true, flat)
    constant_value = metric.from_losses(constant_losses)
    needed = MATERIAL_SHARE_OF_DEV * max(constant_value - (human or 0.0), 0.0)
    if metric.aggregate == "root_mean":
        # Materiality on the mean loss (MSE), where losses add up: a tenth of the possible MSE
        # gain (R² of 0.1 without a human level), expressed back in RMSE units.
        mse = float(np.mean(constant_losses))
        possible_mse = max(mse - (human or 0.0) ** 2, 0.0)
        needed = float(np.sqrt(mse) - np.sqrt(mse - MATERIAL_SHARE_OF_DEV * possible_mse))
    on_metric = _compare(
        metric.name,
        metric.from_losses(model_losses),
        constant_value,
        constant_losses - model_losses,
        needed,
        seed,
        root=metric.aggregate == "root_mean",
        constant_mean=float(np.mean(constant_losses)),
    )
    on_brier = None
    if proba is not None and classes:
        onehot = np.zeros_like(proba)
        position = {c: i for i, c in enumerate(classes)}
        known = np.array([v in position for v in np.asarray(y_true).tolist()])
        rows = np.flatnonzero(known)
        onehot[rows, [position[v] for v in np.asarray(y_true)[rows].tolist()]] = 1.0
        ref = np.asarray(reference).tolist()
        prior = np.array([ref.count(c) for c in classes], dtype=np.float64)
        prior = prior / prior.sum() if prior.sum() else np.full(len(classes), 1.0 / len(classes))
        model_brier = np.sum((proba - onehot) ** 2, axis=1)
        prior_brier = np.sum((prior[None, :] - onehot) ** 2, axis=1)
        on_brier = _compare(
            "brier",
            float(model_brier.mean()),
            float(prior_brier.mean()),
            prior_brier - model_brier,
            MATERIAL_SHARE_OF_DEV * float(prior_brier.mean()),
            seed + 1,
        )
    return Signal(split=split, n=len(y_true), constant=said, on_metric=on_metric, on_brier=on_brier, model=model)


def _compare(
    measure: str,
    model: float,
    constant: float,
    diff: NDArray[np.float64],
    needed: float,
    seed: int,
    *,
    root: bool = False,
    constant_mean: float = 0.0,
) -> Comparison:
    """Gain and interval of ``constant − model`` from the paired per-row loss differences ``diff``.

    For a root-mean metric (RMSE) the interval of the mean squared difference is mapped to the
    metric's own scale: the constant's RMSE minus the model's at each bound.
    """
    draws = bootstrap_means(diff, n_boot=N_BOOT, seed=seed)
    tail = (1.0 - LEVEL) / 2.0
    low, high = (float(v) for v in np.quantile(draws, [tail, 1.0 - tail]))
    if root:
        low = float(np.sqrt(constant_mean) - np.sqrt(max(constant_mean - low, 0.0)))
        high = float(np.sqrt(constant_mean) - np.sqrt(max(constant_mean - high, 0.0)))
    return Comparison(measure, model, constant, constant - model, (low, high), needed)
