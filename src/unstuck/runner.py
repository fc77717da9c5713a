"""Runs the registered checks whose inputs are present; turns failures into ``skipped``.

A check that crashes does not crash the diagnosis: it is recorded in ``skipped`` with the
reason ``failed: <exception>``, and its traceback goes to the ``unstuck.runner`` logger
(``unstuck --debug`` shows it; in Python, configure :mod:`logging`). What rests on a failed
check is withdrawn by the advice (:func:`unstuck.advice.reconcile`), so a crash never leaves a
confident verdict behind.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from unstuck.errors import UnstuckError
from unstuck.findings import Finding, Skipped
from unstuck.problem import INPUT_MEANINGS
from unstuck.registry import CheckSpec, SkipCheck, registered_checks

if TYPE_CHECKING:
    from unstuck.context import Context
    from unstuck.problem import Problem

__all__ = ["FAILED", "RunResult", "run_checks"]

logger = logging.getLogger(__name__)

#: How the reason of a check that crashed begins (the rest names the exception).
FAILED = "failed: "


@dataclass(frozen=True)
class RunResult:
    """Findings of all checks that ran, the checks that did not (with why), and their sections.

    ``timings``: each check's own wall seconds, not counting the shared measurements
    (baselines, out-of-fold predictions, ...) it happened to be the first to ask for: those
    are in ``Context.timings``, so that the two add up to the whole run.
    """

    findings: tuple[Finding, ...]
    skipped: tuple[Skipped, ...]
    sections: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> dict[str, str]:
        """The checks that crashed (check name -> reason), as opposed to those that did not apply."""
        return {s.check: s.reason for s in self.skipped if s.reason.startswith(FAILED)}


def run_checks(problem: Problem, ctx: Context, *, checks: Sequence[CheckSpec] | None = None) -> RunResult:
    """Run ``checks`` (default: every registered check) on ``problem``, sharing ``ctx``.

    A check whose required inputs are absent, that raises :class:`SkipCheck`, or that
    fails unexpectedly is recorded in ``skipped`` with the reason; the others still run.
    A :class:`~unstuck.errors.UnstuckError` (bad user input) is not swallowed.
    """
    findings: list[Finding] = []
    skipped: list[Skipped] = []
    sections: dict[str, Any] = {}
    timings: dict[str, float] = {}
    have = problem.inputs
    for spec in checks if checks is not None else registered_checks():
        absent = [r for r in spec.requires if r not in have]
        if absent:
            reason = "needs " + "; ".join(INPUT_MEANINGS[r] for r in absent)
            logger.debug("check %s skipped: %s", spec.name, reason)
            skipped.append(Skipped(spec.name, reason))
            continue
        ctx.step(f"checking: {spec.description or spec.name}")
        shared_before = sum(ctx.timings.values())
        started = time.perf_counter()
        try:
            result = spec.run(problem, ctx)
        except SkipCheck as exc:
            logger.debug("check %s skipped: %s", spec.name, exc)
            skipped.append(Skipped(spec.name, str(exc)))
            continue
        except UnstuckError:
            raise
        except Exception as exc:  # a failing check becomes a result, not a crash; its traceback is logged
            reason = f"{FAILED}{type(exc).__name__}: {exc}"
            logger.warning("check %s %s", spec.name, reason, exc_info=exc)
            skipped.append(Skipped(spec.name, reason))
            continue
        finally:
            shared = sum(ctx.timings.values()) - shared_before
            timings[spec.name] = max(time.perf_counter() - started - shared, 0.0)
        logger.debug("check %s ran in %.3f s: %d finding(s)", spec.name, timings[spec.name], len(result.findings))
        findings.extend(result.findings)
        section = result.section_json()
        if section is not None:
            sections[spec.name] = section
    return RunResult(tuple(findings), tuple(skipped), sections, timings)
