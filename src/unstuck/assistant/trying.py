"""``try_intervention`` for assistants: try a ranked intervention on the built-in baseline, record it.

The record is the CLI's (:func:`unstuck.tryout.record_try`), written to the root's ledger. The tool is
offered only under ``--allow-run``, as it writes to the ledger.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from unstuck.assistant.sandbox import Sandbox
from unstuck.assistant.tools import DEFAULT_LEDGER, jsonable

if TYPE_CHECKING:
    from unstuck.findings import Report
    from unstuck.problem import Problem
    from unstuck.tryout import TryOutcome

__all__ = ["record_try", "try_and_record"]


def record_try(sandbox: Sandbox, outcome: TryOutcome, report: Report) -> int:
    """Append the try to the root's ledger (done with its metrics and verdict when it ran); return its id."""
    from unstuck.tryout import record_try as record

    return record(outcome, report, ledger=str(sandbox.root / DEFAULT_LEDGER), config={"source": "unstuck mcp"})


def try_and_record(sandbox: Sandbox, problem: Problem, report: Report, rank: int) -> dict[str, Any]:
    """Try intervention ``rank`` of ``report`` on ``problem``; the outcome and the ledger id it was recorded as."""
    from unstuck.tryout import try_intervention

    outcome = try_intervention(problem, report, rank)
    number = record_try(sandbox, outcome, report)
    result: dict[str, Any] = jsonable({**outcome.to_dict(), "experiment_id": number})
    return result
