"""Reading the ledger back: the numbers behind ``log``, ``compare``, ``sweep`` summaries and ``metrics``.

Pure functions of records; the CLI only lays them out.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from unstuck.ledger.parameters import check_ledger_arguments
from unstuck.ledger.record import Experiment

__all__ = [
    "GroupSummary",
    "LedgerMetrics",
    "Unavailable",
    "compare",
    "format_value",
    "ledger_metrics",
    "matching",
    "summarize_changed",
    "summarize_groups",
    "summarize_varied",
    "varied_in_sweep",
    "verdict_filter",
]


@dataclass(frozen=True)
class Unavailable:
    """A number ``metrics`` cannot give, why (``reason``), and the command that makes it possible (``hint``)."""

    reason: str
    hint: str

    def to_dict(self) -> dict[str, Any]:
        return {"available": False, "reason": self.reason, "hint": self.hint}


def format_value(value: Any) -> str:
    """A config or metric value for people: floats to 4 significant digits, None as '-'."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value + 0.0:.4g}"  # + 0.0 turns -0.0 into 0.0
    return str(value)


def summarize_changed(changed: dict[str, list[Any]], limit: int = 3) -> str:
    """``lr 0.01→0.001, bs 32→64`` (at most ``limit`` variables, then ``+N``)."""
    items = [f"{k} {format_value(a)}→{format_value(b)}" for k, (a, b) in changed.items()]
    if len(items) > limit:
        items = [*items[:limit], f"+{len(items) - limit}"]
    return ", ".join(items)


def varied_in_sweep(record: Experiment, sweep: Sequence[Experiment]) -> dict[str, Any]:
    """The variables ``record``'s sweep varied, with ``record``'s values: ``{"lr": 0.03}``.

    ``sweep`` holds the records of the sweep (``record`` among them); a variable is a
    config key, seeds left out, whose value is not the same in all of them. Empty for
    a record outside a sweep.
    """
    from unstuck.ledger.diff import SEED_KEYS

    members = [r for r in sweep if r.sweep_id is not None and r.sweep_id == record.sweep_id]
    if record.sweep_id is None or len(members) < 2:
        return {}
    keys = sorted({k for r in members for k in r.config if k.split(".")[-1].lower() not in SEED_KEYS})
    varied = [k for k in keys if len({json.dumps(r.config.get(k), default=str) for r in members}) > 1]
    return {k: record.config.get(k) for k in varied}


def summarize_varied(values: dict[str, Any], limit: int = 3) -> str:
    """``lr=0.03, bs=64`` (at most ``limit`` variables, then ``+N``)."""
    items = [f"{k}={format_value(v)}" for k, v in values.items()]
    if len(items) > limit:
        items = [*items[:limit], f"+{len(items) - limit}"]
    return ", ".join(items)


def compare(a: Experiment, b: Experiment) -> dict[str, Any]:
    """Only what differs between two records: config (seed included), metrics, provenance and outcome.

    Returns ``{"config": {key: [a, b]}, "metrics": {name: [a, b, b - a]}, "other": {field: [a, b]}}``;
    a metric reported by one side only has None for the other and for the difference. Data files
    whose fingerprints differ appear in ``other`` as ``"data <path>"`` with shortened hashes.
    """
    config = {
        k: [a.config.get(k), b.config.get(k)]
        for k in sorted(set(a.config) | set(b.config))
        if a.config.get(k) != b.config.get(k) or (k in a.config) != (k in b.config)
    }
    metrics: dict[str, list[Any]] = {}
    for name in sorted(set(a.metrics) | set(b.metrics)):
        va, vb = a.metrics.get(name), b.metrics.get(name)
        if va != vb:
            metrics[name] = [va, vb, (vb - va) if va is not None and vb is not None else None]
    other: dict[str, list[Any]] = {}
    for name in ("status", "verdict", "seed", "git_commit", "git_dirty", "hypothesis", "host"):
        va, vb = getattr(a, name), getattr(b, name)
        if va != vb:
            other[name] = [va, vb]
    for path in sorted(set(a.data_fingerprint) | set(b.data_fingerprint)):
        fa, fb = a.data_fingerprint.get(path), b.data_fingerprint.get(path)
        if fa != fb:  # "sha256:<first 12 hex digits>" is enough to tell two versions apart
            other[f"data {path}"] = [fa[:19] if fa else None, fb[:19] if fb else None]
    if (a.git_diff or "") != (b.git_diff or ""):
        other["git_diff"] = [f"{len(a.git_diff or '')} chars", f"{len(b.git_diff or '')} chars"]
    return {"config": config, "metrics": metrics, "other": other}


@dataclass(frozen=True)
class GroupSummary:
    """One variant of a sweep over its seeds: the values varied, counts by status, the metric's mean and sd."""

    values: dict[str, Any]
    ids: list[int]
    n_done: int
    n_failed: int
    mean: float | None
    sd: float | None
    verdict: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "values": self.values,
            "ids": self.ids,
            "n_done": self.n_done,
            "n_failed": self.n_failed,
            "mean": self.mean,
            "sd": self.sd,
            "verdict": self.verdict,
        }


def summarize_groups(records: Sequence[Experiment], names: Sequence[str], metric: str | None) -> list[GroupSummary]:
    """Records grouped by config (seeds together), in order of first appearance.

    ``names`` are the config keys shown as the variant's values; ``sd`` is the
    sample standard deviation over the finished seeds (None with fewer than 2).
    """
    groups: dict[str | None, list[Experiment]] = {}
    for record in records:
        groups.setdefault(record.group_key, []).append(record)
    out = []
    for members in groups.values():
        done = [r for r in members if r.status == "done"]
        values = [r.metrics[metric] for r in done if metric is not None and metric in r.metrics]
        mean = float(np.mean(values)) if values else None
        sd = float(np.std(values, ddof=1)) if len(values) >= 2 else None
        verdicts = {r.verdict for r in done if r.verdict}
        out.append(
            GroupSummary(
                values={n: members[0].config.get(n) for n in names},
                ids=[r.id for r in members if r.id is not None],
                n_done=len(done),
                n_failed=len(members) - len(done),
                mean=mean,
                sd=sd,
                verdict=verdicts.pop() if len(verdicts) == 1 else None,
            )
        )
    return out


@dataclass(frozen=True)
class LedgerMetrics:
    """The numbers a product lead tracks, over the records given.

    ``per_week`` maps each ISO week (``2026-W47``) of the last ``weeks`` weeks to
    the experiments started in it (variants of one sweep count one by one);
    shares are fractions of all ``total`` records (None when there are none).
    """

    total: int
    per_week: dict[str, int]
    mean_per_week: float
    share_with_hypothesis: float | None
    share_linked_to_finding: float | None
    share_one_change: float | None
    share_multi_change_flagged: float | None
    share_explore: float | None
    by_status: dict[str, int]
    by_verdict: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _iso_week(ts: float) -> str:
    year, week, _ = datetime.fromtimestamp(ts, tz=UTC).isocalendar()
    return f"{year}-W{week:02d}"


def ledger_metrics(records: Sequence[Experiment], now: float, weeks: int = 8) -> LedgerMetrics:
    """Velocity and discipline of the experiments in ``records`` (see :class:`LedgerMetrics`).

    ``share_one_change`` counts records with a parent and exactly one variable
    changed, among records with a parent. Gate results (:mod:`unstuck.ledger.gates`) are
    records but not experiments, and are left out.
    """
    check_ledger_arguments({"weeks": weeks}, entry="ledger_metrics")
    from unstuck.ledger.gates import is_gate_record

    records = [r for r in records if not is_gate_record(r)]
    today = datetime.fromtimestamp(now, tz=UTC)
    per_week = {_iso_week((today - timedelta(weeks=k)).timestamp()): 0 for k in range(weeks - 1, -1, -1)}
    for r in records:
        key = _iso_week(r.created_at)
        if key in per_week:
            per_week[key] += 1
    n = len(records)

    def share(count: int, of: int) -> float | None:
        return count / of if of else None

    with_parent = [r for r in records if r.parent_id is not None]
    by_status: dict[str, int] = {}
    by_verdict: dict[str, int] = {}
    for r in records:
        by_status[r.status] = by_status.get(r.status, 0) + 1
        by_verdict[r.verdict or "unset"] = by_verdict.get(r.verdict or "unset", 0) + 1
    return LedgerMetrics(
        total=n,
        per_week=per_week,
        mean_per_week=math.fsum(per_week.values()) / weeks,
        share_with_hypothesis=share(sum(1 for r in records if (r.hypothesis or "").strip()), n),
        share_linked_to_finding=share(sum(1 for r in records if r.findings), n),
        share_one_change=share(sum(1 for r in with_parent if len(r.changed) == 1), len(with_parent)),
        share_multi_change_flagged=share(sum(1 for r in records if r.multi_change), n),
        share_explore=share(sum(1 for r in records if r.explore), n),
        by_status=by_status,
        by_verdict=by_verdict,
    )


def verdict_filter(verdict: str | None) -> str | None:
    """``verdict`` when it is one to filter on (a verdict, or ``"unset"``: none yet), else a ConfigError."""
    from unstuck.errors import ConfigError
    from unstuck.ledger.record import VERDICTS

    if verdict is not None and verdict not in (*VERDICTS, "unset"):
        raise ConfigError(
            f"The verdict {verdict!r} is not keep, discard, inconclusive or unset.",
            "Filter on one of those, e.g. --verdict keep (verdict='keep' in Python).",
        )
    return verdict


def matching(records: Sequence[Experiment], *, verdict: str | None = None, grep: str | None = None) -> list[Experiment]:
    """The records, in their order, whose verdict is ``verdict`` (see :func:`verdict_filter`) and whose
    hypothesis or command contains ``grep`` (case-insensitive); None keeps every record.

    ``unstuck log`` and the assistant's ``log`` tool both filter with it.
    """
    verdict_filter(verdict)
    out = [r for r in records if verdict is None or (r.verdict or "unset") == verdict]
    if grep is not None:
        needle = grep.lower()
        out = [r for r in out if needle in (r.hypothesis or "").lower() or needle in " ".join(r.command).lower()]
    return out
