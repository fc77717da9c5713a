"""The options of the ledger's runs, sweeps and metrics, declared once: type, choices, range and flag.

``unstuck run``, ``unstuck sweep``, ``unstuck metrics`` and the assistant's run tools take the same
options; each is checked against :data:`LEDGER_PARAMETERS` by the function that uses it
(:func:`~unstuck.ledger.sweep.expand_seeds`, :func:`~unstuck.ledger.sweep.sweep_variants`,
:class:`~unstuck.ledger.experiments.Setup`, :func:`~unstuck.ledger.experiments.run_variants`,
:func:`~unstuck.ledger.views.ledger_metrics`), so a Python caller gets the refusal the command
line gets, in the one shape :func:`unstuck.arguments.check_arguments` gives every refusal. The
command line checks ``jobs`` and ``backend`` (which ``run_variants`` reads only once the ledger is
open) before it opens the ledger, so a refused command touches nothing.

What depends on another option (``--seed`` with ``--seeds``, a range under a mode that needs
values, ``--mode qmc`` without ``--samples``) is checked where both are known.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unstuck.arguments import MAX_SEED, Parameter, check_arguments, is_number, is_text, is_whole

__all__ = ["BACKENDS", "LEDGER_PARAMETERS", "MODES", "check_ledger_arguments"]

#: How a sweep picks its variants: every combination, one variable at a time, or a quasi-random sample.
MODES: tuple[str, ...] = ("grid", "oat", "qmc")
#: Where the runs of a sweep execute.
BACKENDS: tuple[str, ...] = ("local", "ray")

LEDGER_PARAMETERS: dict[str, Parameter] = {
    p.name: p
    for p in (
        Parameter("jobs", "a whole number of runs at once", is_whole, "jobs=4", low=1, flag="--jobs"),
        # zero seconds would kill every run before it starts
        Parameter(
            "timeout", "a number of seconds per run", is_number, "timeout=600", low=0, low_open=True, flag="--timeout"
        ),
        Parameter("seeds", "a whole number of seeds", is_whole, "seeds=3", low=1, flag="--seeds"),
        Parameter("mode", "one of the sweep modes", is_text, 'mode="grid"', choices=MODES, flag="--mode"),
        Parameter("samples", "a whole number of variants", is_whole, "samples=16", low=1, flag="--samples"),
        # the quasi-random sequence's seed: SciPy takes 0 to 2**32 - 1
        Parameter("seed", "a whole number", is_whole, "seed=0", low=0, high=MAX_SEED, flag="--seed"),
        Parameter("backend", "one of the backends", is_text, 'backend="local"', choices=BACKENDS, flag="--backend"),
        Parameter("weeks", "a whole number of weeks", is_whole, "weeks=8", low=1, flag="--weeks"),
    )
}


def check_ledger_arguments(values: Mapping[str, Any], *, entry: str) -> None:
    """Raise :class:`~unstuck.errors.ConfigError` for the first of ``values`` that the table refuses
    (None: not given, always accepted); ``entry`` names the function in messages."""
    check_arguments(values, LEDGER_PARAMETERS, entry=entry)
