"""Training logs: read a user's training history and turn its curves into verdicts.

* :mod:`unstuck.training_log.log` — the :class:`TrainingLog` type and the lenient
  mapping of any writer's names onto one vocabulary;
* :mod:`unstuck.training_log.readers` — files, run folders and ``mlflow:`` specs into one
  :class:`TrainingLog` per run, the format found by content; one module per format in
  :mod:`unstuck.training_log.formats` (Keras, Hugging Face, TensorBoard, JSON lines) and
  :mod:`unstuck.training_log.mlflow_store` (MLflow, both ways);
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
