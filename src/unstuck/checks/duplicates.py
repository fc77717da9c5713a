"""Duplicates inside a split, and conflicting labels (identical features, different labels).

Per split, rows are keyed on their features (ids ignored) exactly and after
normalisation (:mod:`unstuck.data.rows`); a row whose key an earlier row of the
same split already has is a duplicate. Duplicates over-weight some examples and,
once a split is carved at random, become cross-split leakage. Groups of identical
features that carry different labels are label conflicts: at most one label of the
group can be right (or the features cannot tell the classes apart). They are a lever
(``fix_labels``) only when they could move the dev error beyond its noise; in regression,
identical inputs with different targets are ordinary noise, never a lever.

As for leakage, the share expected by chance on few/discrete columns is computed
(see :func:`unstuck.leakage.chance_match_share`); only duplication well above
it is a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.data.frames import MAX_EXAMPLES, example_rows, id_columns, row_refs, user_splits
from unstuck.data.rows import row_keys
from unstuck.findings import Finding
from unstuck.leakage import CHANCE_FACTOR, chance_match_share
from unstuck.measured import from_json
from unstuck.registry import CheckResult, check, shows
from unstuck.units import percent
from unstuck.view import SPLIT_LABELS, Table, count_text, pct

if TYPE_CHECKING:
    from unstuck.context import Context
    from unstuck.findings import Report
    from unstuck.problem import Problem

#: Duplicated rows are a warning from this share of the split on (and well above chance).
WARN_DUPLICATE_SHARE = 0.01
#: Rows in label-conflict groups are a warning from this share of the split.
WARN_CONFLICT_SHARE = 0.005


@dataclass(frozen=True)
class SplitDuplicates:
    """Repeated rows inside one split: exact and near (features only, ids ignored), their share of the
    split, the share two random rows would give by chance, and groups of equal features with different labels."""

    rows: int
    duplicate_rows: int
    near_duplicate_rows: int
    duplicate_share: float
    chance_share: float
    conflict_groups: int
    conflict_rows: int


@dataclass(frozen=True)
class DuplicatesResult:
    """How many feature columns were compared, and the duplicates of each split."""

    columns_compared: int
    splits: Mapping[str, SplitDuplicates]


@check(
    "duplicates",
    requires=("data",),
    description="duplicate rows inside each split, and identical rows with different labels",
    tags=("data",),
    result=DuplicatesResult,
)
def duplicates(problem: Problem, ctx: Context) -> CheckResult:
    import pandas as pd

    assert problem.target is not None  # data mode always has a target
    splits = user_splits(problem)
    ids = id_columns(problem, splits["train"])
    columns = [c for c in problem.features if c not in ids]
    section: dict[str, Any] = {"columns_compared": len(columns), "splits": {}}
    findings: list[Finding] = []
    if not columns:
        return CheckResult(section=from_json(DuplicatesResult, section, strict=True))
    for split, frame in splits.items():
        exact = pd.Series(row_keys(frame, columns))
        near = pd.Series(row_keys(frame, columns, near=True))
        repeat = exact.duplicated().to_numpy()
        near_repeat = near.duplicated().to_numpy() & ~repeat
        n = len(frame)
        chance = chance_match_share(frame, columns)
        labels = frame[problem.target]
        grouped = pd.DataFrame({"key": exact, "label": labels.astype("string").to_numpy()})
        n_labels = grouped.groupby("key")["label"].nunique()
        conflicting_keys = n_labels.index[n_labels > 1]
        in_conflict = grouped["key"].isin(conflicting_keys).to_numpy()
        info = {
            "rows": n,
            "duplicate_rows": int(repeat.sum()),
            "near_duplicate_rows": int(near_repeat.sum()),
            "duplicate_share": float(repeat.mean()) if n else 0.0,
            "chance_share": chance,
            "conflict_groups": len(conflicting_keys),
            "conflict_rows": int(in_conflict.sum()),
        }
        section["splits"][split] = info
        beyond_chance = info["duplicate_share"] >= CHANCE_FACTOR * chance
        either = repeat | near_repeat
        if either.any():
            share = float(either.mean())
            warn = beyond_chance and share >= WARN_DUPLICATE_SHARE
            material = warn and _repeats_material(problem, ctx, split, either)
            positions = np.flatnonzero(either)[:MAX_EXAMPLES]
            findings.append(
                Finding(
                    id=f"duplicates.{split}",
                    severity="warning" if warn else "info",
                    title=(
                        f"{int(either.sum())} of {n} {split} rows ({percent(share)}) repeat an earlier row "
                        f"({info['duplicate_rows']} identical, {info['near_duplicate_rows']} near-identical)"
                        + ("" if beyond_chance else f"; chance alone gives about {percent(chance)} on these columns")
                        + ("" if material or not warn else f" — too few to move the {split} error beyond its noise")
                    ),
                    lever="fix_pipeline" if material else None,
                    evidence={**info, "rows_ref": row_refs(problem, frame, positions)}
                    | {"examples": example_rows(frame, positions[:3], columns)},
                )
            )
        if in_conflict.any():
            share = float(in_conflict.mean())
            warn = beyond_chance and share >= WARN_CONFLICT_SHARE
            material = warn and _conflicts_material(problem, ctx, grouped[in_conflict], n)
            positions = np.flatnonzero(in_conflict)[:MAX_EXAMPLES]
            example_keys = grouped["key"].iloc[positions[:1]].tolist()
            group_rows = np.flatnonzero(grouped["key"].isin(example_keys).to_numpy())[:4]
            findings.append(
                Finding(
                    id=f"duplicates.{split}.conflicts",
                    severity="warning" if warn else "info",
                    title=(
                        f"{info['conflict_groups']} groups of identical {split} rows carry different labels "
                        f"({info['conflict_rows']} rows, {percent(share)}): "
                        + (
                            "at most one label per group can be right"
                            if problem.task == "classification"
                            else "noise in the target that these features cannot explain"
                        )
                        + ("" if material or not warn else " — too few to move the dev error beyond its noise")
                    ),
                    lever="fix_labels" if material else None,
                    bottleneck="label_noise" if material else None,
                    evidence={**info, "rows_ref": row_refs(problem, frame, positions)}
                    | {"examples": example_rows(frame, group_rows, [*columns[:7], problem.target])},
                )
            )
    return CheckResult(findings=tuple(findings), section=from_json(DuplicatesResult, section, strict=True))


def _repeats_material(problem: Problem, ctx: Context, split: str, repeats: np.ndarray) -> bool:
    """Can the repeated rows of an evaluated split (dev, test) move its error beyond its noise?

    Judged as leakage's copies are (:func:`unstuck.leakage.moves_numbers`: a tenth of the split,
    or able to move its error by a standard error if each were answered perfectly, or measured
    to): repeats that cannot are a warning to look at, not a next experiment. Train's repeats
    act through the model, which nothing here refits without them: the share rule stands there.
    """
    from unstuck.leakage import moves_numbers

    if split == "train":
        return True
    return bool(moves_numbers(problem, ctx, split, repeats)["material"])


def _conflicts_material(problem: Problem, ctx: Context, conflicts: Any, rows: int) -> bool:
    """Can the label conflicts of a split change the dev error beyond its noise?

    Identical inputs with different targets are what a regression's residual noise is made of,
    not evidence that a label is wrong: never material there. In classification, any model (a
    function of the features) must get wrong every row of a group that does not carry the
    group's most common label; that floor, as a share of the split, is the most the conflicts
    can add to an error measured on it (or, as train label noise, roughly add to dev error). It
    is material when it reaches the dev error's standard error: below, no experiment on this dev
    set could show the effect of fixing them, so the finding is a warning with no lever. Without
    predictions on dev nothing says it is harmless: material.
    """
    from unstuck.leakage import error_standard_error

    if problem.task != "classification":
        return False
    counts = conflicts.groupby(["key", "label"]).size()
    floor = int(counts.sum() - counts.groupby(level=0).max().sum())
    standard_error = error_standard_error(problem, ctx, "dev")
    return standard_error is None or floor / max(rows, 1) >= standard_error


# --- how the result is shown (laid out by unstuck.render) ---------------------------------------------


@shows(duplicates)
def _tables(report: Report, result: DuplicatesResult) -> list[Table]:
    rows = [
        [
            SPLIT_LABELS.get(s, s),
            count_text(i.rows),
            count_text(i.duplicate_rows),
            count_text(i.near_duplicate_rows),
            pct(i.duplicate_share),
            count_text(i.conflict_rows),
        ]
        for s, i in result.splits.items()
        if i.duplicate_rows or i.near_duplicate_rows or i.conflict_rows
    ]
    if not rows:
        return []
    return [
        Table(
            ("split", "rows", "exact duplicates", "near duplicates", "share", "rows with conflicting labels"),
            rows,
            numeric=(1, 2, 3, 4, 5),
        )
    ]
