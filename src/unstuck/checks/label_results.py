"""The typed results of the label checks (``labels``, ``residual_outliers``): what they measured, per split.

They sit apart from :mod:`unstuck.checks.labels` so that the check's rules fit in one module under
600 lines; only that check imports them. Shares are of a split's rows (0–1); errors and gains are in
the report's metric units.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from unstuck.measured import ABSENT_WHEN_NONE

__all__ = [
    "ConfusedPair",
    "FlaggedLabel",
    "LabelTrust",
    "LabelsResult",
    "RefitWithoutFlagged",
    "ResidualOutlier",
    "ResidualOutliersResult",
    "SplitLabels",
    "TrainAgainstDev",
    "TwoFamilies",
]


@dataclass(frozen=True)
class ConfusedPair:
    """A given label and the label the model finds likelier instead (``likely``), with the share of the
    split's rows that cleanlab's estimated joint of given and true labels puts on that pair."""

    given: Any
    likely: Any
    share: float


@dataclass(frozen=True)
class FlaggedLabel:
    """A flagged row (its id, or its 0-based position in the split), its given label, the label the model
    finds likeliest, and cleanlab's label quality (0 = surely wrong, 1 = surely right)."""

    row: Any
    given: Any
    likely: Any
    quality: float


@dataclass(frozen=True)
class TrainAgainstDev:
    """The same fold models' error rate on train's own rows (out-of-fold) and on dev's rows, the rows and
    folds behind them, and whether train's or dev's is the higher one beyond noise."""

    out_of_fold_error: float
    fold_models_dev_error: float
    train_rows: int
    dev_rows: int
    folds: int
    train_worse: bool
    dev_worse: bool


@dataclass(frozen=True)
class TwoFamilies:
    """Train rows on which the best baseline and a second model family (``model``), each out-of-fold, both
    confidently name the same other label: how many, their share of train, the human-level error they are
    held against, and whether they exceed it beyond noise."""

    model: str
    rows: int
    share: float
    human_error: float
    beyond: bool


@dataclass(frozen=True)
class RefitWithoutFlagged:
    """The best baseline refitted on train without its flagged rows: dev error before and after, the gain
    (before − after) with its 95 % paired bootstrap interval, the rows left out and the train rows fitted."""

    dev_error: float
    dev_error_refit: float
    gain: float
    interval: tuple[float, float]
    rows_left_out: int
    train_rows: int


@dataclass(frozen=True)
class LabelTrust:
    """What speaks for a split's flags being wrong labels (``for``), the reasons against, and the dev-error
    gain of relabelling them (None when nothing measures one)."""

    support: tuple[str, ...] = field(metadata={"json": "for"})
    against: tuple[str, ...]
    gain: float | None


@dataclass(frozen=True, kw_only=True)
class SplitLabels:
    """cleanlab on one split of ``rows`` rows (``rows_judged`` of them carry one of the task's classes):
    the estimated share of wrong labels (``noise_rate``), the rows flagged and their share, the share of
    flagged rows on which the model is sure of another label (``confident_share``), the rows on which it
    is (``confidently_wrong``), the most confused label pairs and the flagged rows, lowest quality first.

    Where the split has predictions (dev, test): the model's errors, those on flagged rows, their share
    of the errors, and those errors as a share of the split's rows. For train, the evidence measured
    about its flags. ``trust`` is written for a split with flagged rows. Reports saved before the
    confidence measures existed have none."""

    rows: int
    noise_rate: float
    flagged: int
    flagged_share: float
    confident_share: float | None = field(default=None, metadata=ABSENT_WHEN_NONE)
    confidently_wrong: int | None = field(default=None, metadata=ABSENT_WHEN_NONE)
    rows_judged: int | None = field(default=None, metadata=ABSENT_WHEN_NONE)
    confused_pairs: tuple[ConfusedPair, ...]
    ranked: tuple[FlaggedLabel, ...]
    errors: int | None = field(default=None, metadata=ABSENT_WHEN_NONE)
    errors_on_flagged: int | None = field(default=None, metadata=ABSENT_WHEN_NONE)
    share_of_errors_on_flagged: float | None = field(default=None, metadata=ABSENT_WHEN_NONE)
    error_on_flagged_rows: float | None = field(default=None, metadata=ABSENT_WHEN_NONE)
    train_against_dev: TrainAgainstDev | None = field(default=None, metadata=ABSENT_WHEN_NONE)
    two_families: TwoFamilies | None = field(default=None, metadata=ABSENT_WHEN_NONE)
    refit_without_flagged: RefitWithoutFlagged | None = field(default=None, metadata=ABSENT_WHEN_NONE)
    trust: LabelTrust | None = field(default=None, metadata=ABSENT_WHEN_NONE)


@dataclass(frozen=True)
class LabelsResult:
    """The labels of each split judged (a split with too few rows of the task's classes is left out), and
    the largest dev-error gain of relabelling among splits whose flags nothing speaks against (None: none)."""

    splits: Mapping[str, SplitLabels]
    expected_gain: float | None


@dataclass(frozen=True)
class ResidualOutlier:
    """A train row (its id, or its 0-based position) with an extreme out-of-fold residual: its target and
    the residual's robust z-score (median absolute deviations, scaled to standard deviations)."""

    row: Any
    target: Any
    robust_z: float


@dataclass(frozen=True)
class ResidualOutliersResult:
    """Train's ``rows``, those whose out-of-fold residual is beyond ``threshold_robust_z`` robust standard
    deviations (``flagged``, and their share), and the flagged rows, most extreme first."""

    rows: int
    flagged: int
    flagged_share: float
    threshold_robust_z: float
    ranked: tuple[ResidualOutlier, ...]
