"""Runs the registered checks whose inputs are present; turns failures into ``skipped``."""

from __future__ import annotations

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

__all__ = ["RunResult", "run_checks"]


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
            skipped.append(Skipped(spec.name, reason))
            continue
        ctx.step(f"checking: {spec.description or spec.name}")
        shared_before = sum(ctx.timings.values())
        started = time.perf_counter()
        try:
            result = spec.function(problem, ctx)
        except SkipCheck as exc:
            skipped.append(Skipped(spec.name, str(exc)))
            continue
        except UnstuckError:
            raise
        except Exception as exc:  # a failing check becomes a result, not a crash
            skipped.append(Skipped(spec.name, f"failed: {type(exc).__name__}: {exc}"))
            continue
        finally:
            shared = sum(ctx.timings.values()) - shared_before
            timings[spec.name] = max(time.perf_counter() - started - shared, 0.0)
        findings.extend(result.findings)
        section = result.section_json()
        if section is not None:
            sections[spec.name] = section
    return RunResult(tuple(findings), tuple(skipped), sections, timings)
