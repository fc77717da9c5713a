"""The two consoles: reports to stdout, progress and errors to stderr; and ``--quiet``'s silencing of warnings."""

from __future__ import annotations

import logging
import os
import sys
import warnings

from rich.console import Console

__all__ = ["console", "enable_debug_logging", "err_console", "quiet_callback", "silence_warnings"]

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def silence_warnings() -> None:
    """Hide Python warnings (NumPy, pandas, scikit-learn) in this process and in the worker processes it starts.

    ``--quiet`` promises only errors on stderr; library warnings are not errors
    (what they warn about, unstuck checks and reports itself).
    """
    warnings.simplefilter("ignore")
    os.environ["PYTHONWARNINGS"] = "ignore"  # inherited by joblib/loky workers and run subprocesses


def quiet_callback(value: bool) -> bool:
    """Typer callback of every ``--quiet`` option: silences warnings as soon as the option is parsed."""
    if value:
        silence_warnings()
    return value


def enable_debug_logging() -> None:
    """Send unstuck's log, tracebacks of failed checks included, to stderr (``--debug``)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("unstuck")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
