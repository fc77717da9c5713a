"""Personal data: e-mail addresses, phone, card and IBAN numbers, IP addresses, national ids.

The method's sandbox rule: no sensitive data in a prototype. Every text or
categorical column of every split (features, target and id column alike), and
integer columns long enough to hold card numbers, is scanned with the patterns
and checksums of :mod:`unstuck.data.personal`. Distinct values are scanned once
(at most 50,000 per column, sampled with the seed) and their matches counted over
the rows that hold them. The finding names the columns, kinds and counts, with at
most three *masked* examples: values are never shown in full.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from unstuck.data.frames import user_splits
from unstuck.data.personal import KINDS, mask, matches
from unstuck.findings import Finding
from unstuck.measured import from_json
from unstuck.registry import CheckResult, check

if TYPE_CHECKING:
    import pandas as pd

    from unstuck.context import Context
    from unstuck.problem import Problem

MAX_VALUES = 50_000
#: Kinds without a checksum (phone, IP) need this many rows in a column before they count.
MIN_ROWS_WEAK = 5


def scan_column(values: pd.Series, seed: int = 0) -> dict[str, dict[str, Any]]:
    """Per kind: the rows whose value holds personal data of that kind, and masked examples.

    Returns ``{kind: {"rows": int, "examples": [masked, ...], "sampled": bool}}`` for the kinds found.
    """
    import pandas as pd

    if pd.api.types.is_integer_dtype(values):
        text = values.dropna().astype("int64").astype(str)
        text = text[text.str.len() >= 13]
    else:
        text = values.dropna().astype(str)
    if text.empty:
        return {}
    counts = text.value_counts()
    sampled = len(counts) > MAX_VALUES
    if sampled:
        counts = counts.sample(MAX_VALUES, random_state=seed)
    found: dict[str, dict[str, Any]] = {}
    distinct = counts.index.to_series()
    for kind, (pattern, _, _) in KINDS.items():
        candidates = distinct[distinct.str.contains(pattern, regex=True)]
        rows = 0
        examples: list[str] = []
        for value in candidates.tolist():
            hits = matches(kind, value)
            if hits:
                rows += int(counts[value])
                if len(examples) < 3:
                    examples.append(mask(hits[0], kind))
        if rows:
            found[kind] = {"rows": rows, "examples": examples, "sampled": sampled}
    return found


@dataclass(frozen=True)
class PersonalMatches:
    """One kind of personal data in a column: rows matching, up to three masked examples, and whether the
    column's values were sampled (more than 50,000 distinct values)."""

    rows: int
    examples: tuple[str, ...]
    sampled: bool


@dataclass(frozen=True)
class ColumnPersonalData:
    """A column holding personal data: its rows (all splits) and the kinds found in it."""

    rows: int
    kinds: Mapping[str, PersonalMatches]


@dataclass(frozen=True)
class PrivacyResult:
    """The columns holding personal data, and the number of matching rows over all of them."""

    columns: Mapping[str, ColumnPersonalData]
    matches: int


@check(
    "privacy",
    requires=("data",),
    description="personal data (e-mails, phones, cards, IBANs, IPs, national ids) in text columns",
    tags=("data",),
    result=PrivacyResult,
)
def privacy(problem: Problem, ctx: Context) -> CheckResult:
    import pandas as pd

    splits = user_splits(problem)
    columns = [*problem.features, problem.target] + ([problem.id_column] if problem.id_column else [])
    per_column: dict[str, dict[str, Any]] = {}
    for column in dict.fromkeys(c for c in columns if c is not None):
        values = pd.concat([f[column] for f in splits.values()], ignore_index=True)
        if pd.api.types.is_float_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        found = scan_column(values, problem.seed)
        strong = {k: v for k, v in found.items() if KINDS[k][2] or v["rows"] >= MIN_ROWS_WEAK}
        if strong:
            per_column[str(column)] = {"rows": len(values), "kinds": strong}
    findings = []
    if per_column:
        parts = [
            f"{column} (" + ", ".join(f"{n['rows']} {kind}" for kind, n in info["kinds"].items()) + ")"
            for column, info in per_column.items()
        ]
        findings.append(
            Finding(
                id="privacy.personal_data",
                severity="warning",
                title=(
                    f"Personal data in {len(per_column)} column(s): {'; '.join(parts[:6])}"
                    + (f" and {len(parts) - 6} more" if len(parts) > 6 else "")
                    + " — remove or pseudonymise it before the data enters a sandbox or a prototype"
                ),
                evidence={"columns": per_column},
            )
        )
    total = int(np.sum([k["rows"] for c in per_column.values() for k in c["kinds"].values()])) if per_column else 0
    section = from_json(PrivacyResult, {"columns": per_column, "matches": total}, strict=True)
    return CheckResult(findings=tuple(findings), section=section)
