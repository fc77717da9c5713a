"""Paired comparison of two models on the same rows: the gain, its interval, its test.

A paired test sees only the rows where the two models differ, so it detects a gain that an
unpaired comparison of two error rates would call noise. Classification uses McNemar's
exact test (a binomial test on the discordant rows: those only one model gets right);
regression a paired bootstrap of the per-row loss differences. The gain's interval is the
bootstrap interval of the mean loss difference, mapped to the metric's own scale for a
root-mean metric (RMSE) the way :mod:`unstuck.signal` maps its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from unstuck.metrics import Metric, bootstrap_means

__all__ = ["N_BOOT", "PairedComparison", "compare_paired"]

N_BOOT = 2000


@dataclass(frozen=True)
class PairedComparison:
    """Baseline minus candidate on the same ``n`` rows: a positive ``gain`` means the candidate is better.

    ``wins`` / ``losses``: rows only the candidate / only the baseline gets right (classification;
    None for regression). ``p_value``: two-sided test of no difference; ``p_worse``: one-sided
    test that the candidate is worse. ``loss_diff_sd``: standard deviation of the per-row
    loss differences (baseline − candidate, in mean-loss units), used for sample sizes.
    """

    n: int
    candidate: float
    baseline: float
    gain: float
    interval: tuple[float, float]
    level: float
    p_value: float
    p_worse: float
    wins: int | None
    losses: int | None
    loss_diff_sd: float
    baseline_mean_loss: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "candidate": self.candidate,
            "baseline": self.baseline,
            "gain": self.gain,
            "interval": list(self.interval),
            "level": self.level,
            "p_value": self.p_value,
            "p_worse": self.p_worse,
            "candidate_only_right": self.wins,
            "baseline_only_right": self.losses,
        }


def compare_paired(
    metric: Metric,
    y_true: NDArray[Any],
    candidate: NDArray[Any],
    baseline: NDArray[Any],
    *,
    level: float = 0.95,
    seed: int = 0,
) -> PairedComparison:
    """Compare ``candidate`` with ``baseline`` predictions (shape (n,) each) of ``y_true`` on the same rows."""
    from scipy.stats import binomtest

    cand_losses = metric.row_losses(y_true, candidate)
    base_losses = metric.row_losses(y_true, baseline)
    diff = base_losses - cand_losses
    n = int(diff.shape[0])
    if n == 0:
        raise ValueError("cannot compare models on zero rows")
    draws = bootstrap_means(diff, n_boot=N_BOOT, seed=seed)
    tail = (1.0 - level) / 2.0
    low, high = (float(v) for v in np.quantile(draws, [tail, 1.0 - tail]))
    base_mean = float(np.mean(base_losses))
    if metric.aggregate == "root_mean":
        low = float(np.sqrt(base_mean) - np.sqrt(max(base_mean - low, 0.0)))
        high = float(np.sqrt(base_mean) - np.sqrt(max(base_mean - high, 0.0)))
    wins = losses = None
    if metric.task == "classification":
        wins, losses = int(np.sum(diff > 0)), int(np.sum(diff < 0))
        discordant = wins + losses
        p_value = float(binomtest(wins, discordant, 0.5).pvalue) if discordant else 1.0
        p_worse = float(binomtest(losses, discordant, 0.5, alternative="greater").pvalue) if discordant else 1.0
    else:
        below = float(np.mean(draws <= 0.0))
        above = float(np.mean(draws >= 0.0))
        floor = 1.0 / N_BOOT
        p_value = min(1.0, max(2.0 * min(below, above), floor))
        p_worse = max(below, floor)
    cand_value = metric.from_losses(cand_losses)
    base_value = metric.from_losses(base_losses)
    return PairedComparison(
        n=n,
        candidate=cand_value,
        baseline=base_value,
        gain=base_value - cand_value,
        interval=(low, high),
        level=level,
        p_value=p_value,
        p_worse=p_worse,
        wins=wins,
        losses=losses,
        loss_diff_sd=float(np.std(diff, ddof=1)) if n > 1 else 0.0,
        baseline_mean_loss=base_mean,
    )
