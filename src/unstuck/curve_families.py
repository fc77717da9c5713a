"""The learning-curve families of :mod:`unstuck.curves`: each ``a + b · g(s; φ)``, and their least-squares fit.

The module docstring of :mod:`unstuck.curves` says what each family is and how one
is chosen; this module holds their formulas (:data:`FAMILIES`), the ensemble of
three of them, and the fit of one family's parameters (a grid search over φ with
``a``, ``b`` solved exactly, then a bounded least-squares polish).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "ALL_FAMILIES",
    "ENSEMBLE",
    "FAMILIES",
    "INF",
    "Family",
    "evaluate",
    "fit_family",
    "fit_params",
    "linear_fit",
    "n_params",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Family:
    """A family ``a + b · g(s; φ)``: linear in the asymptote ``a`` and amplitude ``b`` ≥ 0.

    ``basis(s, phi)`` gives ``g`` for a batch of φ: ``s`` shape (k,), ``phi`` shape (G, p) → (G, k).
    ``grid`` is the (G, p) grid of φ searched before a local refinement within ``bounds``.
    ``zero_asymptote`` fixes ``a = 0`` (pow2); ``has_asymptote`` is False for log2.
    """

    name: str
    basis: Callable[[FloatArray, FloatArray], FloatArray]
    grid: FloatArray
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    zero_asymptote: bool = False
    has_asymptote: bool = True

    @property
    def n_params(self) -> int:
        return (1 if self.zero_asymptote else 2) + int(self.grid.shape[1])

    def function(self, s: FloatArray, theta: FloatArray) -> FloatArray:
        """The curve at ``s`` for parameters ``theta = (a, b, *φ)``."""
        phi = np.asarray(theta[2:], dtype=np.float64).reshape(1, -1)
        points = np.asarray(s, dtype=np.float64)
        values = theta[0] + theta[1] * self.basis(points.ravel(), phi)[0]
        return np.asarray(values, dtype=np.float64).reshape(points.shape)


INF = np.inf


def grid_of(*axes: FloatArray) -> FloatArray:
    if not axes:
        return np.zeros((1, 0))
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=1)


def finite_or_zero(values: FloatArray) -> FloatArray:
    return np.where(np.isfinite(values), values, 0.0)


EXPONENTS = np.geomspace(0.01, 5.0, 60)

FAMILIES: dict[str, Family] = {
    "pow2": Family(
        "pow2", lambda s, p: s[None, :] ** -p[:, :1], grid_of(EXPONENTS), (0.0,), (8.0,), zero_asymptote=True
    ),
    "pow3": Family("pow3", lambda s, p: s[None, :] ** -p[:, :1], grid_of(EXPONENTS), (0.0,), (8.0,)),
    "pow4": Family(
        "pow4",
        lambda s, p: (s[None, :] + p[:, 1:2]) ** -p[:, :1],
        grid_of(np.geomspace(0.01, 6.0, 30), np.concatenate([[0.0], np.geomspace(1e-4, 3.0, 14)])),
        (0.0, 0.0),
        (10.0, 10.0),
    ),
    "exp3": Family(
        "exp3", lambda s, p: np.exp(-p[:, :1] * s[None, :]), grid_of(np.geomspace(0.1, 3000.0, 60)), (0.0,), (1e5,)
    ),
    "log2": Family(
        "log2",
        lambda s, p: np.broadcast_to(-np.log(s)[None, :], (p.shape[0], s.size)),
        grid_of(),
        (),
        (),
        has_asymptote=False,
    ),
    "mmf4": Family(
        "mmf4",
        lambda s, p: 1.0 / (1.0 + s[None, :] ** p[:, 1:2] / p[:, :1]),
        grid_of(np.geomspace(1e-4, 100.0, 25), np.geomspace(0.05, 4.0, 15)),
        (1e-9, 0.01),
        (1e6, 6.0),
    ),
    "wbl4": Family(
        "wbl4",
        lambda s, p: np.exp(-p[:, :1] * s[None, :] ** p[:, 1:2]),
        grid_of(np.geomspace(0.1, 3000.0, 25), np.geomspace(0.05, 3.0, 15)),
        (0.0, 0.01),
        (1e5, 5.0),
    ),
}

#: The ensemble: the mean forecast of three simple families with different tails (a zero
#: asymptote, a fitted asymptote, no asymptote), each fitted on its own.
ENSEMBLE: tuple[str, ...] = ("pow2", "pow3", "log2")
ALL_FAMILIES: tuple[str, ...] = ("last", *FAMILIES, "ensemble")


def n_params(name: str) -> int:
    """Free parameters of a family (the ensemble counts as its largest member)."""
    if name == "last":
        return 1
    if name == "ensemble":
        return max(FAMILIES[m].n_params for m in ENSEMBLE)
    return FAMILIES[name].n_params


def evaluate(name: str, s: FloatArray, theta: FloatArray, floor: float = -np.inf) -> FloatArray:
    """Family ``name`` at ``s`` (any shape) for parameters ``theta``; the ensemble's ``theta``
    is its members' ``(a, b, *φ)`` one after another, each member clipped at ``floor``
    before they are averaged (a log2 member must not drag the mean below zero error)."""
    s = np.asarray(s, dtype=np.float64)
    if name == "last":
        return np.full(s.shape, float(theta[0]))
    with np.errstate(all="ignore"):
        if name == "ensemble":
            parts, start = [], 0
            for member in ENSEMBLE:
                width = 2 + FAMILIES[member].grid.shape[1]
                parts.append(np.maximum(FAMILIES[member].function(s, theta[start : start + width]), floor))
                start += width
            return np.asarray(np.mean(parts, axis=0), dtype=np.float64)
        return np.asarray(FAMILIES[name].function(s, theta), dtype=np.float64)


def fit_params(
    name: str, s: FloatArray, y: FloatArray, w: FloatArray, floor: float, refine: bool = True
) -> FloatArray | None:
    """Parameters of family ``name`` fitted to (s, y) with weights w, or None if the fit failed."""
    if name == "last":
        return np.array([y[-1]], dtype=np.float64)
    if name == "ensemble":
        members = [fit_family(FAMILIES[m], s, y, w, floor, refine=refine) for m in ENSEMBLE]
        if any(m is None for m in members):
            return None
        return np.concatenate([m for m in members if m is not None])
    return fit_family(FAMILIES[name], s, y, w, floor, refine=refine)


def linear_fit(
    g: FloatArray, y: FloatArray, w: FloatArray, floor: float, zero_asymptote: bool
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Weighted least squares of ``y ≈ a + b·g`` for each row of ``g`` (G, k), with ``b ≥ 0``
    and ``a ≥ floor`` (or ``a = 0``). Returns (a, b, weighted SSE), each shape (G,)."""
    weights = w / w.sum()
    g = finite_or_zero(g)
    gg = (g * g) @ weights
    if zero_asymptote:
        a = np.zeros(g.shape[0])
        b = np.maximum(np.where(gg > 1e-300, ((g * y) @ weights) / np.maximum(gg, 1e-300), 0.0), 0.0)
    else:
        g_mean, y_mean = g @ weights, float(y @ weights)
        centred = g - g_mean[:, None]
        var = (centred * centred) @ weights
        cov = centred @ (weights * (y - y_mean))
        b = np.maximum(np.where(var > 1e-14, cov / np.maximum(var, 1e-300), 0.0), 0.0)
        a = y_mean - b * g_mean
        below = a < floor
        if np.any(below):
            b_floor = np.maximum(np.where(gg > 1e-300, (g @ (weights * (y - floor))) / np.maximum(gg, 1e-300), 0.0), 0)
            a = np.where(below, floor, a)
            b = np.where(below, b_floor, b)
    residual = y[None, :] - a[:, None] - b[:, None] * g
    return a, b, (residual * residual) @ w


def fit_family(
    family: Family, s: FloatArray, y: FloatArray, w: FloatArray, floor: float, refine: bool = True
) -> FloatArray | None:
    """Parameters ``(a, b, *φ)`` of ``family`` on (s, y) with weights w.

    A grid search over φ, with (a, b) solved exactly for each grid point, finds the
    global basin; ``refine`` then polishes all parameters with bounded least squares.
    """
    with np.errstate(all="ignore"):
        g = family.basis(s, family.grid)
        a, b, sse = linear_fit(g, y, w, floor, family.zero_asymptote)
    sse = np.where(np.isfinite(sse), sse, np.inf)
    best = int(np.argmin(sse))
    if not np.isfinite(sse[best]):
        return None
    theta = np.array([a[best], b[best], *family.grid[best]], dtype=np.float64)
    if not refine or family.grid.shape[1] == 0:
        return theta
    from scipy.optimize import least_squares

    root_w = np.sqrt(w / w.mean())
    fixed_a = family.zero_asymptote

    def residuals(free: FloatArray) -> FloatArray:
        full = np.concatenate([[0.0], free]) if fixed_a else free
        with np.errstate(all="ignore"):
            out = (family.function(s, full) - y) * root_w
        return np.where(np.isfinite(out), out, 1e3)

    lower = np.array(([] if fixed_a else [floor]) + [0.0, *family.lower])
    upper = np.array(([] if fixed_a else [np.inf]) + [np.inf, *family.upper])
    # least_squares needs a strictly feasible start: nudge parameters that sit on a finite bound
    x0 = np.array(theta[1:] if fixed_a else theta, dtype=np.float64)
    finite_low, finite_high = np.isfinite(lower), np.isfinite(upper)
    nudge = 1e-6
    x0 = np.where(finite_low & (x0 <= lower), lower + nudge, x0)
    x0 = np.where(finite_high & (x0 >= upper), upper - nudge, x0)
    try:
        result = least_squares(residuals, x0, bounds=(lower, upper), method="trf", max_nfev=60)
    except ValueError:
        return theta
    polished = np.concatenate([[0.0], result.x]) if fixed_a else result.x
    if 2 * float(result.cost) <= float(sse[best]) / w.mean():
        return np.asarray(polished, dtype=np.float64)
    return theta
