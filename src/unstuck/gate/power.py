"""How many test rows a paired comparison needs to detect a given gain.

**McNemar (classification).** With ``ψ`` the share of discordant rows (one model right, the
other wrong) and ``δ`` the gain in error rate (the difference of the two discordant shares),
Connor's (1987) normal approximation gives::

    n = (z_{1−α/2} · √ψ + z_{power} · √(ψ − δ²))² / δ²

``ψ`` is measured on the test rows and is at least ``δ`` (a gain of δ needs at least that
many discordant rows).

**Paired bootstrap (regression).** The mean of per-row loss differences with standard
deviation ``σ`` is detected at gain ``Δ`` (in mean-loss units: squared error for RMSE) with
``n = ((z_{1−α/2} + z_{power}) · σ / Δ)²`` rows, the normal approximation the bootstrap
converges to.
"""

from __future__ import annotations

import math

__all__ = ["mcnemar_rows_needed", "paired_rows_needed"]


def _z(p: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(p))


def mcnemar_rows_needed(gain: float, discordant_share: float, *, alpha: float, power: float) -> int:
    """Rows for McNemar's test at two-sided level ``alpha`` to detect ``gain`` with probability ``power``."""
    if gain <= 0:
        raise ValueError("the gain to detect must be positive")
    psi = min(max(discordant_share, gain), 1.0)
    top = _z(1.0 - alpha / 2.0) * math.sqrt(psi) + _z(power) * math.sqrt(max(psi - gain * gain, 0.0))
    return math.ceil(top * top / (gain * gain))


def paired_rows_needed(gain: float, sd: float, *, alpha: float, power: float) -> int:
    """Rows for a paired test of mean loss differences (spread ``sd``) to detect ``gain`` (same units)."""
    if gain <= 0:
        raise ValueError("the gain to detect must be positive")
    return max(2, math.ceil(((_z(1.0 - alpha / 2.0) + _z(power)) * sd / gain) ** 2))
