"""Where a ledger lives and how it is opened; the store contract's names, re-exported.

The interface every store keeps, and its rules, are in :mod:`unstuck.ledger.contract`
(the SQL store implements it without importing this module: opening a ledger picks
the implementation, so the implementation cannot depend on the opener).
"""

from __future__ import annotations

import os
from pathlib import Path

from unstuck.ledger.contract import ExperimentNotFound, IllegalTransition, LedgerError, LedgerStore

__all__ = [
    "DEFAULT_LEDGER",
    "ExperimentNotFound",
    "IllegalTransition",
    "LedgerError",
    "LedgerStore",
    "open_ledger",
    "resolve_ledger_url",
]

#: Where the ledger lives when neither ``--ledger`` nor ``UNSTUCK_LEDGER`` says otherwise (relative to the cwd).
DEFAULT_LEDGER = Path(".unstuck") / "ledger.db"


def resolve_ledger_url(url: str | None = None, cwd: Path | None = None) -> str:
    """The SQLAlchemy URL of the ledger to open.

    ``url`` (from ``--ledger``) wins, then the ``UNSTUCK_LEDGER`` environment
    variable, then ``.unstuck/ledger.db`` under ``cwd``. A plain path means a
    SQLite file; ``postgresql://`` means PostgreSQL through psycopg 3.
    """
    chosen = url or os.environ.get("UNSTUCK_LEDGER") or None
    base = cwd or Path.cwd()
    if chosen is None:
        return f"sqlite:///{(base / DEFAULT_LEDGER).resolve()}"
    if chosen.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + chosen.split("://", 1)[1]
    if "://" in chosen:
        scheme = chosen.split("://", 1)[0].lower()
        if not scheme.startswith(("sqlite", "postgresql")):
            raise LedgerError(
                f"The ledger URL names the database kind '{scheme}', which unstuck's ledger does not support.",
                hint="Use a SQLite file path (--ledger runs/ledger.db) or a PostgreSQL URL "
                "(--ledger postgresql://user:pass@host/db).",
            )
        return chosen
    return f"sqlite:///{(base / Path(chosen).expanduser()).resolve()}"


def open_ledger(url: str | None = None, cwd: Path | None = None) -> LedgerStore:
    """Open (creating or migrating if needed) the ledger at ``url``; see :func:`resolve_ledger_url`."""
    from unstuck.ledger.sql import SQLLedger

    return SQLLedger(resolve_ledger_url(url, cwd))
