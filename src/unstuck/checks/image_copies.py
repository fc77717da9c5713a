"""Copies of images between splits and inside each: exact files and perceptual-hash copies.

Two images are copies when their files have the same bytes (SHA-1), or when their 64-bit
difference hashes (:mod:`unstuck.images.read`) agree on at least one of their four 16-bit
quarters *and* their 16 × 16 grey pixels differ by at most :data:`PIXEL_TOLERANCE` on
average: the same picture re-encoded, resized or recompressed. The quarters are the
candidate search (hash joins, about linear in the number of images; two hashes at most 3
bits apart always share a quarter); the pixels confirm, because small images of one class
(8 × 8 digits) often share hash bits without being the same picture.

The judgement is the one of text copies (:mod:`unstuck.checks.text_copies`): between
splits, copies are leakage from 5 times the rate at which train repeats its own images and
at least 1 % of the later split, critical when they move the numbers or could; inside a
split they are information, a warning from 5 %.

A problem without an image column has nothing here: no findings, no section.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.checks.text_copies import MIN_LEAK_SHARE, WARN_WITHIN_SHARE
from unstuck.data.frames import MAX_EXAMPLES, row_refs, user_splits
from unstuck.findings import Finding
from unstuck.leakage import CHANCE_FACTOR, ErrorWithoutLeaked, copies_finding, error_without, moves_numbers
from unstuck.measured import from_json
from unstuck.registry import CheckResult, check, shows
from unstuck.units import percent
from unstuck.view import SPLIT_LABELS, Table, count_text, error_without_row, pct

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from unstuck.context import Context
    from unstuck.findings import Report
    from unstuck.problem import Problem


#: Largest mean absolute difference of two images' 16 × 16 grey pixels (0–1 scale) that still makes them
#: copies. Measured on scikit-learn digits (32 × 32 PNG): copies re-encoded as 40 × 40 JPEG differ by at most
#: 0.005, while the closest two distinct digits of 500 differ by 0.036.
PIXEL_TOLERANCE = 0.02


@dataclass(frozen=True)
class ImageCopiesWithin:
    """Images of one split (``rows`` in all) that repeat an earlier image of the same split: how many
    (``copies``), of them files with the same bytes (``identical_files``) and perceptual copies
    (``perceptual``), and their ``share`` of the split."""

    rows: int
    copies: int
    identical_files: int
    perceptual: int
    share: float


@dataclass(frozen=True)
class ImageCopiesShared:
    """Images of the later of two ``splits`` (``rows_in_second`` in all) that copy an image of the earlier
    one: how many (``copies``: ``identical_files`` plus ``perceptual``), their ``share`` of the later split,
    and the share expected from the rate at which train repeats its own images (``by_chance``)."""

    splits: tuple[str, str]
    rows_in_second: int
    copies: int
    identical_files: int
    perceptual: int
    share: float
    by_chance: float


@dataclass(frozen=True)
class ImageCopiesResult:
    """Copies inside each split and between each pair of splits, each later split's error without the
    copied rows, and whether copies between splits are critical leakage."""

    within: Mapping[str, ImageCopiesWithin]
    pairs: tuple[ImageCopiesShared, ...]
    error_without_copies: Mapping[str, ErrorWithoutLeaked]
    leakage_found: bool


def _close(pixels: NDArray[np.float32], i: int, others: NDArray[np.float32]) -> bool:
    return bool(others.size) and float(np.abs(others - pixels[i]).mean(axis=1).min()) <= PIXEL_TOLERANCE


def _quarters(dhash: int) -> list[tuple[int, int]]:
    """The four 16-bit quarters of a 64-bit hash, each tagged with its position."""
    return [(k, (dhash >> (16 * k)) & 0xFFFF) for k in range(4)]


def _copies(
    query: tuple[tuple[str, ...], NDArray[np.uint64], NDArray[np.float32]],
    reference: tuple[tuple[str, ...], NDArray[np.uint64], NDArray[np.float32]],
    *,
    earlier_only: bool = False,
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """(identical, perceptual) masks of the query images that copy a reference image (with
    ``earlier_only``, query and reference are one split and only earlier rows count)."""
    sha1, dhash, pixels = query
    ref_sha1, ref_dhash, ref_pixels = reference
    first_file: dict[str, int] = {}
    by_quarter: dict[tuple[int, int], list[int]] = {}
    for j, (s, h) in enumerate(zip(ref_sha1, ref_dhash.tolist(), strict=True)):
        first_file.setdefault(s, j)
        for quarter in _quarters(int(h)):
            by_quarter.setdefault(quarter, []).append(j)
    exact = np.zeros(len(sha1), dtype=bool)
    perceptual = np.zeros(len(sha1), dtype=bool)
    for i, (s, h) in enumerate(zip(sha1, dhash.tolist(), strict=True)):
        j = first_file.get(s, -1)
        if j >= 0 and (not earlier_only or j < i):
            exact[i] = True
            continue
        found = {j for quarter in _quarters(int(h)) for j in by_quarter.get(quarter, [])}
        candidates = sorted(j for j in found if not earlier_only or j < i)
        perceptual[i] = _close(pixels, i, ref_pixels[candidates])
    return exact, perceptual


@check(
    "image_copies",
    requires=("data",),
    description="identical image files and perceptual-hash copies, between splits and inside each",
    tags=("data",),
    result=ImageCopiesResult,
)
def image_copies(problem: Problem, ctx: Context) -> CheckResult:
    if problem.image_column is None:
        return CheckResult()
    from unstuck.images.read import image_hashes

    splits = user_splits(problem)
    hashes = {s: image_hashes([str(p) for p in f[problem.image_column].tolist()]) for s, f in splits.items()}
    findings: list[Finding] = []
    within: dict[str, dict[str, Any]] = {}
    for split, split_hashes in hashes.items():
        exact, perceptual = _copies(split_hashes, split_hashes, earlier_only=True)
        n = len(exact)
        found = exact | perceptual
        within[split] = {
            "rows": n,
            "copies": int(found.sum()),
            "identical_files": int(exact.sum()),
            "perceptual": int(perceptual.sum()),
            "share": float(found.mean()) if n else 0.0,
        }
        if found.any():
            warn = within[split]["share"] >= WARN_WITHIN_SHARE
            findings.append(
                Finding(
                    id=f"image_copies.{split}",
                    severity="warning" if warn else "info",
                    title=(
                        f"{int(found.sum())} of {n} {split} images ({percent(within[split]['share'])}) repeat an "
                        f"earlier {split} image ({int(exact.sum())} identical files, {int(perceptual.sum())} "
                        "perceptual copies)"
                    ),
                    lever="fix_pipeline" if warn else None,
                    evidence={
                        **within[split],
                        "rows_ref": row_refs(problem, splits[split], np.flatnonzero(found)[:MAX_EXAMPLES]),
                    },
                )
            )
    chance = within["train"]["share"]
    names = list(splits)
    pairs: list[dict[str, Any]] = []
    masks: dict[tuple[str, str], NDArray[np.bool_]] = {}
    leaked: dict[str, NDArray[np.bool_]] = {}
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            exact, perceptual = _copies(hashes[second], hashes[first])
            shared = exact | perceptual
            n = len(shared)
            pairs.append(
                {
                    "splits": [first, second],
                    "rows_in_second": n,
                    "copies": int(shared.sum()),
                    "identical_files": int(exact.sum()),
                    "perceptual": int(perceptual.sum()),
                    "share": float(shared.mean()) if n else 0.0,
                    "by_chance": chance,
                }
            )
            masks[(first, second)] = shared
            if shared.any():
                leaked[second] = leaked.get(second, np.zeros(n, dtype=bool)) | shared
    effect = error_without(problem, ctx, leaked) if leaked else {}
    for pair in pairs:
        if pair["copies"] == 0:
            continue
        first, second = pair["splits"]
        shared = masks[(first, second)]
        beyond_chance = pair["share"] >= max(CHANCE_FACTOR * chance, MIN_LEAK_SHARE)
        moves = moves_numbers(problem, ctx, second, shared)
        critical = beyond_chance and moves["material"]
        title = (
            f"{pair['copies']} of {pair['rows_in_second']} {second} images ({percent(pair['share'])}) copy a {first} "
            f"image ({pair['identical_files']} identical files, {pair['perceptual']} perceptual copies)"
        )
        evidence: dict[str, Any] = {
            **pair,
            "materiality": moves,
            "rows_ref": row_refs(problem, splits[second], np.flatnonzero(shared)[:MAX_EXAMPLES]),
        }
        findings.append(
            copies_finding(
                problem,
                finding_id=f"image_copies.{first}.{second}",
                split=second,
                title=title,
                evidence=evidence,
                change=effect.get(second),
                critical=critical,
                beyond_chance=beyond_chance,
                chance_text=f"about the rate at which {first} repeats its own images ({percent(chance)})",
            )
        )
    section = {
        "within": within,
        "pairs": pairs,
        "error_without_copies": effect,
        "leakage_found": any(f.severity == "critical" for f in findings),
    }
    return CheckResult(findings=tuple(findings), section=from_json(ImageCopiesResult, section, strict=True))


# --- how the result is shown (laid out by unstuck.render) ---------------------------------------------


@shows(image_copies)
def _tables(report: Report, result: ImageCopiesResult) -> list[Table]:
    within = [
        [
            SPLIT_LABELS.get(s, s),
            count_text(c.rows),
            count_text(c.copies),
            count_text(c.identical_files),
            count_text(c.perceptual),
            pct(c.share),
        ]
        for s, c in result.within.items()
        if c.copies
    ]
    between = [
        [
            " ↔ ".join(SPLIT_LABELS.get(s, s) for s in p.splits),
            count_text(p.rows_in_second),
            count_text(p.copies),
            count_text(p.identical_files),
            count_text(p.perceptual),
            pct(p.share),
            pct(p.by_chance),
        ]
        for p in result.pairs
        if p.copies
    ]
    out = []
    if within:
        out.append(
            Table(
                ("split", "images", "copies", "identical files", "perceptual copies", "share"),
                within,
                numeric=(1, 2, 3, 4, 5),
                caption="Images that repeat an earlier image of the same split (identical files: the same bytes; "
                "perceptual copies: the same picture re-encoded, resized or recompressed).",
            )
        )
    if between:
        out.append(
            Table(
                ("splits", "images", "copies", "identical files", "perceptual copies", "share", "expected by chance"),
                between,
                numeric=(1, 2, 3, 4, 5, 6),
                caption="Images of the later split that copy an image of the earlier one; by chance: the share at "
                "which train repeats its own images.",
            )
        )
    if result.error_without_copies:
        out.append(
            Table(
                ("split", "copied images", "error", "error without the copied images"),
                [error_without_row(report, s, e) for s, e in result.error_without_copies.items()],
                numeric=(1, 2, 3),
                caption="An error higher without the copied images means the copies made the model look better.",
            )
        )
    return out
