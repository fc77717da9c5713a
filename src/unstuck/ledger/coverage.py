"""Error-category coverage: which categories of the last tagged error analysis have an experiment.

The tagged analysis is the ``error_tags`` part of a diagnosis run with ``--tags``: one finding
per tag (id ``error_tags.<tag>``, evidence with the tag's count of examined dev errors, its
ceiling and its lever) and the table's totals in ``report.sections["error_tags"]``. unstuck
keeps the last diagnosis in ``.unstuck/last_diagnosis.json`` (:mod:`unstuck.state`); a
``--json`` report of a tagged diagnosis holds the same and may be read instead.

**The link rule.** A ledger record is linked to a category when at least one of these holds:

* ``finding``: the record's findings (``--finding``, or those ``unstuck try`` copies from the
  intervention it runs) include the category's finding id ``error_tags.<tag>``
  (compared case-insensitively, surrounding spaces ignored);
* ``hypothesis``: the record's hypothesis names the tag as whole words — both are lower-cased
  and cut into runs of letters and digits, so tag ``wrong_label`` matches "fix the wrong-label
  rows" but tag ``glare`` does not match "glaring";
* ``lever``: the category's lever is among the record's interventions (``--intervention``), or
  its hypothesis names the lever as whole words (``targeted data``) — **only when no other
  category of the analysis has the same lever**: an experiment on ``targeted_data`` says
  nothing about *which* of two ``targeted_data`` categories it works on.

Every record counts, whatever its status (a failed attempt still shows the category was worked
on). Shares: categories with a linked record over all categories; and, weighted by the tagged
errors each category holds, ``Σ count(covered) / Σ count(all)``. A row with several tags counts
once per tag, so when tags overlap (``overlapping``) the second share is a share of tag
assignments rather than of rows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unstuck.errors import FileProblem
from unstuck.ledger.record import Experiment
from unstuck.ledger.views import Unavailable

__all__ = [
    "CHECK",
    "TAG_HINT",
    "Category",
    "CategoryCoverage",
    "CategoryLinks",
    "TaggedAnalysis",
    "category_coverage",
    "links",
    "read_tagged_analysis",
]

#: The check that makes the tagged error analysis.
CHECK = "error_tags"
#: How to make a tagged analysis (said when there is none).
TAG_HINT = (
    "Tag a sample of dev errors and diagnose with the tags: `unstuck tag <your diagnose inputs> -o to_tag.csv`, "
    "fill its 'tags' column, then `unstuck diagnose <your diagnose inputs> --tags to_tag.csv`."
)


@dataclass(frozen=True)
class Category:
    """One error category of a tagged analysis."""

    tag: str
    finding: str
    count: int
    ceiling: float
    lever: str | None


@dataclass(frozen=True)
class TaggedAnalysis:
    """The error-tag part of a diagnosis: its categories (largest first) and the table's totals."""

    source: str
    tag_file: str | None
    categories: tuple[Category, ...]
    examined_errors: int
    dev_errors: int
    dev_error: float
    tagged_share: float

    @property
    def tagged_errors(self) -> int:
        """Examined errors that carry at least one tag."""
        return round(self.tagged_share * self.examined_errors)


def read_tagged_analysis(path: Path) -> TaggedAnalysis | Unavailable:
    """The tagged analysis in ``path`` (a saved last diagnosis or a ``--json`` report), or why there is none.

    A missing file, or a diagnosis made without tags, is :class:`Unavailable`; a file that is not
    a diagnosis raises :class:`~unstuck.errors.FileProblem`.
    """
    from unstuck.findings import Report
    from unstuck.state import load_last

    if not path.exists():
        return Unavailable(f"there is no diagnosis here ({path} is missing)", TAG_HINT)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise FileProblem(
            f"{path} is not a diagnosis: it is not JSON ({type(exc).__name__}).",
            "Point --diagnosis at .unstuck/last_diagnosis.json or at a report written by `unstuck diagnose --json`.",
        ) from None
    tag_file: str | None = None
    if isinstance(document, dict) and "report" in document:
        arguments, report = load_last(path)
        tag_file = str(arguments["tags"]) if arguments.get("tags") else None
    elif isinstance(document, dict) and str(document.get("schema", "")).startswith("unstuck.report/"):
        try:
            report = Report.from_dict(document)
        except (KeyError, TypeError, ValueError) as exc:
            raise FileProblem(
                f"{path} is a damaged report ({type(exc).__name__}: {exc}).", "Write it again with --json."
            ) from None
    else:
        raise FileProblem(
            f"{path} is neither a saved diagnosis nor an unstuck report.",
            "Point --diagnosis at .unstuck/last_diagnosis.json or at a report written by `unstuck diagnose --json`.",
        )
    section = report.sections.get(CHECK)
    if not isinstance(section, Mapping):
        why = next((s.reason for s in report.skipped if s.check == CHECK), "it did not run")
        return Unavailable(f"the diagnosis in {path} has no tagged error analysis ({CHECK}: {why})", TAG_HINT)
    categories = tuple(
        Category(
            tag=str(f.evidence["tag"]),
            finding=f.id,
            count=int(f.evidence["count"]),
            ceiling=float(f.evidence["ceiling"]),
            lever=f.lever,
        )
        for f in report.findings
        if f.check == CHECK and "tag" in f.evidence and "count" in f.evidence
    )
    return TaggedAnalysis(
        source=str(path),
        tag_file=tag_file,
        categories=tuple(sorted(categories, key=lambda c: (-c.count, c.tag))),
        examined_errors=int(section["examined_errors"]),
        dev_errors=int(section["dev_errors"]),
        dev_error=float(section["dev_error"]),
        tagged_share=float(section["coverage"]),
    )


def _words(text: str) -> str:
    """``" wrong label rows "``: lower-cased runs of letters and digits, space-padded for whole-word search."""
    return " " + " ".join(re.findall(r"[0-9a-z]+", text.lower())) + " "


def _names(text: str, phrase: str) -> bool:
    """Whether ``text`` contains ``phrase`` as whole words (see :func:`_words`)."""
    wanted = _words(phrase)
    return wanted.strip() != "" and wanted in _words(text)


def links(record: Experiment, category: Category, shared_levers: frozenset[str]) -> tuple[str, ...]:
    """The ways ``record`` is linked to ``category`` (``finding``, ``hypothesis``, ``lever``; see the module).

    ``shared_levers`` are the levers of more than one category of the analysis: they link nothing.
    """
    via: list[str] = []
    if category.finding.strip().lower() in {f.strip().lower() for f in record.findings}:
        via.append("finding")
    hypothesis = record.hypothesis or ""
    if _names(hypothesis, category.tag):
        via.append("hypothesis")
    lever = category.lever
    if lever is not None and lever not in shared_levers:
        tried = {i.strip().lower() for i in record.interventions}
        if lever in tried or _names(hypothesis, lever):
            via.append("lever")
    return tuple(via)


@dataclass(frozen=True)
class CategoryLinks:
    """One category and the records linked to it: ``{record id: ways}``."""

    tag: str
    finding: str
    count: int
    ceiling: float
    lever: str | None
    experiments: dict[int, tuple[str, ...]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "tag": self.tag,
            "finding": self.finding,
            "errors": self.count,
            "ceiling": self.ceiling,
            "lever": self.lever,
            "experiments": [{"id": i, "via": list(v)} for i, v in self.experiments.items()],
        }


@dataclass(frozen=True)
class CategoryCoverage:
    """How many categories of the tagged analysis have at least one linked ledger record.

    ``share_categories``: covered / all categories; ``share_errors``: the tagged errors the
    covered categories hold over all tagged errors, counted per tag (see the module). Both are
    None when the analysis has no category. ``shared_levers``: levers of several categories,
    which link none of them.
    """

    analysis: TaggedAnalysis
    categories: tuple[CategoryLinks, ...]
    covered: int
    share_categories: float | None
    share_errors: float | None
    overlapping: bool
    shared_levers: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        a = self.analysis
        return {
            "available": True,
            "source": a.source,
            "tag_file": a.tag_file,
            "examined_errors": a.examined_errors,
            "dev_errors": a.dev_errors,
            "dev_error": a.dev_error,
            "tagged_share": a.tagged_share,
            "tagged_errors": a.tagged_errors,
            "n_categories": len(self.categories),
            "covered": self.covered,
            "share_categories": self.share_categories,
            "share_errors": self.share_errors,
            "overlapping": self.overlapping,
            "shared_levers": list(self.shared_levers),
            "categories": [c.to_dict() for c in self.categories],
        }


def category_coverage(analysis: TaggedAnalysis, records: Sequence[Experiment]) -> CategoryCoverage:
    """The coverage of ``analysis``'s categories by ``records`` (the link rule is in the module docstring)."""
    levers = [c.lever for c in analysis.categories if c.lever is not None]
    shared = frozenset(lever for lever in levers if levers.count(lever) > 1)
    rows = []
    for category in analysis.categories:
        linked = {r.id: via for r in records if r.id is not None and (via := links(r, category, shared))}
        rows.append(
            CategoryLinks(
                category.tag,
                category.finding,
                category.count,
                category.ceiling,
                category.lever,
                dict(sorted(linked.items())),
            )
        )
    covered = [c for c in rows if c.experiments]
    assignments = sum(c.count for c in rows)
    return CategoryCoverage(
        analysis=analysis,
        categories=tuple(rows),
        covered=len(covered),
        share_categories=len(covered) / len(rows) if rows else None,
        share_errors=sum(c.count for c in covered) / assignments if assignments else None,
        overlapping=assignments > analysis.tagged_errors,
        shared_levers=tuple(sorted(shared)),
    )
