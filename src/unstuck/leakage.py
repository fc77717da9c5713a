"""Rows shared between splits: the leakage rule, as pure functions of the splits and their predictions.

Shared by the checks that find copies across splits (:mod:`unstuck.checks.leakage` for table
rows, and the text and image copy checks) and by the production gate (test against train):
the share of rows that would match by chance (:func:`chance_match_share`), a split's error
with and without the shared rows (:func:`error_without`), whether they move its error or
could (:func:`moves_numbers`), and the one wording of a finding on copies
(:func:`copies_finding`). The rule itself is described in :mod:`unstuck.checks.leakage`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.data.rows import normalise_frame
from unstuck.decomposition import MATERIAL_SHARE_OF_DEV
from unstuck.findings import Finding
from unstuck.metrics import Metric, bootstrap_means

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.context import Context
    from unstuck.problem import Problem

__all__ = [
    "CHANCE_FACTOR",
    "DISCRETE_LEVELS",
    "SUSPECT",
    "ErrorWithoutLeaked",
    "chance_match_share",
    "copies_finding",
    "error_without",
    "moves_numbers",
]

#: Columns with at most this many distinct values are discrete (see :func:`chance_match_share`).
DISCRETE_LEVELS = 20
#: Shared rows count as leakage when their share is at least this many times the chance share.
CHANCE_FACTOR = 5.0

SUSPECT = "every other number in this report (errors, gaps, gains) is suspect until it is fixed"


@dataclass(frozen=True)
class ErrorWithoutLeaked:
    """A split's error (metric units) on all its rows and on the rows not shared with an earlier split,
    the change (without − all), and how many rows were left out and kept."""

    everything: float = field(metadata={"json": "all"})
    without: float
    change: float
    n_leaked: int
    n_kept: int


def chance_match_share(reference: pd.DataFrame, columns: list[str], *, repeats_are_chance: bool = False) -> float:
    """Share of new rows expected to match some row of ``reference`` by chance (normalised values).

    Each column's chance of agreement ``c_j = Σ_k p_k²`` (``p_k``: frequency of normalised
    value k) is multiplied over the columns — independence assumed — and turned into
    the probability of at least one match among ``len(reference)`` rows.

    Answers to a few related questions (a survey) are not independent, and then that product
    is far too small: on statsmodels' ``fair`` survey (8 columns of 4–7 levels) it gave 3.7 %
    while 29 % of a random dev split matched train. When every column is discrete (at most
    :data:`DISCRETE_LEVELS` values), the share of ``reference`` rows that equal another of its
    rows — the same chance, measured without assuming independence — is used when larger.
    With a continuous column, rows coincide only by copying, and the product stands — unless
    ``repeats_are_chance``: a data source whose rows already repeat inside train at rate r
    (natural duplicates: the same customer profile, the same diamond) shares rows with a
    random split of itself at about that rate, so for cross-split matching that rate is what
    a random split gives, whatever the column types (the duplicates check reports the
    repetition itself).
    """
    if not columns or len(reference) == 0:
        return 0.0
    import pandas as pd

    normalised = normalise_frame(reference[columns])
    log_agree = 0.0
    for column in normalised.columns:
        p = normalised[column].value_counts(normalize=True, dropna=False).to_numpy()
        log_agree += float(np.log(max(float(np.sum(p**2)), 1e-300)))
    expected = len(reference) * float(np.exp(log_agree))
    independent = float(-np.expm1(-expected))
    if not repeats_are_chance and any(reference[c].nunique(dropna=False) > DISCRETE_LEVELS for c in columns):
        return independent
    keys = pd.util.hash_pandas_object(normalised, index=False)
    repeated = float(keys.duplicated(keep=False).mean())
    return max(independent, repeated)


def copies_finding(
    problem: Problem,
    *,
    finding_id: str,
    split: str,
    title: str,
    evidence: dict[str, Any],
    change: dict[str, Any] | None,
    critical: bool,
    beyond_chance: bool,
    chance_text: str,
) -> Finding:
    """The finding on copies of one split's rows in ``split``, a later one, for every kind of row (tables, texts,
    images): the error with and without the copies when measured (``change``), then why it
    is critical, a warning to look at, or about the rate of the data's own repeats
    (``chance_text``)."""
    if change is not None:
        evidence["error_without_copies"] = change
        title += (
            f"; {split} error is {problem.metric.format(change['all'])} with them and "
            f"{problem.metric.format(change['without'])} without"
        )
    if critical:
        title += f" — {SUSPECT}"
    elif beyond_chance:
        title += " — too few to move the numbers, but check how they got there"
    else:
        title += f" — {chance_text}"
    return Finding(
        id=finding_id,
        severity="critical" if critical else "warning" if beyond_chance else "info",
        title=title,
        # immaterial copies: a warning without a lever (see checks/leakage.py: no experiment could show their effect)
        lever="fix_leakage" if critical else None,
        evidence=evidence,
        bottleneck="leakage" if critical else None,
    )


def error_without(problem: Problem, ctx: Context, leaked: dict[str, np.ndarray]) -> dict[str, dict[str, Any]]:
    """For dev/test: the metric on all rows and on the rows not shared with an earlier split
    (the JSON form of :class:`ErrorWithoutLeaked`, which findings' evidence carries as it is)."""
    out: dict[str, dict[str, Any]] = {}
    for split in ("dev", "test"):
        mask = leaked.get(split)
        if mask is None or split not in problem.frames or mask.all():
            continue
        predictions = ctx.predictions[split]
        if len(predictions.y_true) != len(mask):
            continue
        keep = ~mask
        everything = problem.metric(predictions.y_true, predictions.y_pred)
        without = problem.metric(predictions.y_true[keep], predictions.y_pred[keep])
        out[split] = {
            "all": everything,
            "without": without,
            "change": without - everything,
            "n_leaked": int(mask.sum()),
            "n_kept": int(keep.sum()),
        }
    return out


def moves_numbers(problem: Problem, ctx: Context, split: str, shared: np.ndarray) -> dict[str, Any]:
    """Whether the rows of ``split`` marked ``shared`` move its error, or could, beyond its noise.

    ``could_move``: the most the shared rows can take off the split's error if every one is
    answered from memory (loss 0) while the other rows keep theirs, taking for "theirs" the
    upper end of the 95% interval of the error on the other rows (what it could be, not just
    what this sample shows: a 0% error on 36 rows does not prove the rows are easy).
    ``changed``: the measured change when they are left out. Material: the shared rows are a
    tenth of the split (they change the picture whatever the model does) or either amount
    reaches one standard error of the split's error (it could change a comparison read
    from the split). Without predictions on the split nothing says it is harmless: material.
    """
    predictions = ctx.predictions.get(split)
    if predictions is None or len(predictions.y_true) != len(shared) or shared.all():
        return {"material": True, "could_move": None, "changed": None, "standard_error": None}
    metric = problem.metric
    losses = metric.row_losses(predictions.y_true, predictions.y_pred)
    share = float(shared.mean())
    kept = losses[~shared]
    upper = _upper(metric, kept)
    mean_loss = upper**2 if metric.aggregate == "root_mean" else upper
    could_move = upper - metric.from_losses(np.array([mean_loss * (1.0 - share)]))
    changed = abs(metric.from_losses(kept) - metric.from_losses(losses))
    standard_error = _standard_error(metric, losses)
    return {
        "material": share >= MATERIAL_SHARE_OF_DEV or max(could_move, changed) >= standard_error,
        "could_move": float(could_move),
        "changed": float(changed),
        "standard_error": standard_error,
        "error_upper_without": upper,
    }


def error_standard_error(problem: Problem, ctx: Context, split: str) -> float | None:
    """Standard error of the error measured on ``split``, or None without predictions there."""
    predictions = ctx.predictions.get(split)
    if predictions is None or not len(predictions.y_true):
        return None
    return _standard_error(problem.metric, problem.metric.row_losses(predictions.y_true, predictions.y_pred))


def _upper(metric: Metric, losses: np.ndarray, level: float = 0.95) -> float:
    """Upper end of the ``level`` interval of the metric on ``losses``.

    0/1 losses (an error rate) use the Jeffreys interval, which stays honest at 0 errors where a
    bootstrap collapses to a point; other losses use a bootstrap of their mean.
    """
    from scipy.stats import beta

    if metric.name == "error_rate":
        k, n = float(losses.sum()), float(len(losses))
        return float(beta.ppf(1 - (1 - level) / 2, k + 0.5, n - k + 0.5))
    draws = bootstrap_means(losses, n_boot=1000, seed=0)
    return metric.from_losses(np.array([float(np.quantile(draws, 1 - (1 - level) / 2))]))


def _standard_error(metric: Metric, losses: np.ndarray) -> float:
    """Standard error of the metric on ``losses`` (Jeffreys posterior for an error rate, else bootstrap)."""
    from scipy.stats import beta

    if metric.name == "error_rate":
        k, n = float(losses.sum()), float(len(losses))
        return float(beta.std(k + 0.5, n - k + 0.5))
    draws = bootstrap_means(losses, n_boot=1000, seed=0)
    if metric.aggregate == "root_mean":
        draws = np.sqrt(draws)
    return float(np.std(draws))
