"""Planted gate scenarios on real data: statsmodels' ``fair`` survey (6,366 married women, 1974).

The task: did the respondent report an affair? The candidate is a logistic regression on all
eight answers; the model "running today" one on two of them (years married, religiousness).
On 1,866 shuffled test rows the candidate errs on 27.4% and the baseline on 32.2%.
Each planting changes one thing so that one gate condition must fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

FEATURES = ["rate_marriage", "age", "yrs_married", "children", "religious", "educ", "occupation", "occupation_husb"]
BASELINE_FEATURES = ["yrs_married", "religious"]
REGRESSED_ROWS = 35
LEAKED_ROWS = 300
#: The gain over the baseline the release claims (error-rate points).
CLAIMED_GAIN = 0.05


@dataclass(frozen=True)
class Models:
    data: pd.DataFrame
    candidate: object
    baseline: object


@cache
def models() -> Models:
    from sklearn.linear_model import LogisticRegression
    from statsmodels.datasets import fair

    data = fair.load_pandas().data
    data["y"] = (data["affairs"] > 0).astype(int)
    data = data.drop(columns=["affairs"]).sample(frac=1, random_state=0).reset_index(drop=True)
    train = data.iloc[:3000]
    candidate = LogisticRegression(max_iter=2000).fit(train[FEATURES], train["y"])
    baseline = LogisticRegression(max_iter=2000).fit(train[BASELINE_FEATURES], train["y"])
    return Models(data, candidate, baseline)


def _table(model: object, columns: list[str], splits: dict[str, pd.DataFrame], *, ids: bool) -> pd.DataFrame:
    parts = []
    for split, frame in splits.items():
        proba = model.predict_proba(frame[columns])  # type: ignore[attr-defined]
        parts.append(
            pd.DataFrame(
                {
                    **({"id": frame.index.to_numpy()} if ids else {}),
                    "split": split,
                    "y_true": frame["y"].to_numpy(),
                    "y_pred": proba.argmax(axis=1),
                    "proba_0": proba[:, 0],
                    "proba_1": proba[:, 1],
                    **{c: frame[c].to_numpy() for c in FEATURES},
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def scenario(
    *,
    test_rows: int | None = None,
    shifted: bool = False,
    regress_slice: bool = False,
    overconfident: bool = False,
    leaked: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The candidate's predictions (train, dev, test) and the baseline's (test), with one planting.

    ``test_rows``: keep only this many test rows (a test set too small for the claim).
    ``shifted``: test rows are only the respondents whose husband is a professional or manager
    (``occupation_husb`` 5 or 6; a test set from another distribution, on which the candidate
    errs about as often as on dev).
    ``regress_slice``: on the most religious respondents (``religious == 4``, 182 test rows) the candidate gets
    wrong 35 rows that it and the baseline got right (a slice where it is worse than the baseline).
    ``overconfident``: probabilities sharpened to temperature 0.2 (same predictions).
    ``leaked``: every table gets an ``id`` column (the respondent's row number) and the first
    300 test rows are replaced by train rows, ids and all (a test set that leaks train).
    """
    m = models()
    data = m.data
    train, dev, test = data.iloc[:3000], data.iloc[3000:4500], data.iloc[4500:]
    if shifted:
        test = test[test["occupation_husb"] >= 5]
    if test_rows is not None:
        test = test.iloc[:test_rows]
    if leaked:
        test = pd.concat([train.iloc[:LEAKED_ROWS], test.iloc[LEAKED_ROWS:]])
    candidate = _table(m.candidate, FEATURES, {"train": train, "dev": dev, "test": test}, ids=leaked)
    baseline = _table(m.baseline, BASELINE_FEATURES, {"test": test}, ids=leaked)
    if regress_slice:
        test_part = candidate["split"] == "test"
        base_right = np.zeros(len(candidate), dtype=bool)
        base_right[np.flatnonzero(test_part)] = baseline["y_pred"].to_numpy() == baseline["y_true"].to_numpy()
        both_right = (
            test_part & (candidate["religious"] == 4) & base_right & (candidate["y_pred"] == candidate["y_true"])
        )
        rows = np.flatnonzero(both_right)[:REGRESSED_ROWS]
        candidate.loc[rows, "y_pred"] = 1 - candidate.loc[rows, "y_true"]
        candidate.loc[rows, ["proba_0", "proba_1"]] = candidate.loc[rows, ["proba_1", "proba_0"]].to_numpy()
    if overconfident:
        logits = np.log(candidate[["proba_0", "proba_1"]].to_numpy()) / 0.2
        sharp = np.exp(logits - logits.max(axis=1, keepdims=True))
        sharp /= sharp.sum(axis=1, keepdims=True)
        candidate[["proba_0", "proba_1"]] = sharp
    return candidate, baseline


def write(folder: Path, candidate: pd.DataFrame, baseline: pd.DataFrame) -> tuple[Path, Path]:
    cand_path, base_path = folder / "candidate.csv", folder / "current.csv"
    candidate.to_csv(cand_path, index=False)
    baseline.to_csv(base_path, index=False)
    return cand_path, base_path
