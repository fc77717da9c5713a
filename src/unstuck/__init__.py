"""unstuck: diagnose a stuck machine-learning project, then rank what to do next.

The public API is lazy: importing ``unstuck`` loads no heavy library, so that
``unstuck --help`` answers at once.

>>> import unstuck
>>> report = unstuck.diagnose("train.csv", dev="dev.csv", target="label")  # doctest: +SKIP
>>> report.bottleneck  # doctest: +SKIP
'variance'
"""

from __future__ import annotations

import os
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

# OpenMP threads (LightGBM's, scikit-learn's) spin while they wait for work. When another
# process competes for the cores, spinning threads starve the working ones: a 4 s LightGBM
# fit took 108 s beside one other such process on 2 cores, and 8 s with passive waiting
# (benchmarks/RESULTS.md, "OpenMP wait policy"). The user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

try:
    __version__ = version("unstuck")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "CheckResult",
    "Finding",
    "Intervention",
    "Problem",
    "Report",
    "UnstuckError",
    "__version__",
    "check",
    "diagnose",
    "load_problem",
]

_EXPORTS = {
    "CheckResult": "unstuck.registry",
    "Finding": "unstuck.findings",
    "Intervention": "unstuck.findings",
    "Problem": "unstuck.problem",
    "Report": "unstuck.findings",
    "UnstuckError": "unstuck.errors",
    "check": "unstuck.registry",
    "diagnose": "unstuck.pipeline",
    "load_problem": "unstuck.pipeline",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'unstuck' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
