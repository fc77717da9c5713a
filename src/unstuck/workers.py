"""How many worker processes the diagnosis's own fits use (the out-of-fold folds, the curve's
and sweeps' fits, the label check's refits).

Small problems fit in-process: starting workers costs more than it saves. From
``PARALLEL_FROM`` training rows on, independent fits run in separate processes, one
thread each, because threads of one LightGBM fit wait for each other and starve when
another process competes for the cores (measured: ``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import os

__all__ = ["MAX_WORKERS", "PARALLEL_FROM", "workers_for"]

#: From this many training rows on, the jobs run in worker processes.
PARALLEL_FROM = 20_000
#: At most this many worker processes.
MAX_WORKERS = 4


def workers_for(n_train: int, n_jobs: int) -> int:
    """Worker processes for ``n_jobs`` fits on a problem of ``n_train`` rows (1: in-process)."""
    if n_train < PARALLEL_FROM or n_jobs < 2:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_WORKERS, n_jobs))
