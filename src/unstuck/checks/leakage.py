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
(``1 − exp(−n_train · Π_j c_j)``, ``c_j`` = the chance two rows agree on column j; and at
least the share of train rows that repeat inside train: natural duplicates are shared by a
random split too);
shared rows far above that are leakage (lever ``fix_leakage``), shared rows not above it
are information only (no lever).

A copy carries its label with it; two records that merely look alike (few, discrete
columns, or natural duplicates) agree on the label only as often as such look-alikes do
inside train. So where both splits are labelled and the look-alikes are not beyond
chance, the rows that match **with their label** are counted against the same chance
measured on features and label together: copies then stand out of a crowd of natural
look-alikes (25 % of dev copied into a wage survey whose few columns make 59 % of any
split look like train), and only they are counted as leaked.

Leakage is **critical** when it moves the numbers or could: when the shared rows are a
tenth of the later split (the decomposition's materiality: they change the picture whatever
the model does), or when memorising them could take one standard error off that split's
error, or leaving them out does (it could change a comparison read from the split). The
most they can take off is their share times what the other rows' error could be (the upper
end of its interval). Below both, a handful of copies cannot change any decision read from
the split: a warning to look at how they got there, not the bottleneck.
The finding shows how much the dev (and test) error changes when the leaked rows are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.data.frames import MAX_EXAMPLES, example_rows, id_columns, row_refs, user_splits
from unstuck.data.rows import harmonise, row_keys, shared_keys
from unstuck.findings import Finding
from unstuck.leakage import (
    CHANCE_FACTOR,
    SUSPECT,
    ErrorWithoutLeaked,
    chance_match_share,
    error_without,
    moves_numbers,
)
from unstuck.measured import from_json
from unstuck.registry import CheckResult, check, shows
from unstuck.units import percent
from unstuck.view import SPLIT_LABELS, Table, count_text, error_without_row, pct

if TYPE_CHECKING:
    from unstuck.context import Context
    from unstuck.findings import Report
    from unstuck.problem import Problem


@dataclass(frozen=True)
class SharedRows:
    """Rows of the later of two ``splits`` (``rows_in_second`` rows) also found in the earlier one: identical
    (``exact``), near-identical (``near``, beyond the exact ones), by id column (``ids``), in all
    (``shared_rows``, and their ``share`` of the later split), the first few (their ids, or positions),
    and the share expected by chance (only against train; None otherwise)."""

    splits: tuple[str, str]
    rows_in_second: int
    exact: int
    near: int
    ids: Mapping[str, int]
    shared_rows: int
    share: float
    rows: tuple[Any, ...]
    by_chance: float | None


@dataclass(frozen=True)
class LeakageResult:
    """Feature columns compared (ids left out), the id columns, the share of rows matching train by chance,
    every pair of splits, each later split's error without its leaked rows, and whether leakage is critical."""

    columns_compared: int
    id_columns: tuple[Any, ...]
    chance_share: float
    pairs: tuple[SharedRows, ...]
    error_without_leaked: Mapping[str, ErrorWithoutLeaked]
    leakage_found: bool


@check(
    "leakage",
    requires=("data",),
    description="rows, near-duplicate rows and ids shared between splits",
    tags=("data",),
    result=LeakageResult,
)
def leakage(problem: Problem, ctx: Context) -> CheckResult:
    splits = user_splits(problem)
    ids = id_columns(problem, splits["train"])
    columns = [c for c in problem.features if c not in ids]
    names = list(splits)
    same = harmonise(splits, columns)
    exact = {s: row_keys(f, columns) for s, f in same.items()} if columns else {}
    near = {s: row_keys(f, columns, near=True) for s, f in same.items()} if columns else {}
    chance = chance_match_share(splits["train"], columns, repeats_are_chance=True)
    pairs: list[dict[str, Any]] = []
    leaked_rows: dict[str, np.ndarray] = {}
    masks: dict[tuple[str, str], np.ndarray] = {}
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
            masks[(first, second)] = in_first
            pair["shared_rows"] = int(in_first.sum())
            pair["share"] = float(in_first.mean()) if len(b) else 0.0
            positions = np.flatnonzero(in_first)[:MAX_EXAMPLES]
            pair["rows"] = row_refs(problem, b, positions)
            pair["examples"] = example_rows(b, positions[:3], columns or list(problem.features))
            pair["by_chance"] = chance if first == "train" else None
            labelled = _copies_with_label(problem, splits, columns, first, second, in_first, pair)
            if labelled is not None:
                in_first = labelled
                masks[(first, second)] = in_first
                pair["shared_rows"] = int(in_first.sum())
                pair["share"] = float(in_first.mean()) if len(b) else 0.0
                positions = np.flatnonzero(in_first)[:MAX_EXAMPLES]
                pair["rows"] = row_refs(problem, b, positions)
                pair["examples"] = example_rows(b, positions[:3], columns)
            pairs.append(pair)
            if in_first.any():
                leaked_rows[second] = leaked_rows.get(second, np.zeros(len(b), dtype=bool)) | in_first
    findings: list[Finding] = []
    effect = error_without(problem, ctx, leaked_rows) if leaked_rows else {}
    for pair in pairs:
        if pair["shared_rows"] == 0:
            continue
        first, second = pair["splits"]
        expected = pair.get("with_label_by_chance") or (
            pair["by_chance"]
            if pair["by_chance"] is not None
            else chance_match_share(splits[first], columns, repeats_are_chance=True)
        )
        beyond_chance = pair["share"] >= CHANCE_FACTOR * expected or bool(pair["ids"])
        moves = moves_numbers(problem, ctx, second, masks[(first, second)])
        critical = beyond_chance and moves["material"]
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
            f"{pair['shared_rows']} of {pair['rows_in_second']} {second} rows ({percent(pair['share'])}) also appear "
            f"in {first} ({kinds})"
        )
        if "with_label_by_chance" in pair:
            title = (
                f"{pair['shared_rows']} of {pair['rows_in_second']} {second} rows ({percent(pair['share'])}) "
                f"also appear in {first} with the same label, where chance gives {percent(expected)}: copies, "
                f"not look-alikes ({pair['look_alikes']} rows look like a {first} row on the features alone, "
                "about as many as chance gives on these columns, but look-alikes share their label only as "
                "often as they do inside train)"
            )
        evidence = {k: v for k, v in pair.items() if k not in ("with_label_by_chance", "look_alikes")}
        evidence |= {"chance_share": expected, "materiality": moves}
        if "with_label_by_chance" in pair:
            evidence |= {"matched_on": "features and label", "look_alikes": pair["look_alikes"]}
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
                f" — about as many as chance would give ({percent(expected)}) on these few/discrete columns"
                if not beyond_chance
                else (
                    f" — too few to move the numbers (at most {problem.metric.format_gap(moves['could_move'])}, "
                    f"under the error's standard error of {problem.metric.format_gap(moves['standard_error'])} and "
                    "a tenth of the error), but check how they got there"
                )
            )
        findings.append(
            Finding(
                id=f"leakage.{first}.{second}",
                # As many shared rows as chance gives is nothing to fix: information. Copies beyond chance
                # that cannot move the error beyond its noise stay a warning (how did they get there?) but
                # carry no lever: a lever is a next experiment whose effect the dev set could show, and the
                # check has just measured that this one's could not. With a lever and no gain it would
                # outrank levers from material findings by the method's order alone.
                severity="critical" if critical else "warning" if beyond_chance else "info",
                title=title,
                lever="fix_leakage" if critical else None,
                evidence=evidence,
                bottleneck="leakage" if critical else None,
                expected_gain=None,
            )
        )
    section = {
        "columns_compared": len(columns),
        "id_columns": ids,
        "chance_share": chance,
        "pairs": [
            {k: v for k, v in p.items() if k not in ("examples", "with_label_by_chance", "look_alikes")} for p in pairs
        ],
        "error_without_leaked": effect,
        "leakage_found": any(f.severity == "critical" for f in findings),
    }
    return CheckResult(findings=tuple(findings), section=from_json(LeakageResult, section, strict=True))


def _copies_with_label(
    problem: Problem,
    splits: Mapping[str, Any],
    columns: list[str],
    first: str,
    second: str,
    look_alike: np.ndarray,
    pair: dict[str, Any],
) -> np.ndarray | None:
    """The rows of ``second`` that match a row of ``first`` on the features *and* the label, when
    the feature matches alone are within chance but these are beyond the chance of look-alikes
    sharing a label (measured inside ``first`` on features and label together); else None.
    Records ``with_label_by_chance`` and ``look_alikes`` in ``pair`` when it answers."""
    target = problem.target
    a, b = splits[first], splits[second]
    if target is None or not columns or not look_alike.any() or pair["ids"]:
        return None
    if target not in a.columns or target not in b.columns:
        return None
    expected = (
        chance_match_share(a, columns, repeats_are_chance=True) if pair["by_chance"] is None else pair["by_chance"]
    )
    if pair["share"] >= CHANCE_FACTOR * expected:
        return None  # the look-alikes themselves are beyond chance: the plain rule applies
    labelled = harmonise({first: a, second: b}, [*columns, target])
    _, with_label = shared_keys(
        row_keys(labelled[first], [*columns, target], near=True),
        row_keys(labelled[second], [*columns, target], near=True),
    )
    by_chance = chance_match_share(a, [*columns, target], repeats_are_chance=True)
    if not with_label.any() or with_label.mean() < CHANCE_FACTOR * by_chance:
        return None
    pair["with_label_by_chance"] = by_chance
    pair["look_alikes"] = int(look_alike.sum())
    pair["exact"] = int((with_label & look_alike).sum())
    pair["near"] = 0
    return np.asarray(with_label, dtype=bool)


# --- how the result is shown (laid out by unstuck.render) ---------------------------------------------


@shows(leakage)
def _tables(report: Report, result: LeakageResult) -> list[Table]:
    pairs = [p for p in result.pairs if p.shared_rows]
    if not pairs:
        return []
    rows = [
        [
            " ↔ ".join(SPLIT_LABELS.get(s, s) for s in p.splits),
            count_text(p.rows_in_second),
            count_text(p.exact),
            count_text(p.near),
            count_text(p.shared_rows),
            pct(p.share),
            pct(p.by_chance, 3) if p.by_chance is not None else "—",
        ]
        for p in pairs
    ]
    out = [
        Table(
            ("splits", "rows", "exact copies", "near copies", "shared rows", "share", "expected by chance"),
            rows,
            numeric=(1, 2, 3, 4, 5, 6),
        )
    ]
    if result.error_without_leaked:
        out.append(
            Table(
                ("split", "leaked rows", "error", "error without the leaked rows"),
                [error_without_row(report, s, e) for s, e in result.error_without_leaked.items()],
                numeric=(1, 2, 3),
                caption="A drop without the leaked rows means the score was inflated.",
            )
        )
    return out
