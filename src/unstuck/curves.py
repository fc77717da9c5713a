"""Learning curves: fit error vs training-set size, forecast it, and say when not to trust it.

Pure numerics (numpy + scipy), usable without the rest of unstuck::

    from unstuck import curves
    fit = curves.fit(sizes, errors)            # sizes may repeat (one entry per seed)
    fit.family, fit.asymptote, fit.ill_behaved, fit.reason
    fit.predict([2 * n, 10 * n])               # forecast, shape (2,)
    fit.interval([2 * n], level=0.9)           # (low, high), bootstrap
    curves.size_for(fit, 0.05)                 # rows needed for 5 % error, or None

Families
--------
The families of the learning-curve literature (Mohr et al., *LCDB 1.0*, 2022),
written in ``s = n / n_ref`` (``n_ref`` the largest observed size) so that every
parameter is of order one; ``a`` or ``c`` is the asymptote, amplitudes are ≥ 0 and
exponents > 0, so every family is non-increasing in ``n``:

==========  ==========================================  =========
family      error(s)                                    asymptote
==========  ==========================================  =========
``last``    ``y_last`` (the last observed value)        y_last
``pow2``    ``b · s^-c``                                0
``pow3``    ``a + b · s^-c``                            a
``pow4``    ``a + b · (s + d)^-c``                      a
``exp3``    ``a + b · exp(-c · s)``                     a
``log2``    ``a − b · log s``                           none
``mmf4``    ``c + b / (1 + s^d / k)`` (Morgan-Mercer-Flodin)  c
``wbl4``    ``c + b · exp(-k · s^d)`` (Weibull)         c
``ensemble``  mean of ``pow2``, ``pow3``, ``log2``        none
==========  ==========================================  =========

Selection
---------
A family is chosen by how well it **extrapolates**, not by in-sample fit: each
family is fitted on the curve without its largest sizes and scored by the
mean absolute error of its forecast at those held-back sizes (1, 2 or 3 of
them for curves of under 6, 6–7 and 8 or more sizes); the best-scoring family is
then refitted on all points. A family is eligible only if every held-back fit
keeps at least one more point than it has parameters.

Held-back scores from a handful of noisy points are themselves noisy, so the
default model is the ``ensemble`` — the mean forecast of ``pow2``, ``pow3`` and
``log2`` (each fitted on its own, each clipped at the floor) — and a single
family replaces it only when its held-back error is under half the ensemble's
(:data:`PREFER_ENSEMBLE`; ``fit(prefer_ensemble=...)``). Among eleven candidate
methods (other bars, the ensemble always, the best-scoring family outright, single
families, the mean of pow3/pow4/mmf4/wbl4, inverse-error stacking, √n weights) this
rule scores best on forecasts 2–2.8× beyond shortened real curves of
``benchmarks/curve_accuracy.py``, a selection protocol that never sees its 8× test
targets; results and caveats in ``benchmarks/RESULTS.md``. With fewer than :data:`MIN_POINTS`
distinct sizes no family can be validated: the fit is ``last`` and flagged.

Uncertainty
-----------
``interval`` refits the chosen family on bootstrap replicates of the curve. When
some sizes were repeated, the repeats at each size are resampled with replacement,
and a size run once gets a normal draw with the spread of one run at the largest
repeated size; with no repeats at all, the (degrees-of-freedom scaled) residuals
of the fit are resampled and added back (a residual bootstrap). Family choice is
not re-done per replicate; instead, beyond the data the interval is widened by the
chosen family's held-back forecast error at the interval's level (the mean absolute
held-back error read as the scale of a normal error: 2.06 times it at 90 %), scaled
by the forecast's reach in log size (:meth:`CurveFit.model_error`), because a wrong
family, not noise, is what usually spoils a long extrapolation.

Ill-behaved curves
------------------
A curve is flagged (``ill_behaved``, with a ``reason``) when it has too few
distinct sizes, when error rises with more data beyond noise (``z`` = 3
standard errors of the two means), or when it dips and then rises at the end
(the lowest error is at an interior size and the last size is significantly above
it). The standard error of each mean comes from its repeats, pooled across sizes;
without repeats, from the second differences of neighbouring means (5 sizes or more)
or the residuals of the fit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from unstuck.curve_families import ALL_FAMILIES, FAMILIES, INF
from unstuck.curve_families import evaluate as _evaluate
from unstuck.curve_families import fit_params as _fit_model
from unstuck.curve_families import n_params as _n_params

__all__ = ["FAMILIES", "MIN_POINTS", "PREFER_ENSEMBLE", "CurveFit", "fit", "forecast_at", "size_for"]

FloatArray = NDArray[np.float64]

#: Distinct sizes needed to fit a family and validate its extrapolation on a held-back size.
MIN_POINTS = 4
#: z-score beyond which a rise of error with more data is not noise.
RISE_Z = 3.0
N_BOOT = 200
#: A single family replaces the ensemble only if its held-back error is under this share of the ensemble's.
PREFER_ENSEMBLE = 0.5


@dataclass(frozen=True)
class _Curve:
    """A curve aggregated per distinct size: sizes ascending, mean errors, repeats, weights."""

    sizes: FloatArray
    means: FloatArray
    counts: NDArray[np.int64]
    weights: FloatArray
    groups: tuple[FloatArray, ...]


def _aggregate(sizes: ArrayLike, errors: ArrayLike, weights: ArrayLike | None) -> _Curve:
    n = np.asarray(sizes, dtype=np.float64).ravel()
    y = np.asarray(errors, dtype=np.float64).ravel()
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype=np.float64).ravel()
    if not (n.shape == y.shape == w.shape):
        raise ValueError(f"sizes, errors and weights must have the same length, got {n.shape}, {y.shape}, {w.shape}")
    if n.size == 0:
        raise ValueError("a learning curve needs at least one point")
    if not (np.all(np.isfinite(n)) and np.all(np.isfinite(y)) and np.all(np.isfinite(w))):
        raise ValueError("sizes, errors and weights must be finite")
    if np.any(n <= 0):
        raise ValueError("training-set sizes must be positive")
    if np.any(w <= 0):
        raise ValueError("weights must be positive")
    unique = np.unique(n)
    groups = tuple(y[n == u] for u in unique)
    means = np.array([np.average(y[n == u], weights=w[n == u]) for u in unique])
    counts = np.array([g.size for g in groups], dtype=np.int64)
    total = np.array([w[n == u].sum() for u in unique])
    return _Curve(unique, means, counts, total, groups)


@dataclass(frozen=True, eq=False)
class CurveFit:
    """A fitted learning curve.

    Attributes
    ----------
    family:
        The chosen family (see the module docstring), e.g. ``"pow3"``.
    params:
        Its parameters, in ``s = n / size_ref`` units.
    size_ref:
        The largest observed size; ``s = n / size_ref``.
    asymptote:
        The error the family tends to with unlimited data (None for ``log2``, unbounded).
    ill_behaved, reason:
        Whether the curve should not be trusted for a forecast, and why (None if fine).
    sizes, errors, counts:
        The distinct observed sizes (ascending), the mean error at each and the number of repeats.
    scores:
        Per eligible family, the mean absolute error of its forecast at held-back sizes.
    noise:
        The estimated standard error of each mean error, shape like ``sizes``.
    floor:
        The lowest value the curve may take (0 for errors; None: unbounded).
    """

    family: str
    params: tuple[float, ...]
    size_ref: float
    asymptote: float | None
    ill_behaved: bool
    reason: str | None
    sizes: FloatArray
    errors: FloatArray
    counts: NDArray[np.int64]
    scores: dict[str, float]
    noise: FloatArray
    floor: float | None
    draws: FloatArray = field(repr=False)
    extrapolation_error: float = 0.0
    horizon: float = 0.0

    def predict(self, sizes: ArrayLike) -> FloatArray:
        """The forecast error at ``sizes`` (any shape), clipped at ``floor``."""
        return self._evaluate(np.asarray(self.params, dtype=np.float64), sizes)

    def _evaluate(self, theta: FloatArray, sizes: ArrayLike) -> FloatArray:
        n = np.asarray(sizes, dtype=np.float64)
        out = _evaluate(self.family, n / self.size_ref, theta, -np.inf if self.floor is None else self.floor)
        return out if self.floor is None else np.maximum(out, self.floor)

    def draws_at(self, sizes: ArrayLike) -> FloatArray:
        """Bootstrap forecasts at ``sizes``, shape (n_boot, len(sizes)).

        Replicates are refitted by the grid search alone (fast); their deviations from
        the grid fit of the observed curve are added to the polished fit, so the
        bootstrap distribution is centred on :meth:`predict`.
        """
        n = np.atleast_1d(np.asarray(sizes, dtype=np.float64))
        centre = self._evaluate(self.draws[0], n)
        point = self.predict(n)
        if self.draws.shape[0] < 2:  # fitted with n_boot=0: no uncertainty measured
            return point[None, :]
        out = np.stack([self._evaluate(theta, n) - centre + point for theta in self.draws[1:]])
        return out if self.floor is None else np.maximum(out, self.floor)

    def interval(self, sizes: ArrayLike, level: float = 0.9) -> tuple[FloatArray, FloatArray]:
        """Central ``level`` bootstrap interval of the forecast at ``sizes``: (low, high), each shape (len(sizes),)."""
        if not 0 < level < 1:
            raise ValueError(f"level must be in (0, 1), got {level}")
        tail = (1 - level) / 2
        low, high = np.quantile(self.draws_at(sizes), [tail, 1 - tail], axis=0)
        widen = self.model_error(sizes, level=level)
        low = low - widen if self.floor is None else np.maximum(low - widen, self.floor)
        return np.asarray(low, dtype=np.float64), np.asarray(high + widen, dtype=np.float64)

    def model_error(self, sizes: ArrayLike, level: float = 0.9) -> FloatArray:
        """Half-width added to the bootstrap interval beyond the data, at ``level``.

        The family's held-back forecast errors are taken as normal with mean absolute
        value ``extrapolation_error`` (so σ = √(π/2) × that mean), and the half-width is
        the ``level`` quantile of the absolute error, z × σ (2.06 × the mean absolute
        held-back error at 90 %), scaled by how far ``sizes`` reach beyond the largest
        observed size in units of the held-back horizon (log size). Zero within the data.
        (Subtracting the held-back points' own noise from that error made the interval
        narrower still: it covered 46 % of the 8× targets of ``benchmarks/curve_accuracy.py``'s
        fresh curves, against 79 % this way.)"""
        n = np.atleast_1d(np.asarray(sizes, dtype=np.float64))
        if not self.extrapolation_error or not self.horizon:
            return np.zeros(n.shape)
        reach = np.maximum(np.log(n / self.size_ref), 0.0) / self.horizon
        return np.asarray(_abs_quantile(level) * self.extrapolation_error * reach, dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able summary (for reports and plots)."""
        return {
            "family": self.family,
            "params": [float(p) for p in self.params],
            "size_ref": self.size_ref,
            "asymptote": self.asymptote,
            "ill_behaved": self.ill_behaved,
            "reason": self.reason,
            "sizes": [int(s) if float(s).is_integer() else float(s) for s in self.sizes],
            "errors": [float(e) for e in self.errors],
            "counts": [int(c) for c in self.counts],
            "noise": [float(v) for v in self.noise],
            "scores": {k: float(v) for k, v in self.scores.items()},
        }


def _abs_quantile(level: float) -> float:
    """The ``level`` quantile of |e| for a normal e, in units of the mean of |e|: z × √(π/2)."""
    return NormalDist().inv_cdf(0.5 + level / 2) * math.sqrt(math.pi / 2)


def _holdouts(k: int) -> tuple[int, ...]:
    """How many of the largest sizes to hold back, for a curve of k distinct sizes."""
    if k >= 8:
        return (1, 2, 3)
    if k >= 6:
        return (1, 2)
    return (1,)


def _score_families(curve: _Curve, floor: float, families: Sequence[str]) -> dict[str, float]:
    """Mean absolute forecast error of each eligible family at held-back largest sizes."""
    k = curve.sizes.size
    holdouts = _holdouts(k)
    scores: dict[str, float] = {}
    for name in families:
        n_params = _n_params(name)
        if k - max(holdouts) < max(n_params + 1, 2):
            continue  # needs a residual degree of freedom on every held-back fit
        errors = []
        for h in holdouts:
            keep = k - h
            s = curve.sizes[:keep] / curve.sizes[keep - 1]
            target_s = curve.sizes[keep:] / curve.sizes[keep - 1]
            theta = _fit_model(name, s, curve.means[:keep], curve.weights[:keep], floor)
            if theta is None:
                break
            forecast = np.maximum(_evaluate(name, target_s, theta, floor), floor)
            errors.extend(np.abs(forecast - curve.means[keep:]).tolist())
        else:
            if errors and np.all(np.isfinite(errors)):
                scores[name] = float(np.mean(errors))
    return scores


def _noise(curve: _Curve, residuals: FloatArray, n_params: int) -> FloatArray:
    """Standard error of each mean: from repeats (pooled) if any, else from fit residuals."""
    within = [(g.size - 1, float(np.var(g, ddof=1))) for g in curve.groups if g.size >= 2]
    if within:
        dof = sum(d for d, _ in within)
        pooled_sd = math.sqrt(sum(d * v for d, v in within) / dof)
        single = _single_sd(curve)
        return np.where(curve.counts >= 2, pooled_sd / np.sqrt(curve.counts), single)
    if curve.sizes.size >= 5:
        # No repeats: the noise of one point from second differences of neighbouring points
        # (var = 6 σ² for white noise), robust to one kink. A smooth curve's curvature
        # inflates it, which errs towards not flagging a curve.
        second = np.diff(curve.means, n=2)
        sd = float(np.median(np.abs(second))) / 0.6745 / math.sqrt(6.0)
    else:
        dof = max(curve.sizes.size - n_params, 1)
        sd = math.sqrt(float(np.sum(residuals**2)) / dof)
    return np.full(curve.sizes.shape, sd)


def _single_sd(curve: _Curve) -> float:
    """The spread of one run at the largest size that has repeats (noise shrinks with size),
    used for sizes run once; NaN when no size has repeats."""
    repeated = [g for g in curve.groups if g.size >= 2]
    return float(np.std(repeated[-1], ddof=1)) if repeated else math.nan


def _shape_problem(curve: _Curve, noise: FloatArray) -> str | None:
    """A reason the curve is ill-behaved (a rise beyond noise, a dip then a rise), or None."""
    y, n, k = curve.means, curve.sizes, curve.sizes.size
    floor_se = 1e-12
    low = int(np.argmin(y))
    if low < k - 1:
        rise = y[-1] - y[low]
        se = math.sqrt(noise[-1] ** 2 + noise[low] ** 2) + floor_se
        if rise > RISE_Z * se:
            return (
                f"dip then rise: error is lowest ({y[low]:.4g}) at n={n[low]:.0f} and rises to {y[-1]:.4g} "
                f"at n={n[-1]:.0f} ({rise / se:.1f} standard errors)"
            )
    for i in range(k - 1):
        for j in range(i + 1, k):
            rise = y[j] - y[i]
            se = math.sqrt(noise[i] ** 2 + noise[j] ** 2) + floor_se
            if rise > RISE_Z * se:
                return (
                    f"non-monotone beyond noise: error rises from {y[i]:.4g} at n={n[i]:.0f} to {y[j]:.4g} "
                    f"at n={n[j]:.0f} ({rise / se:.1f} standard errors)"
                )
    return None


def fit(
    sizes: ArrayLike,
    errors: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    families: Sequence[str] = ALL_FAMILIES,
    floor: float | None = 0.0,
    n_boot: int = N_BOOT,
    seed: int = 0,
    prefer_ensemble: float = PREFER_ENSEMBLE,
) -> CurveFit:
    """Fit a learning curve and choose its family by held-back extrapolation error.

    Parameters
    ----------
    sizes, errors:
        Shape (m,): training-set size and the error measured there. A size may
        appear several times (repeats with different seeds or subsets).
    weights:
        Shape (m,), positive: the weight of each point (default 1). Points of one
        size are averaged with these weights and the size's weight is their sum.
    families:
        Candidate families (default: all of ``ALL_FAMILIES``).
    floor:
        The lowest possible value (0 for error rates and losses; None when the
        curve is of a quantity without a lower bound, e.g. a negated accuracy).
    n_boot, seed:
        Bootstrap replicates behind :meth:`CurveFit.interval`, and their seed.
    prefer_ensemble:
        A single family replaces the ``ensemble`` only when its held-back error is under
        this share of the ensemble's (default :data:`PREFER_ENSEMBLE`); 0 keeps the ensemble
        whenever it can be scored, 1 takes the best-scoring candidate outright.
    """
    unknown = [f for f in families if f not in ALL_FAMILIES]
    if unknown:
        raise ValueError(f"unknown curve families {unknown}; choose from {ALL_FAMILIES}")
    if not 0.0 <= prefer_ensemble <= 1.0:
        raise ValueError(f"prefer_ensemble must be in [0, 1], got {prefer_ensemble}")
    curve = _aggregate(sizes, errors, weights)
    bound = -INF if floor is None else float(floor)
    k = curve.sizes.size
    ref = float(curve.sizes[-1])
    s = curve.sizes / ref
    scores: dict[str, float] = {}
    if k < MIN_POINTS:
        family = "last"
        reason: str | None = (
            f"too few points: {k} distinct size(s); at least {MIN_POINTS} are needed to fit a curve "
            "and check its extrapolation"
        )
    else:
        reason = None
        scores = _score_families(curve, bound, families)
        family = min(scores, key=lambda name: (scores[name], ALL_FAMILIES.index(name))) if scores else "last"
        if "ensemble" in scores and family != "ensemble" and scores[family] >= prefer_ensemble * scores["ensemble"]:
            family = "ensemble"  # a single family must extrapolate clearly better to replace the ensemble
    theta = _fit_all(family, s, curve, bound)
    if theta is None:  # the chosen family failed on all points: fall back to the last value
        family, theta = "last", np.array([curve.means[-1]])
    n_params = _n_params(family)
    with np.errstate(all="ignore"):
        fitted = _evaluate(family, s, theta, bound)
    residuals = curve.means - fitted
    noise = _noise(curve, residuals, n_params)
    if reason is None:
        reason = _shape_problem(curve, noise)
    draws = _bootstrap(family, theta, s, curve, bound, residuals, n_params, n_boot, seed)
    if family == "last":
        asymptote: float | None = float(theta[0])
    elif family == "ensemble" or not FAMILIES[family].has_asymptote:
        asymptote = None  # log2 (alone or in the ensemble) has no finite limit
    else:
        asymptote = float(theta[0])
    return CurveFit(
        family=family,
        params=tuple(float(t) for t in theta),
        size_ref=ref,
        asymptote=None if asymptote is None else max(asymptote, bound),
        ill_behaved=reason is not None,
        reason=reason,
        sizes=curve.sizes,
        errors=curve.means,
        counts=curve.counts,
        scores=scores,
        noise=noise,
        floor=floor,
        draws=draws,
        extrapolation_error=scores.get(family, 0.0),
        horizon=_horizon(curve.sizes) if scores else 0.0,
    )


def _horizon(sizes: FloatArray) -> float:
    """The mean log-size reach of the held-back forecasts that scored the families."""
    k = sizes.size
    return float(np.mean([math.log(sizes[-1] / sizes[k - 1 - h]) for h in _holdouts(k)]))


def _fit_all(
    family: str, s: FloatArray, curve: _Curve, floor: float, y: FloatArray | None = None, refine: bool = True
) -> FloatArray | None:
    values = curve.means if y is None else y
    return _fit_model(family, s, values, curve.weights, floor, refine=refine)


def _bootstrap(
    family: str,
    theta: FloatArray,
    s: FloatArray,
    curve: _Curve,
    floor: float,
    residuals: FloatArray,
    n_params: int,
    n_boot: int,
    seed: int,
) -> FloatArray:
    """Parameter draws, shape (n_boot + 1, n_params): first the grid fit of the observed curve,
    then one per replicate (resampled repeats, or resampled residuals)."""
    rng = np.random.default_rng(seed)
    k = curve.sizes.size
    fitted = curve.means - residuals
    by_repeats = any(g.size >= 2 for g in curve.groups)
    single = _single_sd(curve)
    scale = math.sqrt(k / max(k - n_params, 1))
    centre = _fit_all(family, s, curve, floor, refine=False)
    draws = [theta if centre is None else centre]
    for _ in range(n_boot):
        if by_repeats:
            y = np.array(
                [
                    rng.choice(g, size=g.size, replace=True).mean() if g.size >= 2 else g[0] + rng.normal(0, single)
                    for g in curve.groups
                ]
            )
        else:
            y = fitted + scale * rng.choice(residuals, size=k, replace=True)
        draw = _fit_all(family, s, curve, floor, y=y, refine=False)
        draws.append(theta if draw is None else draw)
    return np.array(draws, dtype=np.float64).reshape(n_boot + 1, -1)


def forecast_at(fit: CurveFit, n_train: float, *, level: float = 0.9) -> dict[str, Any]:
    """Forecasts at 1×, 2× and 10× ``n_train``, their ``level`` intervals, and the gain at 2× with its interval.

    The gain's interval comes from the same bootstrap draws at 1× and 2× (paired), so
    the uncertainty they share cancels. Values are in the units of the fitted errors;
    gains are positive when the error falls.
    """
    sizes = np.array([n_train, 2 * n_train, 10 * n_train], dtype=np.float64)
    point = fit.predict(sizes)
    low, high = fit.interval(sizes, level=level)
    draws = fit.draws_at(sizes)
    gain_draws = draws[:, 0] - draws[:, 1]
    tail = (1 - level) / 2
    gain_low, gain_high = (float(v) for v in np.quantile(gain_draws, [tail, 1 - tail]))
    return {
        "now": float(point[0]),
        "at_2x": float(point[1]),
        "at_10x": float(point[2]),
        "interval_2x": [float(low[1]), float(high[1])],
        "interval_10x": [float(low[2]), float(high[2])],
        "gain_2x": float(point[0] - point[1]),
        "gain_2x_interval": [gain_low, gain_high],
        "gain_10x": float(point[0] - point[2]),
        "level": level,
    }


def size_for(fit: CurveFit, target_error: float, *, max_size: float = 1e12) -> int | None:
    """The training-set size at which the fitted curve reaches ``target_error``.

    Returns None when the asymptote is at or above the target (more data of this
    kind will not get there) or when it would take more than ``max_size`` rows.
    The answer may be below the sizes observed when the target is already met.
    """
    if fit.asymptote is not None and fit.asymptote >= target_error:
        return None
    if float(fit.predict(max_size)) > target_error:
        return None
    low, high = 0.0, math.log(max_size)  # bisection on log n; the curve is non-increasing
    if float(fit.predict(1.0)) <= target_error:
        return 1
    for _ in range(200):
        mid = (low + high) / 2
        if float(fit.predict(math.exp(mid))) > target_error:
            low = mid
        else:
            high = mid
        if high - low < 1e-9:
            break
    size = math.ceil(math.exp(high))
    while size > 1 and float(fit.predict(size - 1)) <= target_error:
        size -= 1
    return size
