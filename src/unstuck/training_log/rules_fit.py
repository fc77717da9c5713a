"""Rules for how well a run fits: unstable, overfitting, learning rate too low, underfitting.

============== =========================================================== ==================== ======================
kind           rule (on the median-smoothed curve unless said otherwise)    lever                bottleneck
============== =========================================================== ==================== ======================
instability    on the curve block-averaged to ~100 points (a loss logged    tune_learning_rate   training_instability
               every step is a minibatch's: its noise is sampling, not
               instability): ≥ 2 spikes (≥ 50 % above the trend and ≥ 5 %
               of the total drop), or relative noise around the trend ≥ 25 %;
               or, on the train loss averaged per epoch, a climb back
               above its best so far by ≥ 10 % of the run's whole drop on
               two evaluations in a row (beyond 3× the epoch means' noise
               where the log shows it)
overfitting    dev loss reaches its minimum, then rises by more than 2 %    regularize           variance
               of it and 3× its noise, with a rising trend, while train
               loss keeps falling; expected gain = the larger of what early
               stopping recovers (dev error at the end − at the best step)
               and the train–dev error gap at the end (what regularising
               can close at most)
lr_too_low     train loss declines near-linearly (R² ≥ 0.80) and does not   tune_learning_rate   avoidable_bias
               slow down (last-third slope ≥ 0.35 × first-third slope)
underfitting   train error plateaus more than 2 points (error rate) or      bigger_model         avoidable_bias
               10 % (regression) above the human-level error; expected
               gain = that gap
============== =========================================================== ==================== ======================
"""

from __future__ import annotations

from typing import Any

import numpy as np

from unstuck.findings import Finding
from unstuck.training_log.numerics import FloatArray, block_size, fit_line, mad, smooth, value_at, window
from unstuck.training_log.rules_progress import improving
from unstuck.training_log.run import Run, error_series, verdict
from unstuck.units import percent, significant

__all__ = ["instability", "lr_too_low", "overfitting", "underfitting"]

SPIKE_REL = 0.5  # a spike: raw loss ≥ 50 % above the trend ...
SPIKE_ABS = 0.05  # ... and ≥ 5 % of the total drop above it
MIN_SPIKES = 2
NOISE_REL = 0.25  # robust relative noise around the trend (second half)
OVERFIT_RISE = 0.02  # dev loss rising ≥ 2 % above its minimum ...
OVERFIT_NOISE = 3.0  # ... and ≥ 3× its noise
LINEAR_R2 = 0.80
LINEAR_SLOPE_RATIO = 0.35
UNDERFIT_GAP_ERROR_RATE = 0.02  # 2 points of error rate above human level
UNDERFIT_GAP_RELATIVE = 0.10  # regression: 10 % above human level


#: The train loss, averaged per epoch, climbing back this share of the run's whole drop above its best so far ...
REBOUND_SHARE = 0.10
#: ... on this many evaluations in a row, is an optimiser undoing its own progress.
REBOUND_POINTS = 2


def epoch_means(run: Run) -> tuple[FloatArray, FloatArray, FloatArray] | None:
    """The train loss averaged over each epoch: (steps, means, standard errors; NaN where unknown).

    Epochs are the stretches between dev evaluations when the train loss is logged at least twice
    as often, else the blocks of :func:`~unstuck.training_log.numerics.blocks`; a log with one point
    per epoch is already its epoch means (a Keras History's ``loss`` is the epoch's running mean),
    with no noise to read off it.
    """
    if run.train is None:
        return None
    t, y = run.train
    if run.dev is not None and len(t) >= 2 * len(run.dev[0]):
        group = np.searchsorted(run.dev[0], t, side="left")
    else:
        size, usable = block_size(len(y))
        if size < 2:
            return t, y, np.full(len(y), np.nan)
        t, y = t[:usable], y[:usable]
        group = np.arange(usable) // size
    steps, means, spreads, counts = [], [], [], []
    for g in np.unique(group):
        part = y[group == g]
        if len(part) >= 2 and np.isfinite(part).all():
            steps.append(float(t[group == g][-1]))
            means.append(float(part.mean()))
            spreads.append(float(part.std(ddof=1)))
            counts.append(len(part))
    # One epoch's few points say little about its own noise (two points can agree by chance): the
    # minibatch noise is read across the run, as the median of the epochs' spreads.
    spread = float(np.median(spreads)) if spreads else np.nan
    return np.array(steps), np.array(means), spread / np.sqrt(np.array(counts, dtype=np.float64))


def rebound(run: Run) -> dict[str, Any] | None:
    """Where the epoch-averaged train loss climbs back above its best so far, beyond noise and materially.

    A training loss averaged over an epoch is what the optimiser descends; with a step size it can
    handle it goes down, or flattens, and never climbs back by much: a plateau, overfitting (the
    dev loss rises, not the train loss) and minibatch noise (averaged away) all leave it near its
    best. An optimiser that undoes a tenth of the progress the whole run makes (the materiality
    share used throughout), on two evaluations in a row so that one bad epoch does not count,
    overshoots: the learning rate is too high for this model and batch. Where the epoch means come
    with their noise (many points per epoch), the climb must also pass 3× the noise of the
    difference, as the overfitting rule asks of the dev loss. Levels are read off the epoch means'
    running median of three (see below), so the best so far is a level the run held.
    """
    curve = epoch_means(run)
    if curve is None:
        return None
    t, y, se = curve
    if len(y) < REBOUND_POINTS + 2:
        return None
    from scipy.ndimage import median_filter

    # a running median of 3 keeps every climb that lasts two evaluations and drops a single lucky
    # low epoch, which would otherwise become the "best so far" that everything after climbs from
    y = np.asarray(median_filter(y, size=REBOUND_POINTS + 1, mode="nearest"), dtype=np.float64)
    drop = float(y[0] - y.min())
    if drop <= 0:
        return None
    for i in range(1, len(y) - REBOUND_POINTS + 1):
        best = int(np.argmin(y[:i]))
        window_ = slice(i, i + REBOUND_POINTS)
        climb = float(np.min(y[window_]) - y[best])
        noise = float(np.nanmax(np.sqrt(se[window_] ** 2 + se[best] ** 2))) if not np.isnan(se).all() else 0.0
        if climb >= REBOUND_SHARE * drop and climb >= OVERFIT_NOISE * noise:
            where = {"best_step": float(t[best]), "best": float(y[best]), "step": float(t[i])}
            return where | {"climb": climb, "drop": drop}
    return None


def instability(run: Run) -> Finding | None:
    """Spikes above the trend, or noise around it, on the block-averaged primary loss; or the
    epoch-averaged train loss climbing back above its best (:func:`rebound`)."""
    (t, y), name = run.dense_primary, run.primary_name
    n = len(y)
    climbed = rebound(run)
    if climbed is not None:
        return verdict(
            "instability",
            "warning",
            f"Unstable training: the train loss, averaged per epoch, climbs back from {significant(climbed['best'])} "
            f"at {run.where(climbed['best_step'])} by {significant(climbed['climb'])} at {run.where(climbed['step'])} "
            f"and on the next evaluation ({percent(climbed['climb'] / climbed['drop'], 0)} of the run's whole drop): "
            "the optimiser undoes its own progress — lower the learning rate (or add warm-up, gradient clipping, "
            "a larger batch)",
            "tune_learning_rate",
            "training_instability",
            {"series": "train loss", "rebound": climbed},
        )
    if n < 8:
        return None
    s = smooth(y)
    scale = max(float(s[0] - s.min()), 1e-12)
    floor = np.abs(s) + SPIKE_ABS * scale
    resid = y - s
    spikes = np.flatnonzero((resid >= SPIKE_REL * np.abs(s)) & (resid >= SPIKE_ABS * scale))
    half = slice(n // 2, n)
    noise = mad(resid[half] / floor[half])
    if len(spikes) < MIN_SPIKES and noise < NOISE_REL:
        return None
    shown = [{"step": float(t[i]), "value": float(y[i]), "trend": float(s[i])} for i in spikes[:5]]
    what = []
    if len(spikes) >= MIN_SPIKES:
        worst = max(spikes, key=lambda i: resid[i])
        what.append(
            f"{len(spikes)} spikes (worst {significant(y[worst])} vs a trend of {significant(s[worst])} at "
            f"{run.where(t[worst])})"
        )
    if noise >= NOISE_REL:
        what.append(f"step-to-step noise {percent(noise, 0)} of the trend in the second half")
    evidence = {"series": name, "spikes": len(spikes), "spike_examples": shown, "relative_noise": noise}
    if run.log.has("lr"):
        evidence["lr_last"] = float(run.log.series("lr")[1][-1])
    return verdict(
        "instability",
        "warning",
        f"Unstable training: the {name} shows {' and '.join(what)} — lower the learning rate (or add warm-up, "
        "gradient clipping, a larger batch)",
        "tune_learning_rate",
        "training_instability",
        evidence,
    )


def overfitting(run: Run) -> Finding | None:
    """The dev loss (else the dev error) turns up after its minimum while the train loss keeps falling."""
    train, dev_err = run.dense_train, run.dev_err
    dev = run.dev if run.dev is not None else (None if dev_err is None else (dev_err[0], dev_err[1]))
    if train is None or dev is None or len(dev[1]) < 6:
        return None
    td, yd = dev
    sd = smooth(yd)
    n = len(yd)
    # The best step: the raw minimum near the trend's minimum (a median filter flattens a sharp "V").
    around = int(np.argmin(sd))
    half = window(n) // 2
    low, high = max(0, around - half), min(n, around + half + 1)
    best = low + int(np.argmin(yd[low:high]))
    after = n - 1 - best
    if after < max(2, int(0.1 * n)):
        return None
    dev_min = float(min(sd[best], yd[best]))
    rise = float(sd[-1] - dev_min)
    noise = mad(yd - sd)
    if rise <= max(OVERFIT_NOISE * noise, OVERFIT_RISE * abs(dev_min)):
        return None
    slope, tstat, _ = fit_line(td[best:], yd[best:])
    if slope <= 0 or (after >= 4 and tstat < 2.0):
        return None
    tt, ty = train
    st = smooth(ty)
    train_at_best = value_at(tt, st, float(td[best]))
    train_end = float(st[-1])
    if not train_end < train_at_best - max(OVERFIT_NOISE * mad(ty - st), 0.02 * abs(train_at_best)):
        return None
    best_step = float(td[best])
    evidence: dict[str, Any] = {
        "best_step": best_step,
        "dev_loss_min": dev_min,
        "dev_loss_end": float(sd[-1]),
        "dev_loss_rise": rise,
        "train_loss_at_best": train_at_best,
        "train_loss_end": train_end,
        "gap_end": float(sd[-1] - train_end),
    }
    gain = None
    extra = ""
    if dev_err is not None:
        te, err, column = dev_err
        at_best = float(err[int(np.argmin(np.abs(te - best_step)))])
        end = float(err[-1])
        # Early stopping recovers at least this much; regularising can close at most the train–dev gap.
        gain = max(0.0, end - at_best)
        evidence.update(dev_error_at_best=at_best, dev_error_end=end, early_stopping_gain=gain, column=column)
        extra = f"; stopping there gives dev error {run.fmt_metric(at_best)} ({run.fmt_metric(end)} at the end)"
        train_err = error_series(run.log, "train", run.metric)
        if train_err is not None:
            gap = end - float(train_err[1][-1])
            evidence["train_dev_error_gap"] = gap
            gain = max(gain, gap)
            extra += f", and dev error is {run.fmt_gap(gap)} above train error"
    return verdict(
        "overfitting",
        "warning",
        f"Overfitting: the dev loss bottomed at {significant(dev_min)} at {run.where(best_step)} and rose to "
        f"{significant(sd[-1])} by the end while the train loss kept falling ({significant(train_at_best)} → "
        f"{significant(train_end)}){extra} — "
        "early-stop at the best step, then regularise",
        "regularize",
        "variance",
        evidence,
        gain,
    )


def lr_too_low(run: Run) -> Finding | None:
    """The train loss falls in a straight line that is not slowing down."""
    if run.dense_train is None:
        return None
    (t, y), name = run.dense_primary, run.primary_name
    n = len(y)
    if n < 6:
        return None
    s = smooth(y)
    slope, _, r2 = fit_line(t, y)
    third = max(2, n // 3)
    first, _, _ = fit_line(t[:third], s[:third]) if third >= 3 else (float((s[1] - s[0]) / (t[1] - t[0])), 0, 0)
    last, _, _ = fit_line(t[-third:], s[-third:]) if third >= 3 else (float((s[-1] - s[-2]) / (t[-1] - t[-2])), 0, 0)
    if slope >= 0 or r2 < LINEAR_R2 or first >= 0 or last / first < LINEAR_SLOPE_RATIO:
        return None
    drop = float((s[0] - s[-1]) / abs(s[0])) if s[0] else 0.0
    evidence: dict[str, Any] = {
        "series": name,
        "r2_linear": r2,
        "slope_first_third": first,
        "slope_last_third": last,
        "slope_ratio": last / first,
        "relative_drop": drop,
    }
    lr = run.lr_at(float(t[-1]))
    if lr is not None:
        evidence["lr"] = lr
    return verdict(
        "lr_too_low",
        "warning",
        f"Learning rate likely too low: the {name} falls in a near-straight line (R² {r2:.2f}, only "
        f"{percent(drop, 0)} in {n} points) and is not slowing down (last-third slope {last / first:.2f}× the first) — "
        "raise the learning rate (sweep ×3, ×10) before training longer",
        "tune_learning_rate",
        "avoidable_bias",
        evidence,
    )


def underfitting(run: Run) -> Finding | None:
    """The train error plateaus well above human level (judged only when human level is known)."""
    train_err, human_error = run.train_err, run.human_error
    if human_error is None:
        return None
    if train_err is None or len(train_err[1]) < 3:
        return None
    t, err, column = train_err
    k = max(3, len(err) // 10)
    level = float(np.mean(err[-k:]))
    gap = level - human_error
    threshold = UNDERFIT_GAP_ERROR_RATE if run.metric == "error_rate" else UNDERFIT_GAP_RELATIVE * human_error
    if gap <= threshold or improving(t, err) is not None:
        return None
    return verdict(
        "underfitting",
        "warning",
        f"Underfitting: the train error plateaus at {run.fmt_metric(level)} (last {k} points of {column}), "
        f"{run.fmt_gap(gap)} above human level ({run.fmt_metric(human_error)}) — a bigger model "
        "or another architecture",
        "bigger_model",
        "avoidable_bias",
        {"train_error_plateau": level, "human_error": human_error, "gap": gap, "column": column, "points": k},
        gap,
    )
