"""The learning curve of the quick baseline on a problem, alone: will more data help, and how much?

This runs the ``learning_curve`` check and nothing else, for when the question is only
"collect more data?". ``unstuck curve train.csv --target y`` and the assistant's
``learning_curve`` tool are thin wrappers over :func:`baseline_curve`;
:meth:`BaselineCurve.to_dict` is the ``unstuck.curve/1`` document both write.

>>> import unstuck
>>> from unstuck.baseline_curve import baseline_curve
>>> curve = baseline_curve(unstuck.load_problem("train.csv", target="y"))  # doctest: +SKIP
>>> curve.section["dev_curve"]["family"]  # doctest: +SKIP
'pow3'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from unstuck.errors import ConfigError

if TYPE_CHECKING:
    from unstuck.findings import Finding
    from unstuck.metrics import Metric
    from unstuck.problem import Problem

__all__ = ["BaselineCurve", "baseline_curve"]

CHECK = "learning_curve"


@dataclass(frozen=True)
class BaselineCurve:
    """The quick baseline's learning curve on a problem.

    Attributes
    ----------
    metric:
        The problem's metric (the curve is in its units).
    findings:
        What the ``learning_curve`` check concluded (more data helps, saturated, ...).
    section:
        The check's section: ``points`` (size, train and dev error per run), the fitted
        ``dev_curve``, the forecast and the model it used.
    """

    metric: Metric
    findings: tuple[Finding, ...]
    section: dict[str, Any]

    def mean_points(self) -> list[tuple[int, int, float, float]]:
        """(rows, runs, mean train error, mean dev error) per training-set size, ascending."""
        points = self.section["points"]
        out = []
        for size in sorted({p["size"] for p in points}):
            runs = [p for p in points if p["size"] == size]
            train = sum(p["train_error"] for p in runs) / len(runs)
            dev = sum(p["dev_error"] for p in runs) / len(runs)
            out.append((int(size), len(runs), float(train), float(dev)))
        return out

    def to_dict(self) -> dict[str, Any]:
        """The ``unstuck.curve/1`` document of data mode."""
        return {
            "schema": "unstuck.curve/1",
            "mode": "data",
            "metric": self.metric.to_dict(),
            "findings": [f.to_dict() for f in self.findings],
            "learning_curve": self.section,
        }


def baseline_curve(problem: Problem, *, on_step: Callable[[str], None] | None = None) -> BaselineCurve:
    """Fit the quick baseline on growing shares of ``problem``'s training rows and forecast its dev error.

    ``on_step`` receives a short message as each step starts (progress).

    Raises
    ------
    ConfigError
        When the curve cannot be measured (too few rows, a target the baselines cannot learn).
    """
    from unstuck.context import Context
    from unstuck.registry import registered_checks
    from unstuck.runner import run_checks

    spec = [s for s in registered_checks() if s.name == CHECK]
    run = run_checks(problem, Context(problem, on_step=on_step), checks=spec)
    if run.skipped:
        raise ConfigError(
            f"No learning curve: {run.skipped[0].reason}.",
            "Give more training rows, or a target the baselines can learn.",
        )
    return BaselineCurve(metric=problem.metric, findings=tuple(run.findings), section=run.sections[CHECK])
