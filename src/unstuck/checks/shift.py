"""Train-vs-dev shift: a domain classifier and per-feature two-sample tests.

**Domain classifier.** LightGBM (100 trees of 15 leaves, learning rate 0.1, the baseline's preprocessing) learns
to tell train rows (label 0) from dev rows (label 1) on the features (id columns
left out), with 5-fold stratified cross-validation on at most 20,000 rows of each.
Its out-of-fold AUC is 0.5 when dev looks like train and 1.0 when every dev row is
recognisable; the 95 % interval uses the Hanley–McNeil standard error. The
features that drive it are ranked by LightGBM's split gain, summed over folds. The
classifier and the tests are :mod:`unstuck.shift`'s, which the production gate shares.

**Per-feature tests.** Kolmogorov–Smirnov for numeric columns, χ² on the level
counts (50 most frequent + other + missing) for the others, on at most 50,000 rows
per split; Benjamini–Hochberg controls the false discovery rate at 5 % over all
features.

Shift is a warning (lever ``reduce_mismatch``, bottleneck ``data_mismatch``) when
the AUC's lower bound reaches 0.6. The decomposition's data-mismatch gap (train-dev
→ dev error) is put beside it as a cross-check: a shift that does not raise the dev
error is harmless to this model; that gap, when positive, is the expected gain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from unstuck.data.frames import id_columns, user_splits
from unstuck.measured import from_json
from unstuck.registry import CheckResult, SkipCheck, check, shows
from unstuck.shift import FOLDS, WARN_AUC_LOW, domain_classifier, shift_finding, two_sample_p
from unstuck.units import percent
from unstuck.view import MAX_ROWS, Table, cell_text, pct

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.context import Context
    from unstuck.findings import Report
    from unstuck.problem import Problem

MAX_ROWS_CLASSIFIER = 20_000
MAX_ROWS_TESTS = 50_000
FDR = 0.05
TOP = 10


def _sample(frame: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    return frame if len(frame) <= n else frame.sample(n, random_state=seed)


@dataclass(frozen=True)
class FeatureShift:
    """One feature, train against dev: the two-sample test and its statistic, p- and BH q-value (None when
    the test is undefined), and its share of the domain classifier's gain."""

    column: Any
    test: str
    statistic: float | None
    p_value: float | None
    q_value: float | None
    gain_share: float | None = None


@dataclass(frozen=True)
class MismatchGap:
    """The decomposition's data-mismatch gap (metric units), its 95 % interval, and whether it is above zero."""

    value: float
    interval: tuple[float, float]
    significant: bool


@dataclass(frozen=True)
class ShiftResult:
    """Train vs dev: rows compared, the domain classifier's AUC with its 95 % interval, the features that
    drive it most, how many of those tested differ (BH), and the data-mismatch gap where it is measured."""

    rows: Mapping[str, int]
    auc: float
    auc_interval: tuple[float, float]
    features: tuple[FeatureShift, ...]
    shifted_features: int
    features_tested: int
    data_mismatch: MismatchGap | None


@check(
    "shift",
    requires=("data", "dev"),
    description="train-vs-dev shift: a domain classifier's AUC and per-feature two-sample tests",
    tags=("data",),
    result=ShiftResult,
)
def shift(problem: Problem, ctx: Context) -> CheckResult:
    from scipy.stats import false_discovery_control

    if problem.dev_from_train:
        raise SkipCheck("dev was carved at random from train, so it cannot differ from it")
    splits = user_splits(problem)
    train, dev = splits["train"], splits["dev"]
    ids = set(id_columns(problem, train))
    # A text column is one category per row here; embedding_shift judges texts in embedding space.
    columns = [c for c in problem.features if c not in ids and c not in problem.text_columns]
    if not columns:
        raise SkipCheck(
            "no feature columns besides identifiers and texts; embedding_shift compares the texts"
            if problem.text_columns
            else "no feature columns besides identifiers"
        )
    a = _sample(train, MAX_ROWS_CLASSIFIER, problem.seed)
    b = _sample(dev, MAX_ROWS_CLASSIFIER, problem.seed)
    if min(len(a), len(b)) < FOLDS * 2:
        raise SkipCheck(f"too few rows for a {FOLDS}-fold domain classifier")
    auc, (low, high), shares = domain_classifier(a, b, columns, problem.seed)
    ta = _sample(train, MAX_ROWS_TESTS, problem.seed)
    tb = _sample(dev, MAX_ROWS_TESTS, problem.seed)
    tests = [(c, *two_sample_p(ta[c], tb[c])) for c in columns]
    q = false_discovery_control([t[3] for t in tests], method="bh")
    per_feature: list[dict[str, Any]] = sorted(
        (
            {"column": c, "test": name, "statistic": stat, "p_value": p, "q_value": float(qv), "gain_share": shares[c]}
            for (c, name, stat, p), qv in zip(tests, q, strict=True)
        ),
        key=lambda r: (-r["gain_share"], r["q_value"]),
    )
    shifted = [r for r in per_feature if r["q_value"] < FDR]
    mismatch = _mismatch(ctx)
    section: dict[str, Any] = {
        "rows": {"train": len(a), "dev": len(b)},
        "auc": auc,
        "auc_interval": [low, high],
        "features": per_feature[:TOP],
        "shifted_features": len(shifted),
        "features_tested": len(per_feature),
        "data_mismatch": mismatch,
    }
    warn = low >= WARN_AUC_LOW
    drivers = ", ".join(f"{r['column']} ({percent(r['gain_share'], 0)})" for r in per_feature[:3])
    title = (
        f"A classifier tells dev from train with AUC {auc:.2f} (95% interval {low:.2f}–{high:.2f}); "
        f"{len(shifted)} of {len(per_feature)} features differ (BH q < {FDR:g})"
    )
    if warn:
        title += f"; driven by {drivers}"
    finding = shift_finding(problem, "shift.train.dev", title, warn=warn, mismatch=mismatch, evidence=section)
    return CheckResult(findings=(finding,), section=from_json(ShiftResult, section, strict=True))


def _mismatch(ctx: Context) -> dict[str, Any] | None:
    """The decomposition's data-mismatch gap (value, interval, significant), or None where it is not measured."""
    gap = ctx.decomposition.gaps.get("data_mismatch")
    if gap is None:
        return None
    return {"value": float(gap.value), "interval": [float(v) for v in gap.interval], "significant": gap.significant}


# --- how the result is shown (laid out by unstuck.render) ---------------------------------------------


@shows(shift)
def _tables(report: Report, result: ShiftResult) -> list[Table]:
    if not result.shifted_features or not result.features:
        return []
    rows = [
        [cell_text(f.column), f.test, cell_text(f.statistic), cell_text(f.q_value), pct(f.gain_share)]
        for f in result.features[:MAX_ROWS]
    ]
    return [
        Table(
            ("column", "test", "statistic", "q value", "gain share"),
            rows,
            caption=f"Train vs dev: domain-classifier AUC {result.auc:.2f}; "
            f"{result.shifted_features} of {result.features_tested} features differ.",
        )
    ]
