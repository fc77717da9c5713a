"""How numbers are written for people: shares as percentages, differences as points, values in a metric's units.

One place for these, so that a report, a training-curve verdict and a plan write the same
number the same way (an error rate of 0.123 is ``12.3%`` everywhere, a difference of two
error rates ``4.1 points``). Renderers that show "nothing measured" (``—``, ``unknown``)
handle None themselves; these functions take numbers.
"""

from __future__ import annotations

__all__ = ["metric_gap", "metric_value", "percent", "points", "significant"]


def percent(share: float, digits: int = 1) -> str:
    """A share as a percentage to ``digits`` decimals: ``percent(0.1234) == "12.3%"``, ``percent(0.5, 0) == "50%"``."""
    # Python's own ``%`` format (scale by 100 in double precision, then fixed-point), so that the helper
    # writes exactly what an inline ``f"{share:.1%}"`` wrote, for numpy float32 shares too.
    return f"{share:.{digits}%}"


def points(difference: float, digits: int = 1, *, word: str = "points", signed: bool = False) -> str:
    """A difference of two shares in percentage points: ``points(0.041) == "4.1 points"``."""
    sign = "+" if signed else ""
    return f"{100 * difference:{sign}.{digits}f} {word}"


def significant(value: float, digits: int = 3, *, signed: bool = False) -> str:
    """A number to ``digits`` significant digits: ``significant(0.012345) == "0.0123"``."""
    sign = "+" if signed else ""
    return f"{value:{sign}.{digits}g}"


def metric_value(metric: str, value: float, digits: int = 3) -> str:
    """An error in its metric's units: a percentage for ``error_rate``, else ``digits`` significant digits."""
    return percent(value) if metric == "error_rate" else significant(value, digits)


def metric_gap(metric: str, value: float, digits: int = 3, *, word: str = "points", signed: bool = False) -> str:
    """A difference of errors: percentage points for ``error_rate``, else ``digits`` significant digits."""
    if abs(value) < GAP_RESIDUE:
        value = 0.0  # the residue of subtracting two nearly equal numbers, not a difference
    if metric == "error_rate":
        return points(value, word=word, signed=signed)
    return significant(value, digits, signed=signed)


#: A difference of errors smaller than this is floating-point residue (a flat forecast's "gain" of
#: 1e-16): no metric of a real model is measured to nine decimals, so it reads as zero.
GAP_RESIDUE = 1e-9
