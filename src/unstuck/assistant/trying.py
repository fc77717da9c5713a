"""``try_intervention`` for assistants: try a ranked intervention on the built-in baseline, record it.

The CLI's ``unstuck try`` builds its ledger record itself, so the same record is
built here (same fields, same verdict words), for the root's ledger. The tool is
offered only under ``--allow-run``, as it writes to the ledger.
"""

from __future__ import annotations

import os
import socket
import time
from typing import TYPE_CHECKING, Any

from unstuck.assistant.sandbox import Sandbox
from unstuck.assistant.tools import DEFAULT_LEDGER, jsonable

if TYPE_CHECKING:
    from unstuck.findings import Report
    from unstuck.problem import Problem
    from unstuck.tryout import TryOutcome

__all__ = ["record_try", "try_and_record"]

#: The try's verdict in the ledger's words (a manual intervention gets none).
VERDICTS = {"gain": "keep", "worse": "discard", "within_noise": "inconclusive"}


def record_try(sandbox: Sandbox, outcome: TryOutcome, report: Report) -> int:
    """Append the try to the root's ledger (done with its metrics and verdict when it ran); return its id."""
    from unstuck.ledger import Expectation, Experiment, open_ledger

    metric = report.metric["name"]
    item = next(i for i in report.interventions if i.rank == outcome.rank)
    record = Experiment(
        created_at=time.time(),
        hypothesis=outcome.hypothesis,
        expectation=None
        if outcome.expected_gain is None
        else Expectation(metric=f"dev_{metric}", delta=-outcome.expected_gain),
        changed=outcome.changed or {"change": [None, outcome.change]},
        config={"try": outcome.to_dict(), "source": "unstuck mcp"},
        command=["unstuck", "try", str(outcome.rank)],
        findings=list(item.findings),
        interventions=[outcome.lever],
        status="planned",
    )
    with open_ledger(str(sandbox.root / DEFAULT_LEDGER)) as store:
        number = store.add(record)
        if not outcome.automatic:
            return number
        store.start(number, started_at=record.created_at, host=socket.gethostname(), pid=os.getpid())
        store.finish(
            number,
            status="done",
            ended_at=time.time(),
            metrics={
                f"dev_{metric}_before": float(outcome.before or 0.0),
                f"dev_{metric}": float(outcome.after or 0.0),
            },
        )
        verdict = VERDICTS.get(outcome.verdict)
        if verdict is not None:
            store.set_verdict(
                number,
                verdict,
                {
                    "method": "paired bootstrap on dev rows",
                    "gain": outcome.gain,
                    "interval": list(outcome.interval or ()),
                },
            )
        return number


def try_and_record(sandbox: Sandbox, problem: Problem, report: Report, rank: int) -> dict[str, Any]:
    """Try intervention ``rank`` of ``report`` on ``problem``; the outcome and the ledger id it was recorded as."""
    from unstuck.tryout import try_intervention

    outcome = try_intervention(problem, report, rank)
    number = record_try(sandbox, outcome, report)
    result: dict[str, Any] = jsonable({**outcome.to_dict(), "experiment_id": number})
    return result
