"""Training logs: read a user's training history and turn its curves into verdicts.

* :mod:`unstuck.training_log.readers` — CSV, JSONL, Keras ``History`` JSON,
  PyTorch Lightning ``metrics.csv`` and TensorBoard event directories into one
  :class:`TrainingLog` per run, with lenient column mapping;
* :mod:`unstuck.training_log.verdicts` — pure functions from a log to verdicts
  (divergence, instability, still improving, saturated early, overfitting,
  underfitting, pipeline bug, learning rate too low) and the comparison of runs;
* :mod:`unstuck.training_log.synthetic` — planted curves for tests and the benchmark.
"""

from __future__ import annotations

from unstuck.training_log.readers import TrainingLog, canonical_column, read_training_log, read_training_logs
from unstuck.training_log.verdicts import RunComparison, Verdict, compare_runs, diagnose_run

__all__ = [
    "RunComparison",
    "TrainingLog",
    "Verdict",
    "canonical_column",
    "compare_runs",
    "diagnose_run",
    "read_training_log",
    "read_training_logs",
]
