"""The check registry: ``@check`` declares a check, what it needs, and how its result is shown.

A check is a function ``(problem, context) -> CheckResult``. It never prints,
never reads globals and never reaches into another check's state; what checks
share (the baseline ladder, predictions, out-of-fold probabilities, error
estimates) comes from the :class:`~unstuck.context.Context` that the runner owns.

Adding a check touches one module in ``unstuck/checks/`` (discovered
automatically), its test, and one line of docs. The module holds all of the check::

    @dataclass(frozen=True)
    class ImbalanceResult:          # the measured values, with units in the docstring
        imbalance_ratio: float
        ...

    @check("imbalance", requires=("data", "classification"), description="...",
           group="data", result=ImbalanceResult)
    def imbalance(problem: Problem, ctx: Context) -> CheckResult:
        ...
        return CheckResult(findings=(Finding(id="imbalance.rare", ...),), section=ImbalanceResult(...))

    @shows(imbalance)
    def _tables(report: Report, result: ImbalanceResult) -> list[Table]:
        ...                         # its tables, as data (unstuck.view)

A ``Finding`` leaves ``check`` out: the runner stamps it with the check's name
(:meth:`CheckSpec.run`). ``requires`` names inputs from ``unstuck.problem.INPUT_MEANINGS``; when one is
absent the runner records the check as skipped with the reason. A check that
finds at run time that it cannot apply raises :class:`SkipCheck`. ``group`` is the
heading the renderers show it under (:data:`unstuck.view.GROUPS`; by default
``"data"`` for checks tagged ``"data"``, else ``"other"``). The report stores the
JSON form of the ``result`` (:func:`unstuck.measured.to_json`); the table and plot
builders get it back typed (a check that still returns a plain dict gets the dict).
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from unstuck.findings import Finding
from unstuck.view import GROUPS

if TYPE_CHECKING:
    from unstuck.context import Context
    from unstuck.problem import Problem
    from unstuck.view import PlotBuilder, TableBuilder

__all__ = ["CheckResult", "CheckSpec", "SkipCheck", "check", "draws", "registered_checks", "shows", "spec_named"]


@dataclass(frozen=True)
class CheckResult:
    """What a check returns: findings, and its measurements (its typed result, or a JSON-able dict)."""

    findings: tuple[Finding, ...] = ()
    section: Any = None

    def section_json(self) -> dict[str, Any] | None:
        """The section as the report stores it: the typed result's JSON form (or the dict as it is)."""
        from unstuck.measured import to_json

        if self.section is None or isinstance(self.section, dict):
            return self.section
        data: dict[str, Any] = to_json(self.section)
        return data


class SkipCheck(Exception):
    """Raised by a check that cannot apply to this problem; the message is the reason."""


CheckFunction = Callable[["Problem", "Context"], CheckResult]


@dataclass(frozen=True)
class CheckSpec:
    """A registered check: its name, function, required inputs, one-line description, and its view.

    ``group`` is the heading it is shown under; ``result`` the type of its section (None: a plain
    dict); ``tables`` and ``plot`` build what the renderers lay out (:mod:`unstuck.view`).
    """

    name: str
    function: CheckFunction
    requires: tuple[str, ...] = ()
    description: str = ""
    order: int = field(default=0, compare=False)
    tags: tuple[str, ...] = ()
    group: str = "other"
    result: Any = None
    tables: TableBuilder | None = None
    plot: PlotBuilder | None = None

    def run(self, problem: Problem, ctx: Context) -> CheckResult:
        """Run the check; each of its findings comes back stamped with this check's name.

        A check leaves ``Finding.check`` out and gets its own name, so the name cannot be
        mistyped. A finding may still name another registered check, for one that belongs
        there (a check reporting, from what it alone measured, on what another check vouches
        for, so that the advice withdraws it with that check); a name that no check is
        registered under is a typo, and the check fails with a ``ValueError`` saying so.
        """
        result = self.function(problem, ctx)
        return replace(result, findings=tuple(_stamped(finding, self.name) for finding in result.findings))

    def read_section(self, section: dict[str, Any]) -> Any:
        """The stored ``section`` as this check's typed result (the dict itself for untyped checks).

        Raises ``TypeError`` naming the key when the section no longer matches the type.
        """
        from unstuck.measured import from_json

        return section if self.result is None else from_json(self.result, section)


_REGISTRY: dict[str, CheckSpec] = {}


def _stamped(finding: Finding, name: str) -> Finding:
    """``finding`` made by the check ``name``: its ``check`` filled in, or checked to be a registered check."""
    if not finding.check:
        return replace(finding, check=name)
    if finding.check != name and spec_named(finding.check) is None:
        raise ValueError(
            f"the check {name!r} returned the finding {finding.id!r} naming the check {finding.check!r}, which is "
            f"not registered; leave Finding.check out and it is filled in as {name!r}"
        )
    return finding


def check(
    name: str,
    *,
    requires: tuple[str, ...] = (),
    description: str = "",
    tags: tuple[str, ...] = (),
    group: str | None = None,
    result: Any = None,
) -> Callable[[CheckFunction], CheckFunction]:
    """Register ``function`` as the check ``name`` needing the inputs ``requires``.

    ``tags`` group checks for commands that run only some of them (``"data"``: the
    data-surprise checks that ``unstuck explore`` runs). ``group``: the report heading it
    is shown under (a key of :data:`unstuck.view.GROUPS`). ``result``: the dataclass its
    section is (see :mod:`unstuck.measured`), or a union of dataclasses for a check whose
    section takes one of several shapes (classification or regression).
    """
    from unstuck.problem import INPUT_MEANINGS

    unknown = [r for r in requires if r not in INPUT_MEANINGS]
    if unknown:
        raise ValueError(f"check {name!r} requires unknown inputs {unknown}")
    chosen = group if group is not None else ("data" if "data" in tags else "other")
    if chosen not in dict(GROUPS):
        raise ValueError(f"check {name!r} names the unknown group {chosen!r}; groups: {[k for k, _ in GROUPS]}")

    def register(function: CheckFunction) -> CheckFunction:
        if name in _REGISTRY and _REGISTRY[name].function is not function:
            raise ValueError(f"a check named {name!r} is already registered")
        _REGISTRY[name] = CheckSpec(
            name,
            function,
            requires,
            description,
            order=len(_REGISTRY),
            tags=tuple(tags),
            group=chosen,
            result=result,
        )
        return function

    return register


def _spec_of_function(function: CheckFunction) -> CheckSpec:
    found = next((spec for spec in _REGISTRY.values() if spec.function is function), None)
    if found is None:
        raise ValueError(f"{getattr(function, '__name__', function)!r} is not a registered check")
    return found


def shows(function: CheckFunction) -> Callable[[TableBuilder], TableBuilder]:
    """Declare the decorated function as the table builder of the check ``function``."""

    def register(builder: TableBuilder) -> TableBuilder:
        spec = _spec_of_function(function)
        _REGISTRY[spec.name] = replace(spec, tables=builder)
        return builder

    return register


def draws(function: CheckFunction) -> Callable[[PlotBuilder], PlotBuilder]:
    """Declare the decorated function as the plot of the check ``function`` (drawn above its tables)."""

    def register(builder: PlotBuilder) -> PlotBuilder:
        spec = _spec_of_function(function)
        _REGISTRY[spec.name] = replace(spec, plot=builder)
        return builder

    return register


def spec_named(name: str) -> CheckSpec | None:
    """The registered check ``name`` (None when no check has that name), importing only what it needs.

    Rendering a saved report asks for the checks it holds: the module of the same name is
    imported first, and the whole package only for a check named unlike its module.
    """
    if name not in _REGISTRY:
        if name.isidentifier() and importlib.util.find_spec(f"unstuck.checks.{name}") is not None:
            importlib.import_module(f"unstuck.checks.{name}")
        if name not in _REGISTRY:
            registered_checks()
    return _REGISTRY.get(name)


def registered_checks() -> tuple[CheckSpec, ...]:
    """Every check in the ``unstuck.checks`` package (imported on first call), in a stable order."""
    import unstuck.checks as package

    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        importlib.import_module(f"{package.__name__}.{module.name}")
    # By module, then by registration within it: the order discovery gives, whatever other code
    # happened to import a check module first (the order of a report's lists depends on it).
    return tuple(sorted(_REGISTRY.values(), key=lambda spec: (spec.function.__module__, spec.order)))
