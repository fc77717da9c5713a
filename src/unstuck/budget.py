"""How many model fits a diagnosis may spend: the ``quick``, ``standard`` and ``thorough`` budgets.

Most of a diagnosis's time goes into fitting the best baseline again and again: the
learning curve's subsets, the capacity and learning-rate sweeps, and the out-of-fold
predictions the label check reads. A budget says how many of those fits to spend, and
each budget states in words what it skips or thins compared with ``standard`` (the
default), so that the report says what was not measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from unstuck.errors import ConfigError

__all__ = ["BUDGETS", "DEFAULT_BUDGET", "Budget", "budget_named"]


@dataclass(frozen=True)
class Budget:
    """The fits a diagnosis may spend.

    ``curve_fits``: most fits of the data-size learning curve (below its full-size point,
    which is the baseline's own fit); ``curve_repeats``: most seeds per curve size;
    ``small_curve_fits``, ``small_curve_repeats``: the same below 1,000 training rows, where
    fits are cheap and one subset's error is mostly sampling noise;
    ``sweeps``: whether the capacity and learning-rate sweeps run; ``sweep_rows``: the
    training rows each sweep setting is fitted on; ``oof_folds``: folds of the out-of-fold
    predictions (None: 5, or 3 from 20,000 training rows on); ``refit_rows``: the training
    rows of the label check's refit without its flagged rows, a seeded sample fitted with and
    without them (None: all of train); ``thins``: what this budget skips, thins or adds
    compared with ``standard``, in words.
    """

    name: str
    curve_fits: int
    curve_repeats: int
    small_curve_fits: int
    small_curve_repeats: int
    sweeps: bool
    sweep_rows: int
    oof_folds: int | None
    refit_rows: int | None
    thins: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "thins": list(self.thins)}

    def note(self) -> str:
        """One line for the report's header."""
        if not self.thins:
            return f"budget {self.name}: every check at its usual size"
        return f"budget {self.name}: " + "; ".join(self.thins)


#: The label check's refit without its flagged rows compares two fits on a seeded sample of this
#: many training rows (with and without the flagged ones among them) rather than one fit on all
#: of train against the baseline: two fits on 20,000 rows cost less than one on 100,000, and at
#: 1M rows a fiftieth. Smaller trains are refitted whole against the baseline itself.
REFIT_ROWS = 20_000

BUDGETS: dict[str, Budget] = {
    "quick": Budget(
        name="quick",
        curve_fits=6,
        curve_repeats=1,
        small_curve_fits=6,
        small_curve_repeats=1,
        sweeps=False,
        sweep_rows=5_000,
        # Not thinned: out-of-fold models trained on half of train doubt more labels; with 2 folds
        # the quick budget named label noise at 100k rows where the standard one named variance.
        oof_folds=None,
        refit_rows=REFIT_ROWS,
        thins=(
            "no capacity or learning-rate sweeps",
            "learning curve from at most 6 fits, one seed per size",
        ),
    ),
    "standard": Budget(
        name="standard",
        curve_fits=16,
        curve_repeats=2,
        small_curve_fits=48,
        small_curve_repeats=8,
        sweeps=True,
        sweep_rows=5_000,
        oof_folds=None,
        refit_rows=REFIT_ROWS,
        thins=(),
    ),
    "thorough": Budget(
        name="thorough",
        curve_fits=32,
        curve_repeats=3,
        small_curve_fits=96,
        small_curve_repeats=16,
        sweeps=True,
        sweep_rows=20_000,
        oof_folds=5,
        refit_rows=None,
        thins=(
            "learning curve from up to 32 fits with up to three seeds per size (96 and 16 below 1,000 training rows)",
            "sweeps on up to 20,000 training rows",
            "out-of-fold predictions from 5 folds at any size",
            "the label check's refit without its flagged rows on all of train",
        ),
    ),
}

DEFAULT_BUDGET = "standard"


def budget_named(name: str) -> Budget:
    """The budget called ``name``; a :class:`ConfigError` naming the choices otherwise."""
    if name not in BUDGETS:
        raise ConfigError(
            f"Unknown budget '{name}'.",
            f"Choose one of {', '.join(BUDGETS)} (--budget standard is the default).",
        )
    return BUDGETS[name]
