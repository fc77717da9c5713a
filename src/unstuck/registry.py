"""The check registry: ``@check`` declares a check and what it needs.

A check is a function ``(problem, context) -> CheckResult``. It never prints,
never reads globals and never reaches into another check's state; what checks
share (the baseline ladder, predictions, out-of-fold probabilities, error
estimates) comes from the :class:`~unstuck.context.Context` that the runner owns.

Adding a check touches one module in ``unstuck/checks/`` (discovered
automatically) and one test file::

    @check("imbalance", requires=("data", "classification"), description="...")
    def imbalance(problem: Problem, ctx: Context) -> CheckResult:
        ...
        return CheckResult(findings=(...,), section={...})

``requires`` names inputs from ``unstuck.problem.INPUT_MEANINGS``; when one is
absent the runner records the check as skipped with the reason. A check that
finds at run time that it cannot apply raises :class:`SkipCheck`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from unstuck.findings import Finding

if TYPE_CHECKING:
    from unstuck.context import Context
    from unstuck.problem import Problem

__all__ = ["CheckResult", "CheckSpec", "SkipCheck", "check", "registered_checks"]


@dataclass(frozen=True)
class CheckResult:
    """What a check returns: findings, and a JSON-able section of measurements for renderers."""

    findings: tuple[Finding, ...] = ()
    section: dict[str, Any] | None = None


class SkipCheck(Exception):
    """Raised by a check that cannot apply to this problem; the message is the reason."""


CheckFunction = Callable[["Problem", "Context"], CheckResult]


@dataclass(frozen=True)
class CheckSpec:
    """A registered check: its name, function, required inputs and one-line description."""

    name: str
    function: CheckFunction
    requires: tuple[str, ...] = ()
    description: str = ""
    order: int = field(default=0, compare=False)
    tags: tuple[str, ...] = ()


_REGISTRY: dict[str, CheckSpec] = {}


def check(
    name: str, *, requires: tuple[str, ...] = (), description: str = "", tags: tuple[str, ...] = ()
) -> Callable[[CheckFunction], CheckFunction]:
    """Register ``function`` as the check ``name`` needing the inputs ``requires``.

    ``tags`` group checks for commands that run only some of them (``"data"``: the
    data-surprise checks that ``unstuck explore`` runs).
    """
    from unstuck.problem import INPUT_MEANINGS

    unknown = [r for r in requires if r not in INPUT_MEANINGS]
    if unknown:
        raise ValueError(f"check {name!r} requires unknown inputs {unknown}")

    def register(function: CheckFunction) -> CheckFunction:
        if name in _REGISTRY and _REGISTRY[name].function is not function:
            raise ValueError(f"a check named {name!r} is already registered")
        _REGISTRY[name] = CheckSpec(name, function, requires, description, order=len(_REGISTRY), tags=tuple(tags))
        return function

    return register


def registered_checks() -> tuple[CheckSpec, ...]:
    """Every check in the ``unstuck.checks`` package (imported on first call), in a stable order."""
    import unstuck.checks as package

    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        importlib.import_module(f"{package.__name__}.{module.name}")
    # By module, then by registration within it: the order discovery gives, whatever other code
    # happened to import a check module first (the order of a report's lists depends on it).
    return tuple(sorted(_REGISTRY.values(), key=lambda spec: (spec.function.__module__, spec.order)))
