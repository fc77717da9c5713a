"""The noise-aware verdict: is the change between parent and child a real gain, a real loss, or noise?

Two sources of noise are measured, whichever the user has:

* **Repeated seeds** (two or more runs of each side): Welch's t interval for
  the difference of the mean metric (SciPy), which does not assume the two
  sides are equally noisy.
* **Dev predictions of both sides on the same rows**: a paired bootstrap of the
  per-row loss difference (sampling noise of the dev set).

The interval of the *gain* (the change in the hoped-for direction: the sign of
the expected delta, else lower-is-better for errors and losses) decides:
entirely above zero -> ``keep`` (the gain is real); entirely below zero ->
``discard`` (a real loss); straddling zero -> ``inconclusive`` (inside the
noise). With one run a side and no predictions there is no noise estimate, and
the verdict is ``inconclusive`` saying so. Observed is always set against
expected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from unstuck.ledger.record import Expectation, lower_is_better
from unstuck.units import percent

__all__ = ["Judgement", "judge", "judge_paired", "judge_seeds"]

LEVEL = 0.95


@dataclass(frozen=True)
class Judgement:
    """A verdict and how it was reached: observed vs expected, the gain's interval, the method, n per side.

    ``observed_delta`` is child minus parent in metric units; ``gain`` is the
    same change signed so that positive is the hoped-for direction;
    ``gain_interval`` its 95% interval (None without a noise estimate).
    """

    verdict: str
    metric: str
    method: str
    observed_delta: float
    gain: float
    gain_interval: tuple[float, float] | None
    expected_delta: float | None
    met_expectation: bool | None
    n_child: int
    n_parent: int
    reason: str
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "metric": self.metric,
            "method": self.method,
            "observed_delta": self.observed_delta,
            "gain": self.gain,
            "gain_interval": list(self.gain_interval) if self.gain_interval else None,
            "expected_delta": self.expected_delta,
            "met_expectation": self.met_expectation,
            "n_child": self.n_child,
            "n_parent": self.n_parent,
            "reason": self.reason,
            **self.extra,
        }


def _sign(metric: str, expectation: Expectation | None) -> float:
    """+1 when an increase is hoped for, -1 when a decrease is."""
    if expectation is not None and expectation.metric == metric and expectation.delta != 0:
        return 1.0 if expectation.delta > 0 else -1.0
    return -1.0 if lower_is_better(metric) else 1.0


def _decide(
    metric: str,
    method: str,
    delta: float,
    sign: float,
    interval: tuple[float, float] | None,
    expectation: Expectation | None,
    n_child: int,
    n_parent: int,
) -> Judgement:
    gain = sign * delta
    expected = expectation.delta if expectation is not None and expectation.metric == metric else None
    met = None if expected is None else bool(sign * delta >= abs(expected))
    if interval is None:
        verdict, reason = (
            "inconclusive",
            "one run per side: no noise estimate; repeat with more seeds (--seeds) to tell a gain from noise",
        )
    elif interval[0] > 0:
        verdict, reason = "keep", f"the gain is real: its {percent(LEVEL, 0)} interval lies above zero"
    elif interval[1] < 0:
        verdict, reason = "discard", f"a real loss: the gain's {percent(LEVEL, 0)} interval lies below zero"
    else:
        verdict, reason = "inconclusive", f"inside the noise: the gain's {percent(LEVEL, 0)} interval contains zero"
    return Judgement(verdict, metric, method, delta, gain, interval, expected, met, n_child, n_parent, reason)


def judge_seeds(
    child: Sequence[float], parent: Sequence[float], metric: str, expectation: Expectation | None = None
) -> Judgement:
    """Verdict from the metric of repeated runs (seeds) of child and parent.

    With at least two values a side, the gain's interval is Welch's t interval
    of the difference of means; otherwise there is no interval.
    """
    from scipy import stats

    c = np.asarray(child, dtype=np.float64)
    p = np.asarray(parent, dtype=np.float64)
    if c.size == 0 or p.size == 0:
        raise ValueError("judge_seeds needs at least one value per side")
    delta = float(c.mean() - p.mean())
    sign = _sign(metric, expectation)
    interval: tuple[float, float] | None = None
    method = "single runs"
    if c.size >= 2 and p.size >= 2:
        method = "Welch t over seeds"
        if float(np.var(c)) == 0.0 and float(np.var(p)) == 0.0:
            interval = (sign * delta, sign * delta)
        else:
            ci = stats.ttest_ind(c, p, equal_var=False).confidence_interval(LEVEL)
            lo, hi = sorted((sign * float(ci.low), sign * float(ci.high)))
            interval = (lo, hi)
    return _decide(metric, method, delta, sign, interval, expectation, int(c.size), int(p.size))


def judge_paired(
    child_losses: NDArray[np.float64],
    parent_losses: NDArray[np.float64],
    metric: str,
    expectation: Expectation | None = None,
    n_boot: int = 2000,
    seed: int = 0,
) -> Judgement:
    """Verdict from per-row dev losses of child and parent on the same rows (paired bootstrap).

    ``child_losses`` and ``parent_losses`` have shape (n_rows,); the metric is
    their mean (an error rate for 0/1 losses). The gain's interval is the
    percentile interval of ``n_boot`` bootstrap means of the per-row difference.
    """
    from unstuck.metrics import bootstrap_means

    c = np.asarray(child_losses, dtype=np.float64)
    p = np.asarray(parent_losses, dtype=np.float64)
    if c.shape != p.shape or c.ndim != 1 or c.size == 0:
        raise ValueError("judge_paired needs two non-empty loss vectors over the same rows")
    sign = _sign(metric, expectation)
    diff = c - p
    draws = sign * bootstrap_means(diff, n_boot=n_boot, seed=seed)
    tail = (1.0 - LEVEL) / 2.0
    lo, hi = np.quantile(draws, [tail, 1.0 - tail])
    judgement = _decide(
        metric,
        "paired bootstrap on dev rows",
        float(diff.mean()),
        sign,
        (float(lo), float(hi)),
        expectation,
        int(c.size),
        int(p.size),
    )
    return judgement


def judge(
    child: Sequence[float],
    parent: Sequence[float],
    metric: str,
    expectation: Expectation | None = None,
    child_losses: NDArray[np.float64] | None = None,
    parent_losses: NDArray[np.float64] | None = None,
) -> Judgement:
    """Seeds when both sides have two or more runs, else the paired bootstrap when both have dev losses."""
    if len(child) >= 2 and len(parent) >= 2:
        return judge_seeds(child, parent, metric, expectation)
    if child_losses is not None and parent_losses is not None and child_losses.shape == parent_losses.shape:
        return judge_paired(child_losses, parent_losses, metric, expectation)
    return judge_seeds(child, parent, metric, expectation)
