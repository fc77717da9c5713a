"""Training logs: read a user's training history and turn its curves into verdicts.

* :mod:`unstuck.training_log.log` — the :class:`TrainingLog` type and the lenient
  mapping of any writer's names onto one vocabulary;
* :mod:`unstuck.training_log.readers` — files, run folders and ``mlflow:`` specs into one
  :class:`TrainingLog` per run, the format found by content; one module per format in
  :mod:`unstuck.training_log.formats` (Keras, Hugging Face, TensorBoard, JSON lines) and
  :mod:`unstuck.training_log.mlflow_store` (MLflow, both ways);
* :mod:`unstuck.training_log.run` — one run's curves read for judging (metric units, block
  averages) and :mod:`unstuck.training_log.numerics` — smoothing, line fits, tail forecasts;
* the rules, one pure function each, by family: :mod:`~unstuck.training_log.rules_broken`
  (divergence, pipeline bug), :mod:`~unstuck.training_log.rules_fit` (instability,
  overfitting, learning rate too low, underfitting), :mod:`~unstuck.training_log.rules_progress`
  (still improving, saturated early); :mod:`unstuck.training_log.judge` — which rule silences
  which, and ``diagnose_run``; :mod:`unstuck.training_log.compare` — several runs compared.
  Every verdict is a :class:`~unstuck.findings.Finding`; each kind is a registered check
  (``unstuck/checks/training_log.py``);
* :mod:`unstuck.training_log.synthetic` — planted curves for tests and the benchmark.
"""

from __future__ import annotations

from unstuck.training_log.compare import RunComparison, compare_runs
from unstuck.training_log.judge import RunDiagnosis, diagnose_run
from unstuck.training_log.readers import TrainingLog, canonical_column, read_training_log, read_training_logs

__all__ = [
    "RunComparison",
    "RunDiagnosis",
    "TrainingLog",
    "canonical_column",
    "compare_runs",
    "diagnose_run",
    "read_training_log",
    "read_training_logs",
]
