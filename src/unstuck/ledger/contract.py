"""The ledger store contract: the interface every backend implements, its rules, its errors.

Rules every store keeps (``tests/ledger/test_store_contract.py`` enforces them
on SQLite and PostgreSQL alike, in the manner of Optuna's storage tests):

1. **Append-only.** ``add`` creates a record and returns its new id (ids grow;
   the id passed in must be None). Nothing deletes a record; there is no such
   method.
2. **Forward-only status.** ``start`` moves ``planned -> running``; ``finish``
   moves ``running`` (or ``planned``) to ``done``, ``failed`` or ``crashed`` and
   writes the metrics, return code, stderr tail and end time *once*. Any other
   move raises :class:`IllegalTransition` and changes nothing.
3. **Immutable when finished.** Apart from the verdict, no field of a record
   changes after ``finish``; apart from status and verdict, no field changes
   after ``add``.
4. **Forward-only verdict.** ``set_verdict`` moves unset or ``inconclusive`` to
   ``keep``, ``discard`` or ``inconclusive``; ``keep`` and ``discard`` are final.
5. **Atomic and concurrent.** Each call is one transaction; many processes may
   call ``add``/``start``/``finish`` at once and no write is lost.
6. **Crash recovery.** ``recover_crashed(host, is_alive)`` marks ``crashed`` every
   planned or running record written from ``host`` whose writing process is no
   longer alive; the CLI calls it each time it opens the ledger.
7. **Versioned schema.** Opening a ledger of an older schema backs it up first
   (the SQLite file is copied; PostgreSQL tables are copied to backup tables),
   then migrates; a ledger of a newer schema, or a file that is not a ledger,
   raises :class:`LedgerError` and is left untouched.
"""

from __future__ import annotations

import builtins
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

from unstuck.errors import UnstuckError
from unstuck.ledger.record import Experiment

__all__ = ["ExperimentNotFound", "IllegalTransition", "LedgerError", "LedgerStore"]


class LedgerError(UnstuckError):
    """The ledger cannot be opened or written: corrupt, too new, unreachable, or a missing driver."""


class ExperimentNotFound(LedgerError):
    """No experiment has the id asked for."""


class IllegalTransition(LedgerError):
    """A write that would move a status or verdict backwards, or change a finished record."""


class LedgerStore(ABC):
    """An append-only store of :class:`~unstuck.ledger.record.Experiment` records (rules in the module docstring)."""

    url: str

    @abstractmethod
    def add(self, experiment: Experiment) -> int:
        """Insert a new record (its ``id`` must be None); return the id it got."""

    @abstractmethod
    def get(self, experiment_id: int) -> Experiment:
        """The record with this id; :class:`ExperimentNotFound` when there is none."""

    @abstractmethod
    def list(
        self,
        *,
        status: Sequence[str] | None = None,
        sweep_id: str | None = None,
        group_key: str | None = None,
        parent_id: int | None = None,
        since: float | None = None,
        limit: int | None = None,
        newest_first: bool = True,
    ) -> list[Experiment]:
        """Records matching every filter given, by id (newest first unless told otherwise)."""

    @abstractmethod
    def start(self, experiment_id: int, *, started_at: float, host: str, pid: int) -> None:
        """Move a planned record to running, noting when, where and by which process."""

    @abstractmethod
    def finish(
        self,
        experiment_id: int,
        *,
        status: str,
        ended_at: float,
        metrics: dict[str, float] | None = None,
        returncode: int | None = None,
        stderr_tail: str | None = None,
        dev_losses: Sequence[float] | None = None,
    ) -> None:
        """Move a planned or running record to done, failed or crashed, writing its outcome once.

        ``dev_losses``: per-row dev losses, shape (n_dev,), when the run wrote dev predictions.
        """

    @abstractmethod
    def set_verdict(self, experiment_id: int, verdict: str, detail: dict[str, Any]) -> None:
        """Record a verdict (keep / discard / inconclusive) and how it was reached."""

    @abstractmethod
    def recover_crashed(self, host: str, is_alive: Callable[[int], bool]) -> builtins.list[int]:
        """Mark crashed the unfinished records of ``host`` whose writer is dead; return their ids."""

    @abstractmethod
    def count(self) -> int:
        """How many records the ledger holds."""

    @abstractmethod
    def schema_version(self) -> int:
        """The schema version the ledger is at."""

    @abstractmethod
    def close(self) -> None:
        """Release connections."""

    def __enter__(self) -> LedgerStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
