"""Copies of texts between splits and inside each: the leakage and duplicates of text data.

The row-level checks (``leakage``, ``duplicates``) match whole rows after folding case,
accents, punctuation and spacing; a text copied with one word changed escapes them. This
check compares each text column by its content (:mod:`unstuck.text.copies`): normalised
copies plus near copies (Jaccard similarity of word pairs ≥ 0.8, found with MinHash LSH,
sub-quadratic).

Between splits, as for rows, a share of copies far above what the data gives by itself is
leakage: the texts of train that copy an *earlier* train text (reposted wire stories,
re-sent messages) are the rate at which a random split of the same source shares texts,
and copies count as leakage from :data:`CHANCE_FACTOR` times that rate and at least
:data:`MIN_LEAK_SHARE` of the later split. Leakage is critical, the bottleneck, when it
moves the numbers or could (the rule of the ``leakage`` check: a tenth of the split, or
one standard error of its error); the finding shows the error with and without the
copied rows. Inside a split, copies are information, and a warning from
:data:`WARN_WITHIN_SHARE` on (they over-weight some examples).

A problem without text columns has nothing here: the check returns no findings and no section.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.data.frames import MAX_EXAMPLES, row_refs, short, user_splits
from unstuck.findings import Finding
from unstuck.leakage import CHANCE_FACTOR, ErrorWithoutLeaked, copies_finding, error_without, moves_numbers
from unstuck.measured import from_json
from unstuck.registry import CheckResult, check, shows
from unstuck.units import percent
from unstuck.view import SPLIT_LABELS, Table, count_text, error_without_row, pct

if TYPE_CHECKING:
    from unstuck.context import Context
    from unstuck.findings import Report
    from unstuck.problem import Problem
    from unstuck.text.copies import TextMatches

#: Copies between splits are leakage from this share of the later split on (and far above chance):
#: fewer are what reposts and wire services give any split of a news or message corpus.
MIN_LEAK_SHARE = 0.01
#: Copies inside a split are a warning from this share of the split on.
WARN_WITHIN_SHARE = 0.05


@dataclass(frozen=True)
class TextCopiesWithin:
    """Texts of one split (``rows`` in all) that copy an earlier text of the same split: how many
    (``copies``), of them identical after folding (``normalised``) and near copies (``near``), their
    ``share`` of the split, and how many carry another label than the text they copy."""

    rows: int
    copies: int
    normalised: int
    near: int
    share: float
    with_another_label: int


@dataclass(frozen=True)
class TextCopiesShared:
    """Texts of the later of two ``splits`` (``rows_in_second`` in all) that copy a text of the earlier
    one: how many (``copies``: ``normalised`` plus ``near``), their ``share`` of the later split, and the
    share expected from the rate at which train repeats its own texts (``by_chance``)."""

    splits: tuple[str, str]
    rows_in_second: int
    copies: int
    normalised: int
    near: int
    share: float
    by_chance: float


@dataclass(frozen=True)
class TextColumnCopies:
    """One text column: copies inside each split, between each pair of splits, and each later split's
    error without the copied rows."""

    within: Mapping[str, TextCopiesWithin]
    pairs: tuple[TextCopiesShared, ...]
    error_without_copies: Mapping[str, ErrorWithoutLeaked]


@dataclass(frozen=True)
class TextCopiesResult:
    """The Jaccard similarity of word pairs from which two texts are near copies (``threshold``), each text
    column's copies, and whether copies between splits are critical leakage."""

    threshold: float
    columns: Mapping[str, TextColumnCopies]
    leakage_found: bool


def _texts(frame: Any, column: str) -> list[str]:
    return ["" if not isinstance(v, str) else v for v in frame[column].tolist()]


def _examples(
    queries: list[str], reference: list[str], matches: TextMatches, positions: np.ndarray
) -> list[dict[str, Any]]:
    return [
        {
            "row": int(i),
            "text": short(queries[i]),
            "copy_of_row": int(matches.match[i]),
            "copy_of": short(reference[int(matches.match[i])]),
            "similarity": round(float(matches.similarity[i]), 3),
        }
        for i in positions[:3]
    ]


@check(
    "text_copies",
    requires=("data",),
    description="normalised and near copies of texts (MinHash), between splits and inside each",
    tags=("data",),
    result=TextCopiesResult,
)
def text_copies(problem: Problem, ctx: Context) -> CheckResult:
    if not problem.text_columns:
        return CheckResult()
    from unstuck.text.copies import NEAR_COPY_JACCARD, find_copies

    splits = user_splits(problem)
    names = list(splits)
    findings: list[Finding] = []
    section: dict[str, Any] = {"threshold": NEAR_COPY_JACCARD, "columns": {}}
    for column in problem.text_columns:
        label = f" '{column}'" if len(problem.text_columns) > 1 else ""
        suffix = f".{column}" if len(problem.text_columns) > 1 else ""
        texts = {s: _texts(f, column) for s, f in splits.items()}
        within: dict[str, dict[str, Any]] = {}
        for split in names:
            matches = find_copies(texts[split], seed=problem.seed)
            n = len(texts[split])
            share = float(matches.found.mean()) if n else 0.0
            target = splits[split][problem.target].astype("string").to_numpy() if problem.target else None
            found = np.flatnonzero(matches.found)
            conflicts = int(sum(target[i] != target[matches.match[i]] for i in found)) if target is not None else 0
            within[split] = {
                "rows": n,
                "copies": int(matches.found.sum()),
                "normalised": matches.n_exact,
                "near": matches.n_near,
                "share": share,
                "with_another_label": conflicts,
            }
            if found.size:
                warn = share >= WARN_WITHIN_SHARE
                findings.append(
                    Finding(
                        id=f"text_copies.{split}{suffix}",
                        severity="warning" if warn else "info",
                        title=(
                            f"{found.size} of {n} {split} texts{label} ({percent(share)}) copy an earlier {split} text "
                            f"({matches.n_exact} after folding case, accents, punctuation and spacing, "
                            f"{matches.n_near} near copies); {conflicts} of them carry another label"
                        ),
                        lever="fix_pipeline" if warn else None,
                        evidence={
                            **within[split],
                            "rows_ref": row_refs(problem, splits[split], found[:MAX_EXAMPLES]),
                            "examples": _examples(texts[split], texts[split], matches, found),
                        },
                    )
                )
        chance = within["train"]["share"]
        pairs: list[dict[str, Any]] = []
        leaked: dict[str, np.ndarray] = {}
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                matches = find_copies(texts[second], texts[first], seed=problem.seed)
                shared = matches.found
                n = len(shared)
                pair: dict[str, Any] = {
                    "splits": [first, second],
                    "rows_in_second": n,
                    "copies": int(shared.sum()),
                    "normalised": matches.n_exact,
                    "near": matches.n_near,
                    "share": float(shared.mean()) if n else 0.0,
                    "by_chance": chance,
                }
                pairs.append(pair)
                if shared.any():
                    leaked[second] = leaked.get(second, np.zeros(n, dtype=bool)) | shared
                    pair["_matches"] = matches
        effect = error_without(problem, ctx, leaked) if leaked else {}
        for pair in pairs:
            matches = pair.pop("_matches", None)
            if matches is None:
                continue
            first, second = pair["splits"]
            shared = matches.found
            beyond_chance = pair["share"] >= max(CHANCE_FACTOR * chance, MIN_LEAK_SHARE)
            moves = moves_numbers(problem, ctx, second, shared)
            critical = beyond_chance and moves["material"]
            positions = np.flatnonzero(shared)
            title = (
                f"{pair['copies']} of {pair['rows_in_second']} {second} texts{label} ({percent(pair['share'])}) "
                f"copy a {first} text "
                f"({pair['normalised']} after folding case, accents, punctuation and spacing, "
                f"{pair['near']} near copies with a few words changed)"
            )
            evidence: dict[str, Any] = {
                **pair,
                "materiality": moves,
                "rows_ref": row_refs(problem, splits[second], positions[:MAX_EXAMPLES]),
                "examples": _examples(texts[second], texts[first], matches, positions),
            }
            findings.append(
                copies_finding(
                    problem,
                    finding_id=f"text_copies.{first}.{second}{suffix}",
                    split=second,
                    title=title,
                    evidence=evidence,
                    change=effect.get(second),
                    critical=critical,
                    beyond_chance=beyond_chance,
                    chance_text=f"about the rate at which {first} repeats its own texts ({percent(chance)})",
                )
            )
        section["columns"][column] = {"within": within, "pairs": pairs, "error_without_copies": effect}
    section["leakage_found"] = any(f.severity == "critical" for f in findings)
    return CheckResult(findings=tuple(findings), section=from_json(TextCopiesResult, section, strict=True))


# --- how the result is shown (laid out by unstuck.render) ---------------------------------------------


@shows(text_copies)
def _tables(report: Report, result: TextCopiesResult) -> list[Table]:
    # With several text columns each row names its column; with one, the column is the data set's text.
    several = len(result.columns) > 1
    within: list[list[str]] = []
    between: list[list[str]] = []
    effect: list[list[str]] = []
    for column, copies in result.columns.items():
        lead = [column] if several else []
        for split, c in copies.within.items():
            if c.copies:
                within.append(
                    [
                        *lead,
                        SPLIT_LABELS.get(split, split),
                        count_text(c.rows),
                        count_text(c.copies),
                        count_text(c.normalised),
                        count_text(c.near),
                        pct(c.share),
                        count_text(c.with_another_label),
                    ]
                )
        for pair in copies.pairs:
            if pair.copies:
                between.append(
                    [
                        *lead,
                        " ↔ ".join(SPLIT_LABELS.get(s, s) for s in pair.splits),
                        count_text(pair.rows_in_second),
                        count_text(pair.copies),
                        count_text(pair.normalised),
                        count_text(pair.near),
                        pct(pair.share),
                        pct(pair.by_chance),
                    ]
                )
        for split, e in copies.error_without_copies.items():
            effect.append([*lead, *error_without_row(report, split, e)])
    head = ("column",) if several else ()
    kinds = (
        " (same after folding case, accents, punctuation and spacing; near copies: Jaccard similarity of word "
        f"pairs ≥ {result.threshold:g})"
    )
    out = []
    if within:
        out.append(
            Table(
                (*head, "split", "texts", "copies", "same after folding", "near copies", "share", "with another label"),
                within,
                numeric=tuple(range(len(head) + 1, len(head) + 7)),
                caption=f"Texts that copy an earlier text of the same split{kinds}.",
            )
        )
    if between:
        out.append(
            Table(
                (
                    *head,
                    "splits",
                    "texts",
                    "copies",
                    "same after folding",
                    "near copies",
                    "share",
                    "expected by chance",
                ),
                between,
                numeric=tuple(range(len(head) + 1, len(head) + 7)),
                caption="Texts of the later split that copy a text of the earlier one"
                + ("" if within else kinds)
                + "; by chance: the share at which train repeats its own texts.",
            )
        )
    if effect:
        out.append(
            Table(
                (*head, "split", "copied texts", "error", "error without the copied texts"),
                effect,
                numeric=tuple(range(len(head) + 1, len(head) + 4)),
                caption="An error higher without the copied texts means the copies made the model look better.",
            )
        )
    return out
