"""Gate results in the ledger, next to the experiment they judge.

A gate result is stored as one more record (the ledger stays append-only, and its schema
and every store keep working unchanged): a child of the judged experiment
(``parent_id``), in the group ``production_gate``, whose ``config`` holds the gate's
verdict and conditions and whose metrics are ``gate_go`` (1 for GO, 0 for NO-GO),
``gate_failed`` and ``gate_not_checked``. It is added and finished at once, so it is
immutable from the start. :func:`is_gate_record` tells such records apart from
experiments (views that count experiments should leave them out).
"""

from __future__ import annotations

import builtins
import os
import socket
import time
from typing import Any

from unstuck.ledger.record import Experiment
from unstuck.ledger.store import LedgerStore

__all__ = ["GATE_GROUP", "gate_records", "is_gate_record", "lineage", "record_gate"]

GATE_GROUP = "production_gate"
#: How many ancestors :func:`lineage` follows at most (a guard against a corrupted cycle).
MAX_LINEAGE = 1000


def is_gate_record(record: Experiment) -> bool:
    """Whether ``record`` is a gate result rather than an experiment."""
    return record.group_key == GATE_GROUP and record.config.get("kind") == GATE_GROUP


def record_gate(
    store: LedgerStore, experiment_id: int, gate: dict[str, Any], *, command: builtins.list[str] | None = None
) -> int:
    """Append the gate result ``gate`` (an ``unstuck.gate/1`` dict) as a child of ``experiment_id``; return its id.

    Raises :class:`~unstuck.ledger.store.ExperimentNotFound` when there is no such experiment.
    """
    judged = store.get(experiment_id)
    verdict = str(gate["verdict"])
    now = time.time()
    summary = {
        "kind": GATE_GROUP,
        "verdict": verdict,
        "failed": gate.get("failed", []),
        "not_checked": gate.get("not_checked", []),
        "settings": gate.get("settings", {}),
        "conditions": [
            {k: c.get(k) for k in ("name", "family", "status", "measured", "threshold", "summary")}
            for c in gate.get("conditions", [])
        ],
    }
    record = Experiment(
        parent_id=experiment_id,
        created_at=now,
        hypothesis=f"production gate of #{experiment_id}: {verdict}",
        config=summary,
        command=list(command or ["unstuck", "gate"]),
        cwd=os.getcwd(),
        data_fingerprint=dict(judged.data_fingerprint),
        git_commit=judged.git_commit,
        group_key=GATE_GROUP,
        findings=[f"gate.{name}" for name in summary["failed"]],
    )
    new_id = store.add(record)
    store.start(new_id, started_at=now, host=socket.gethostname(), pid=os.getpid())
    store.finish(
        new_id,
        status="done",
        ended_at=time.time(),
        returncode=0 if verdict == "GO" else 1,
        metrics={
            "gate_go": 1.0 if verdict == "GO" else 0.0,
            "gate_failed": float(len(summary["failed"])),
            "gate_not_checked": float(len(summary["not_checked"])),
        },
    )
    return new_id


def gate_records(store: LedgerStore, experiment_id: int) -> builtins.list[Experiment]:
    """The gate results recorded for ``experiment_id``, newest first."""
    return [r for r in store.list(parent_id=experiment_id) if is_gate_record(r)]


def lineage(store: LedgerStore, experiment_id: int) -> builtins.list[Experiment]:
    """``experiment_id`` and its ancestors through ``parent_id``, oldest first."""
    chain: list[Experiment] = []
    seen: set[int] = set()
    current: int | None = experiment_id
    while current is not None and current not in seen and len(chain) < MAX_LINEAGE:
        seen.add(current)
        record = store.get(current)
        chain.append(record)
        current = record.parent_id
    return chain[::-1]
