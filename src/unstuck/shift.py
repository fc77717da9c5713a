"""Telling two samples of rows apart: a domain classifier and per-feature two-sample tests.

Pure functions of two tables, shared by the shift check (:mod:`unstuck.checks.shift`, train
against dev) and the production gate (dev against test), with the one threshold both judge by.

**Domain classifier.** LightGBM (100 trees of 15 leaves, learning rate 0.1, the baseline's
preprocessing) learns to tell the first sample's rows (label 0) from the second's (label 1),
with stratified cross-validation (5 folds, 3 from :data:`unstuck.out_of_fold.FEWER_FOLDS_FROM`
rows). Its out-of-fold AUC is 0.5 when the samples look alike and 1.0 when every row is
recognisable; the 95 % interval uses the Hanley–McNeil standard error. Each column's share of
the split gain, summed over folds, says what drives it.

**Per-feature tests.** Kolmogorov–Smirnov for numeric columns, χ² on the level counts (the
:data:`MAX_LEVELS` most frequent + other + missing) for the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from typing import Any

    import pandas as pd

    from unstuck.findings import Finding
    from unstuck.problem import Problem

__all__ = [
    "FOLDS",
    "MAX_LEVELS",
    "WARN_AUC_LOW",
    "domain_classifier",
    "hanley_mcneil_interval",
    "shift_finding",
    "two_sample_p",
]

#: Two samples differ when the lower end of the domain classifier's AUC interval reaches this.
WARN_AUC_LOW = 0.6
FOLDS = 5
MAX_LEVELS = 50


def hanley_mcneil_interval(auc: float, n_pos: int, n_neg: int, z: float = 1.959964) -> tuple[float, float]:
    """95 % interval of an AUC from the Hanley & McNeil (1982) standard error."""
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    var = (auc * (1 - auc) + (n_pos - 1) * (q1 - auc * auc) + (n_neg - 1) * (q2 - auc * auc)) / (n_pos * n_neg)
    se = float(np.sqrt(max(var, 0.0)))
    return (max(0.0, auc - z * se), min(1.0, auc + z * se))


def domain_classifier(
    a: pd.DataFrame, b: pd.DataFrame, columns: list[str], seed: int
) -> tuple[float, tuple[float, float], dict[str, float]]:
    """Cross-validated AUC of telling ``b`` from ``a``, its interval, and each column's share of split gain."""
    import pandas as pd
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    from unstuck.baselines import make_baseline

    x = pd.concat([a[columns], b[columns]], ignore_index=True)
    y = np.r_[np.zeros(len(a), dtype=np.int64), np.ones(len(b), dtype=np.int64)]
    oof = np.zeros(len(x))
    gain = np.zeros(len(columns))
    from unstuck.out_of_fold import FEWER_FOLDS_FROM

    k = 3 if len(x) >= FEWER_FOLDS_FROM else FOLDS  # 3 folds still train on 13k+ rows each
    folds = StratifiedKFold(k, shuffle=True, random_state=seed)
    for fit, held in folds.split(x, y):
        model = make_baseline("gradient_boosting", "classification", x, seed=seed, early_stopping=False)
        model.set_params(
            lgbmclassifier__n_estimators=100,
            lgbmclassifier__learning_rate=0.1,
            lgbmclassifier__num_leaves=15,
            lgbmclassifier__n_jobs=1,
            lgbmclassifier__importance_type="gain",
        )
        model.fit(x.iloc[fit], y[fit])
        oof[held] = model.predict_proba(x.iloc[held])[:, 1]
        gain += np.asarray(model[-1].feature_importances_, dtype=np.float64)
    auc = float(roc_auc_score(y, oof))
    total = gain.sum() or 1.0
    shares = {c: float(g / total) for c, g in zip(columns, gain, strict=True)}
    return auc, hanley_mcneil_interval(auc, int(y.sum()), int(len(y) - y.sum())), shares


def two_sample_p(a: pd.Series, b: pd.Series) -> tuple[str, float, float]:
    """(test name, statistic, p-value) comparing one column's values in two splits."""
    import pandas as pd
    from scipy import stats

    if pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a):
        xa = a.to_numpy(dtype=np.float64, na_value=np.nan)
        xb = b.to_numpy(dtype=np.float64, na_value=np.nan)
        xa, xb = xa[np.isfinite(xa)], xb[np.isfinite(xb)]
        if len(xa) == 0 or len(xb) == 0:
            return "ks", 0.0, 1.0
        result = stats.ks_2samp(xa, xb)
        return "ks", float(result.statistic), float(result.pvalue)
    ta, tb = a.astype("string").fillna("\0missing"), b.astype("string").fillna("\0missing")
    levels = ta.value_counts().index[:MAX_LEVELS]
    ca = ta.where(ta.isin(levels), "\0other").value_counts()
    cb = tb.where(tb.isin(levels), "\0other").value_counts()
    table = pd.concat([ca, cb], axis=1).fillna(0).to_numpy(dtype=np.float64)
    table = table[table.sum(axis=1) > 0]
    if table.shape[0] < 2:
        return "chi2", 0.0, 1.0
    stat, p, _, _ = stats.chi2_contingency(table)
    return "chi2", float(stat), float(p)


def shift_finding(
    problem: Problem, finding_id: str, title: str, *, warn: bool, mismatch: dict[str, Any] | None, evidence: Any
) -> Finding:
    """The finding of a shift between train and dev, whatever space it was measured in (features or
    embeddings): ``title`` with the data-mismatch gap said after it, when measured, and whether it is
    beyond noise; a warning (``reduce_mismatch``, ``data_mismatch``) when ``warn``, with that gap as its
    expected gain when it is positive and significant."""
    from unstuck.findings import Finding

    if mismatch is not None:
        title += f"; the data-mismatch gap is {problem.metric.format_gap(mismatch['value'])}" + (
            "" if mismatch["significant"] else " (not significant: this shift may not hurt the model)"
        )
    gain = mismatch["value"] if mismatch is not None and mismatch["significant"] and mismatch["value"] > 0 else None
    return Finding(
        id=finding_id,
        severity="warning" if warn else "info",
        title=title,
        lever="reduce_mismatch" if warn else None,
        bottleneck="data_mismatch" if warn else None,
        evidence=evidence,
        expected_gain=gain if warn else None,
    )
