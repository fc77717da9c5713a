"""Rules for a broken run: it diverged, or its pipeline is broken (learns nothing, or nothing that carries to dev).

============== =========================================================== ==================== ======================
kind           rule (on the median-smoothed curve unless said otherwise)    lever                bottleneck
============== =========================================================== ==================== ======================
divergence     a NaN/inf loss; or the loss rises ≥ 10× its first value, or   tune_learning_rate   training_instability
               ends ≥ 2× it; or it fell ≥ 10 %, then climbed back above
               its start and stayed there
pipeline_bug   the train loss rises from the start (minimum in the first    fix_pipeline         pipeline_bug
               10 %, ends ≥ 5 % above its start), or never falls by 2 %;
               or the smoothed dev metric stays at chance (1 − 1/k error
               with k classes, k read off the initial loss ≈ ln k when
               not given: critical) / never improves while train loss
               falls ≥ 20 %; or the smoothed dev loss stays within 2 % of
               ln k while the train loss falls ≥ 2 % and 3× as far
               (critical)
============== =========================================================== ==================== ======================
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.findings import Finding
from unstuck.training_log.numerics import FloatArray, fit_line, smooth, spearman, trend_min, value_at
from unstuck.training_log.run import Run, verdict
from unstuck.units import percent, significant

if TYPE_CHECKING:
    from unstuck.training_log.readers import TrainingLog

__all__ = ["at_chance", "classes_from_initial_loss", "divergence", "pipeline_train"]

EXPLODE_FACTOR = 10.0  # loss ≥ 10× its first value at any step: diverged
STAYS_UP_FACTOR = 2.0  # loss ending (mean of the last 3 points) ≥ 2× its first value: diverged
DIVERGE_MIN_DROP = 0.10  # "fell, then climbed back above its start" needs a fall of ≥ 10 % first
RISING_END = 0.05  # train loss ending ≥ 5 % above its start (minimum in the first 10 %): rising
FLAT_DROP = 0.02  # train loss never falling by 2 % of its start: not learning
CHANCE_MARGIN = 0.02  # best dev error within 2 points of chance (dev loss within 2 % of ln k): at chance
TRANSFER_RATIO = 3.0  # the train loss falling 3x as far below ln k as the dev loss: nothing carries to dev
INITIAL_LOSS_TOLERANCE = 0.05  # a first cross-entropy within 5 % of ln k reads as k classes


def divergence(run: Run) -> Finding | None:
    """The run diverged: judged on every raw value of the primary loss, then of the dev loss.

    A dev loss is judged without the "fell, then rose back" rule: a rising dev loss alone is
    overfitting, not divergence.
    """
    judged = [(run.primary, run.primary_name, True)]
    if run.train is not None and run.dev is not None:
        judged.append((run.dev, "dev loss", False))
    for (t, y), name, full in judged:
        found = _diverged(run, t, y, name, full=full)
        if found:
            return found
    return None


def _diverged(run: Run, t: FloatArray, y: FloatArray, name: str, *, full: bool = True) -> Finding | None:
    lever, bottleneck = "tune_learning_rate", "training_instability"
    remedy = "lower the learning rate, or add warm-up or gradient clipping"
    finite = np.isfinite(y)
    if not finite.all():
        i = int(np.argmin(finite))
        evidence: dict[str, Any] = {
            "series": name,
            "first_non_finite_step": float(t[i]),
            "non_finite_points": int((~finite).sum()),
            "last_finite_value": float(y[i - 1]) if i > 0 else None,
            "first_value": float(y[0]) if finite[0] else None,
        }
        _add_context(run, evidence, float(t[i]))
        before = f" (last finite value {significant(y[i - 1])} at {run.where(t[i - 1])})" if i > 0 else ""
        return verdict(
            "divergence",
            "critical",
            f"Training diverged: the {name} became NaN/inf at {run.where(t[i])}{before} — {remedy}",
            lever,
            bottleneck,
            evidence,
        )
    s = smooth(y)
    if (y > 0).all() and len(y) >= 2:
        peak = int(np.argmax(y))
        tail = float(np.mean(y[-min(3, len(y)) :]))
        if peak > 0 and (y[peak] >= EXPLODE_FACTOR * y[0] or tail >= STAYS_UP_FACTOR * y[0]):
            evidence = {
                "series": name,
                "first_value": float(y[0]),
                "peak_value": float(y[peak]),
                "peak_step": float(t[peak]),
                "factor": float(y[peak] / y[0]),
                "final_value": float(y[-1]),
                "rule": f"loss ≥ {EXPLODE_FACTOR:g}× its first value, or ending ≥ {STAYS_UP_FACTOR:g}× it",
            }
            _add_context(run, evidence, float(t[peak]))
            return verdict(
                "divergence",
                "critical",
                f"Training diverged: the {name} rose ×{y[peak] / y[0]:.3g} from {significant(y[0])} to "
                f"{significant(y[peak])} at {run.where(t[peak])} — {remedy}",
                lever,
                bottleneck,
                evidence,
            )
    i_min = int(np.argmin(s))
    drop = float(s[0] - s[i_min])
    if full and i_min > 0 and drop >= DIVERGE_MIN_DROP * abs(s[0]) and drop > 0:
        after = y[i_min:]
        peak = i_min + int(np.argmax(after))
        tail = float(np.mean(y[-min(3, len(y)) :]))
        if y[peak] >= s[0] and tail - s[i_min] >= 0.5 * drop:
            evidence = {
                "series": name,
                "first_value": float(s[0]),
                "min_value": float(s[i_min]),
                "min_step": float(t[i_min]),
                "peak_value": float(y[peak]),
                "peak_step": float(t[peak]),
                "final_value": float(y[-1]),
                "rule": "fell ≥ 10%, then rose back above its start and stayed there",
            }
            _add_context(run, evidence, float(t[peak]))
            return verdict(
                "divergence",
                "critical",
                f"Training diverged: the {name} fell to {significant(s[i_min])} at {run.where(t[i_min])}, then rose "
                f"to {significant(y[peak])} at {run.where(t[peak])}, above where it started ({significant(s[0])}) — "
                f"{remedy}",
                lever,
                bottleneck,
                evidence,
            )
    return None


def _add_context(run: Run, evidence: dict[str, Any], step: float) -> None:
    """Learning rate and gradient norm around ``step``, when logged."""
    lr = run.lr_at(step)
    if lr is not None:
        evidence["lr_at_step"] = lr
    if run.log.has("grad_norm"):
        t, g = run.log.series("grad_norm")
        finite = np.isfinite(g)
        if finite.any():
            evidence["grad_norm_median"] = float(np.median(g[finite]))
            evidence["grad_norm_at_step"] = value_at(t[finite], g[finite], step)


def pipeline_train(run: Run) -> Finding | None:
    """The train loss rises from the start, or never falls: the model learns nothing from its inputs."""
    if run.dense_train is None:
        return None
    (t, y), name = run.dense_primary, run.primary_name
    if len(y) < 4:
        return None
    s = smooth(y)
    scale = abs(float(s[0])) or 1.0
    i_min = int(np.argmin(s))
    drop = float(s[0] - s.min())
    early = i_min <= max(1, int(0.1 * len(y)))
    rho = spearman(t, y)
    hint = (
        "suspect the pipeline (labels shuffled or misaligned, a wrong sign or loss, inputs not normalised), "
        "or a learning rate so high that the first steps overshoot"
    )
    if early and s[-1] >= s[0] + RISING_END * scale and rho > 0.5:
        return verdict(
            "pipeline_bug",
            "warning",
            f"The {name} rises from the start ({significant(s[0])} → {significant(s[-1])} at {run.where(t[-1])}, "
            f"rank correlation with {run.unit} {rho:+.2f}): {hint}",
            "fix_pipeline",
            "pipeline_bug",
            {"series": name, "first_value": float(s[0]), "final_value": float(s[-1]), "spearman": rho},
        )
    slope, _, _ = fit_line(t, y)
    fitted_change = slope * float(t[-1] - t[0])
    if drop < FLAT_DROP * scale or -fitted_change < FLAT_DROP * scale:
        return verdict(
            "pipeline_bug",
            "warning",
            f"The {name} does not fall: a straight-line fit changes it by {significant(fitted_change)} over the run, "
            f"less than {percent(FLAT_DROP, 0)} of its start ({significant(s[0])}): the model learns nothing; {hint}",
            "fix_pipeline",
            "pipeline_bug",
            {
                "series": name,
                "first_value": float(s[0]),
                "min_value": float(s.min()),
                "fitted_change": fitted_change,
                "relative_drop": drop / scale,
            },
        )
    return None


def at_chance(run: Run) -> Finding | None:
    """The dev error never beats chance (or never improves while the train loss falls); or the dev
    loss never leaves that of a uniform guess while the train loss falls."""
    return _error_at_chance(run) or _dev_loss_at_uniform(run)


def _dev_loss_at_uniform(run: Run) -> Finding | None:
    """The smoothed dev cross-entropy stays within :data:`CHANCE_MARGIN` (relative) of ln k, the loss
    of a uniform guess over k classes, while the train loss falls :data:`TRANSFER_RATIO` times as far.

    The loss is a better witness of a dead model than the accuracy: every dev row contributes a
    graded value, so its evaluation noise is far smaller than that of a 0/1 error on the same rows
    (a dead model's dev accuracy wanders between 6 % and 22 % on 10 balanced classes while its dev
    loss stays within 0.5 % of ln 10). A model that has learnt anything that carries to dev lowers
    its dev loss below the uniform guess's; one whose train loss falls while its dev loss does not
    learns only what does not carry: labels misaligned with inputs, or a different preprocessing
    for dev. A run that is merely slow lowers both together, and is left to the progress rules.
    """
    if run.metric != "error_rate" or run.dev is None or run.dense_train is None or len(run.dev[1]) < 3:
        return None
    n_classes, inferred = run.n_classes, False
    if not n_classes:
        n_classes = classes_from_initial_loss(run.log)
        inferred = n_classes is not None
    if not n_classes or n_classes < 2:
        return None
    uniform = math.log(n_classes)
    dev_best, train_best = trend_min(run.dev[1]), trend_min(run.dense_train[1])
    dev_gain, train_gain = (uniform - dev_best) / uniform, (uniform - train_best) / uniform
    if dev_gain > CHANCE_MARGIN or train_gain < FLAT_DROP or train_gain < TRANSFER_RATIO * max(dev_gain, 0.0):
        return None
    how = " (classes inferred from the initial loss, ln k)" if inferred else ""
    return verdict(
        "pipeline_bug",
        "critical",
        f"The dev loss never leaves that of a uniform guess: best {dev_best:.3g} on the smoothed curve vs "
        f"ln {n_classes} = {uniform:.3g}{how}, while the train loss falls to {train_best:.3g}: the model learns "
        "something on train that carries nothing to dev; suspect the pipeline (labels misaligned with the "
        "inputs, preprocessing that differs between train and dev)",
        "fix_pipeline",
        "pipeline_bug",
        {
            "best_dev_loss": dev_best,
            "best_train_loss": train_best,
            "uniform_loss": uniform,
            "n_classes": n_classes,
            "classes_inferred": inferred,
        },
    )


def _error_at_chance(run: Run) -> Finding | None:
    """The dev error never beats chance (or never improves while the train loss falls)."""
    dev_err, train, n_classes = run.dev_err, run.dense_train, run.n_classes
    if dev_err is None or run.metric != "error_rate" or len(dev_err[1]) < 3:
        return None
    _, err, column = dev_err
    # The smoothed curve's best, not one lucky evaluation's: a dead model's dev error wanders around
    # chance, and its minimum over many evaluations dips below chance by the evaluation noise alone.
    best = trend_min(err)
    hint = "suspect the pipeline (dev labels misaligned, preprocessing differs between train and dev)"
    inferred = False
    if not n_classes:
        n_classes = classes_from_initial_loss(run.log)
        inferred = n_classes is not None
    if n_classes and n_classes >= 2:
        chance = 1.0 - 1.0 / n_classes
        if best >= chance - CHANCE_MARGIN:
            how = " (classes inferred from the initial loss, ln k)" if inferred else ""
            return verdict(
                "pipeline_bug",
                "critical",
                f"The dev error never beats chance: best {run.fmt_metric(best)} on the smoothed curve (from {column}) "
                f"vs {run.fmt_metric(chance)} for {n_classes} classes{how}: the model has learnt nothing that "
                f"carries to dev; {hint}",
                "fix_pipeline",
                "pipeline_bug",
                {
                    "best_dev_error": best,
                    "lowest_single_dev_error": float(np.min(err)),
                    "chance_error": chance,
                    "n_classes": n_classes,
                    "classes_inferred": inferred,
                    "column": column,
                },
            )
        return None
    if train is not None:
        ty = smooth(train[1])
        train_drop = float((ty[0] - ty.min()) / abs(ty[0])) if ty[0] else 0.0
        improvement = float(err[0] - best)
        if train_drop >= 0.2 and improvement < 0.01:
            return verdict(
                "pipeline_bug",
                "warning",
                f"The dev error never improves ({run.fmt_metric(float(err[0]))} at first, best "
                f"{run.fmt_metric(best)}) while the train loss falls {percent(train_drop, 0)}: {hint}",
                "fix_pipeline",
                "pipeline_bug",
                {"first_dev_error": float(err[0]), "best_dev_error": best, "train_loss_relative_drop": train_drop},
            )
    return None


def classes_from_initial_loss(log: TrainingLog) -> int | None:
    """Number of classes k read off a cross-entropy curve's first value (≈ ln k at initialisation).

    A freshly initialised classifier spreads its probability evenly, so its cross-entropy starts
    near ln k: a standard sanity check of deep-learning training. Only a first loss within
    :data:`INITIAL_LOSS_TOLERANCE` of ln k for an integer k from 2 to 1000 is read this way.
    """
    for name in ("dev_loss", "train_loss"):
        if log.has(name):
            first = float(log.series(name)[1][0])
            if not math.isfinite(first) or first <= 0.0:
                continue
            k = round(math.exp(first))
            if 2 <= k <= 1000 and abs(first - math.log(k)) <= INITIAL_LOSS_TOLERANCE * math.log(k):
                return int(k)
    return None
