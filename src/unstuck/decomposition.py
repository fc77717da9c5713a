"""The error decomposition of the method (Nuts and Bolts of Applying Deep Learning).

From the errors on human level, train, train-dev, dev and test::

    avoidable bias = train     − human
    variance       = train-dev − train        (dev − train when there is no train-dev split)
    data mismatch  = dev       − train-dev
    dev overfit    = test      − dev

Each gap gets a bootstrap interval (the splits are independent samples, so the
interval is that of the difference of their bootstrap draws). A gap whose
interval reaches zero is **noise**, never a bottleneck. Among the real gaps,
those at least half as large as the largest are **dominant** (1/5/10 has both
bias 4 and variance 5 dominant; 1/2/6 only variance), and a gap under a tenth
of the dev error is too small to act on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from unstuck.metrics import ErrorEstimate, gap_interval

__all__ = ["COMPONENTS", "NEGATIVE", "VERDICTS", "Decomposition", "Gap", "decompose"]

COMPONENTS: tuple[str, ...] = ("avoidable_bias", "variance", "data_mismatch", "dev_overfit")

#: What the report can say of a gap (:meth:`Decomposition.verdict`).
VERDICTS: tuple[str, ...] = (
    "bottleneck",
    "real, smaller",
    "real, too small to act on",
    "negative beyond noise",
    "within noise",
)

#: What a gap below zero beyond noise means, per component.
NEGATIVE: dict[str, str] = {
    "avoidable_bias": "train error is below human-level error: no avoidable bias (the model fits train better than "
    "people label it, a sign that it memorises train)",
    "variance": "train-dev error is below train error: train-dev rows are easier than train's; check how it was drawn",
    "data_mismatch": "dev error is below train-dev error: dev rows are easier, or train's labels are noisier than "
    "dev's (see the label check)",
    "dev_overfit": "test error is below dev error: test rows are easier than dev's",
}

#: A material gap at least this share of the largest is dominant; under MATERIAL_SHARE_OF_DEV × dev it is too small.
DOMINANCE_RATIO = 0.5
MATERIAL_SHARE_OF_DEV = 0.1


@dataclass(frozen=True)
class Gap:
    """One component: ``upper − lower`` with its bootstrap interval."""

    name: str
    upper: str
    lower: str
    value: float
    interval: tuple[float, float]
    note: str = ""

    @property
    def significant(self) -> bool:
        """The whole interval lies above zero: the gap is not noise."""
        return self.interval[0] > 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "interval": list(self.interval),
            "between": [self.upper, self.lower],
            "significant": self.significant,
            "note": self.note,
        }


@dataclass(frozen=True)
class Decomposition:
    """All four components (None where not computable, with the reason in ``missing``)."""

    gaps: Mapping[str, Gap | None]
    missing: Mapping[str, str]
    dev_error: float | None

    def values(self) -> dict[str, float | None]:
        return {c: (g.value if (g := self.gaps.get(c)) is not None else None) for c in COMPONENTS}

    def material(self, gap: Gap) -> bool:
        """Significant, and at least a tenth of the dev error (when dev is known)."""
        if not gap.significant:
            return False
        if self.dev_error is None or self.dev_error <= 0:
            return True
        return gap.value >= MATERIAL_SHARE_OF_DEV * self.dev_error

    def dominant(self) -> tuple[str, ...]:
        """Material gaps at least half the size of the largest material gap, largest first."""
        real = [g for g in self.gaps.values() if g is not None and self.material(g)]
        if not real:
            return ()
        largest = max(g.value for g in real)
        chosen = sorted((g for g in real if g.value >= DOMINANCE_RATIO * largest), key=lambda g: -g.value)
        return tuple(g.name for g in chosen)

    def verdict(self, gap: Gap) -> str:
        """What the report says of ``gap``: one of :data:`VERDICTS`.

        A gap whose whole interval lies below zero is not "noise": the upper split is measurably
        better than the lower one, which each component explains differently (see ``NEGATIVE``).
        """
        if gap.name in self.dominant():
            return "bottleneck"
        if self.material(gap):
            return "real, smaller"
        if gap.significant:
            return "real, too small to act on"
        if gap.interval[1] < 0.0:
            return "negative beyond noise"
        return "within noise"

    def to_dict(self) -> dict[str, Any]:
        return {
            "components": {
                c: ({**g.to_dict(), "verdict": self.verdict(g)} if (g := self.gaps.get(c)) else None)
                for c in COMPONENTS
            },
            "missing": dict(self.missing),
            "dominant": list(self.dominant()),
        }


def decompose(
    errors: Mapping[str, ErrorEstimate],
    *,
    human: float | None,
    dev_from_train: bool = False,
    level: float = 0.95,
) -> Decomposition:
    """Compute the four gaps from per-split error estimates and a human-level error."""
    gaps: dict[str, Gap | None] = dict.fromkeys(COMPONENTS)
    missing: dict[str, str] = {}
    train, train_dev = errors.get("train"), errors.get("train_dev")
    dev, test = errors.get("dev"), errors.get("test")

    if train is not None and human is not None:
        gaps["avoidable_bias"] = Gap(
            "avoidable_bias",
            "train",
            "human",
            train.value - human,
            gap_interval(train, human, level),
        )
    elif human is None:
        missing["avoidable_bias"] = "human-level error unknown: pass --human-error"
    else:
        missing["avoidable_bias"] = "no train split"

    if train is not None and train_dev is not None:
        gaps["variance"] = Gap(
            "variance",
            "train_dev",
            "train",
            train_dev.value - train.value,
            gap_interval(train_dev, train, level),
        )
    elif train is not None and dev is not None:
        note = (
            "dev is drawn from the training distribution, so dev − train is variance"
            if dev_from_train
            else "no train-dev split: dev − train mixes variance and data mismatch"
        )
        gaps["variance"] = Gap(
            "variance",
            "dev",
            "train",
            dev.value - train.value,
            gap_interval(dev, train, level),
            note,
        )
    else:
        missing["variance"] = "needs train and train-dev (or dev) errors"

    if dev is not None and train_dev is not None:
        gaps["data_mismatch"] = Gap(
            "data_mismatch",
            "dev",
            "train_dev",
            dev.value - train_dev.value,
            gap_interval(dev, train_dev, level),
        )
    elif dev_from_train:
        missing["data_mismatch"] = "dev was carved from train, so there is no mismatch to measure"
    else:
        missing["data_mismatch"] = "needs a train-dev split: rows from the training distribution held out from training"

    if test is not None and dev is not None:
        gaps["dev_overfit"] = Gap("dev_overfit", "test", "dev", test.value - dev.value, gap_interval(test, dev, level))
    else:
        missing["dev_overfit"] = "needs both a dev and a test split (pass --test)"

    return Decomposition(gaps=gaps, missing=missing, dev_error=dev.value if dev is not None else None)
