"""The cost curve: LLM API vs a fine-tuned small model, distillation from production traffic, a cascade.

Modules, one concept each:

- :mod:`unstuck.cost.model` — pure cost formulas (API per request, volume, serving, break-even, budget).
- :mod:`unstuck.cost.tokens` — offline token-count approximation (no tokenizer download).
- :mod:`unstuck.cost.traffic` — reading a traffic JSONL file, with line-numbered errors.
- :mod:`unstuck.cost.distill` — label-set detection, split, agreement of each small model with the LLM.
- :mod:`unstuck.cost.small_models` — the small models distillation trains (TF-IDF, MiniLM), cheapest first.
- :mod:`unstuck.cost.cascade` — threshold choice on a held-out calibration part, coverage-vs-agreement curve.
- :mod:`unstuck.cost.report` — the ``unstuck.cost/1`` JSON document.
- :mod:`unstuck.cost.estimate` — where the numbers come from (tokens, volume, prices): the Python API of
  ``unstuck cost`` and ``unstuck distill`` (:func:`~unstuck.cost.estimate.cost_report`,
  :func:`~unstuck.cost.estimate.distill_report`).

Nothing here imports a heavy library at import time.
"""

from __future__ import annotations

__all__: list[str] = []
