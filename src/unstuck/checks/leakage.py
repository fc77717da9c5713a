"""Cross-split leakage: the same rows, near-identical rows, or the same ids in two splits.

A row of dev or test that also sits in train (on its features, ids ignored) lets
the model be graded on rows it memorised: every dev and test number is then
optimistic. Three kinds of match are counted, per pair of splits:

* **exact** — identical feature values;
* **near** — identical after normalisation (numbers at 3 significant digits, text
  case-, accent-, punctuation- and space-folded; see :mod:`unstuck.data.rows`);
* **id** — the same value of an identifier column (``--id-column``, or a column
  named like an id that is ≥ 95 % unique in train).

Matching is a hash join (linear in rows). Because few, discrete columns can make
different records identical by chance, each pair also gets the share of rows that
would match **by chance** if the columns were independent
(``1 − exp(−n_train · Π_j c_j)``, ``c_j`` = the chance two rows agree on column j; when
every column is discrete, at least the share of train rows that repeat inside train);
shared rows far above that are leakage (critical, lever ``fix_leakage``; a warning when
too few to move the numbers), shared rows not above it are information only (no lever).
The finding shows how much the dev (and test) error changes when the leaked rows are left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.data.frames import MAX_EXAMPLES, example_rows, id_columns, row_refs, user_splits
from unstuck.data.rows import harmonise, normalise_frame, row_keys, shared_keys
from unstuck.findings import Finding
from unstuck.registry import CheckResult, check

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.context import Context
    from unstuck.problem import Problem

#: Columns with at most this many distinct values are discrete (see :func:`chance_match_share`).
DISCRETE_LEVELS = 20
#: Shared rows count as leakage when their share is at least this many times the chance share ...
CHANCE_FACTOR = 5.0
#: ... and at least this share of the later split (below it: a warning, not critical).
MIN_CRITICAL_SHARE = 0.001

SUSPECT = "every other number in this report (errors, gaps, gains) is suspect until it is fixed"


def chance_match_share(reference: pd.DataFrame, columns: list[str]) -> float:
    """Share of new rows expected to match some row of ``reference`` by chance (normalised values).

    Each column's chance of agreement ``c_j = Σ_k p_k²`` (``p_k``: frequency of normalised
    value k) is multiplied over the columns — independence assumed — and turned into
    the probability of at least one match among ``len(reference)`` rows.

    Answers to a few related questions (a survey) are not independent, and then that product
    is far too small: on statsmodels' ``fair`` survey (8 columns of 4–7 levels) it gave 3.7 %
    while 29 % of a random dev split matched train. When every column is discrete (at most
    :data:`DISCRETE_LEVELS` values), the share of ``reference`` rows that equal another of its
    rows — the same chance, measured without assuming independence — is used when larger.
    With a continuous column, rows coincide only by copying, and the product stands.
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
    if any(reference[c].nunique(dropna=False) > DISCRETE_LEVELS for c in columns):
        return independent
    keys = pd.util.hash_pandas_object(normalised, index=False)
    repeated = float(keys.duplicated(keep=False).mean())
    return max(independent, repeated)


@check(
    "leakage",
    requires=("data",),
    description="rows, near-duplicate rows and ids shared between splits",
    tags=("data",),
)
def leakage(problem: Problem, ctx: Context) -> CheckResult:
    splits = user_splits(problem)
    ids = id_columns(problem, splits["train"])
    columns = [c for c in problem.features if c not in ids]
    names = list(splits)
    same = harmonise(splits, columns)
    exact = {s: row_keys(f, columns) for s, f in same.items()} if columns else {}
    near = {s: row_keys(f, columns, near=True) for s, f in same.items()} if columns else {}
    chance = chance_match_share(splits["train"], columns)
    pairs: list[dict[str, Any]] = []
    leaked_rows: dict[str, np.ndarray] = {}
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            a, b = splits[first], splits[second]
            in_first = np.zeros(len(b), dtype=bool)
            pair: dict[str, Any] = {"splits": [first, second], "rows_in_second": len(b)}
            if columns:
                _, exact_b = shared_keys(exact[first], exact[second])
                _, near_b = shared_keys(near[first], near[second])
                pair["exact"] = int(exact_b.sum())
                pair["near"] = int((near_b & ~exact_b).sum())
                in_first |= near_b
            else:
                pair["exact"] = pair["near"] = 0
            id_shared: dict[str, int] = {}
            for column in ids:
                mask = b[column].isin(set(a[column].dropna().tolist())).to_numpy()
                if mask.any():
                    id_shared[column] = int(mask.sum())
                    in_first |= mask
            pair["ids"] = id_shared
            pair["shared_rows"] = int(in_first.sum())
            pair["share"] = float(in_first.mean()) if len(b) else 0.0
            positions = np.flatnonzero(in_first)[:MAX_EXAMPLES]
            pair["rows"] = row_refs(problem, b, positions)
            pair["examples"] = example_rows(b, positions[:3], columns or list(problem.features))
            pair["by_chance"] = chance if first == "train" else None
            pairs.append(pair)
            if in_first.any():
                leaked_rows[second] = leaked_rows.get(second, np.zeros(len(b), dtype=bool)) | in_first
    findings: list[Finding] = []
    effect = _error_without(problem, ctx, leaked_rows) if leaked_rows else {}
    for pair in pairs:
        if pair["shared_rows"] == 0:
            continue
        first, second = pair["splits"]
        expected = pair["by_chance"] if pair["by_chance"] is not None else chance_match_share(splits[first], columns)
        beyond_chance = pair["share"] >= CHANCE_FACTOR * expected or bool(pair["ids"])
        critical = beyond_chance and pair["share"] >= MIN_CRITICAL_SHARE
        kinds = ", ".join(
            f"{n} {k}"
            for n, k in (
                (pair["exact"], "identical"),
                (pair["near"], "near-identical"),
                (sum(pair["ids"].values()), "with the same id"),
            )
            if n
        )
        title = (
            f"{pair['shared_rows']} of {pair['rows_in_second']} {second} rows ({pair['share']:.1%}) also appear "
            f"in {first} ({kinds})"
        )
        evidence = {**pair, "chance_share": expected}
        if second in effect:
            change = effect[second]
            evidence["error_without_leaked"] = change
            title += (
                f"; {second} error is {problem.metric.format(change['all'])} with them and "
                f"{problem.metric.format(change['without'])} without"
            )
        if critical:
            title += f" — {SUSPECT}"
        else:
            title += (
                f" — about as many as chance would give ({expected:.1%}) on these few/discrete columns"
                if not beyond_chance
                else " — too few to move the numbers, but check how they got there"
            )
        findings.append(
            Finding(
                id=f"leakage.{first}.{second}",
                check="leakage",
                # as many shared rows as chance gives is nothing to fix: information, no lever
                severity="critical" if critical else "warning" if beyond_chance else "info",
                title=title,
                lever="fix_leakage" if beyond_chance else None,
                evidence=evidence,
                bottleneck="leakage" if critical else None,
                expected_gain=None,
            )
        )
    section = {
        "columns_compared": len(columns),
        "id_columns": ids,
        "chance_share": chance,
        "pairs": [{k: v for k, v in p.items() if k != "examples"} for p in pairs],
        "error_without_leaked": effect,
        "leakage_found": any(f.severity == "critical" for f in findings),
    }
    return CheckResult(findings=tuple(findings), section=section)


def _error_without(problem: Problem, ctx: Context, leaked: dict[str, np.ndarray]) -> dict[str, dict[str, Any]]:
    """For dev/test: the metric on all rows and on the rows not shared with an earlier split."""
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
