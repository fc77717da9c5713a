"""The experiment ledger: one record per experiment, forward-only, noise-aware verdicts, sweeps of variants.

Import the parts from their modules; this package imports nothing heavy.
"""

from __future__ import annotations

from unstuck.ledger.record import Expectation, Experiment, parse_expect
from unstuck.ledger.store import (
    ExperimentNotFound,
    IllegalTransition,
    LedgerError,
    LedgerStore,
    open_ledger,
    resolve_ledger_url,
)

__all__ = [
    "Expectation",
    "Experiment",
    "ExperimentNotFound",
    "IllegalTransition",
    "LedgerError",
    "LedgerStore",
    "open_ledger",
    "parse_expect",
    "resolve_ledger_url",
]
